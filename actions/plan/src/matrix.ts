// Pure: the shards as the `strategy.matrix` GitHub runs. Each entry carries what its job needs: the
// items as the shard's action takes them, and for a one-root Terraform shard the root, which keys the
// job's concurrency group (one group per state).
import type { Split, WorkPlan } from '@platform-actions/kit';

export interface MatrixEntry {
  shard: number;
  shards: number;
  /** One item per line: chart folders, Terraform roots, trivy targets or migration folders. */
  items: string;
  count: number;
  /** Terraform: the root of a one-root shard. */
  state?: string;
}

export function toMatrix(plan: WorkPlan, split: Split): { include: MatrixEntry[] } {
  const n = split.shards.length;
  return {
    include: split.shards.map((s) => ({
      shard: s.index,
      shards: n,
      items: s.items.map((i) => i.input).join('\n'),
      count: s.items.length,
      ...(plan.kind === 'terraform' && s.items.length === 1 ? { state: s.items[0].path } : {}),
    })),
  };
}
