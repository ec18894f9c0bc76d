// Pure: the plan action's outputs — the shards as the `strategy.matrix` GitHub runs, and the rest the
// workflows read — from a plan and its split. Here in the kit because the CLI computes the plan job of our
// fan-out workflows the same way on a laptop (one shard) instead of running it. Each matrix entry carries
// what its job needs: the items as the shard's action takes them, and for a one-root Terraform shard the
// root, which keys the job's concurrency group (one group per state).
import { toPlanDocument } from './document.js';
import type { WorkPlan } from './plan.js';
import type { Split } from './shards.js';

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

/** The plan action's outputs (besides the kit's outcome and counts), as the runner hands them to a workflow. */
export function planOutputs(plan: WorkPlan, split: Split): Record<'matrix' | 'plan' | 'shards' | 'items-count' | 'items' | 'empty', string> {
  return {
    matrix: JSON.stringify(toMatrix(plan, split)),
    plan: JSON.stringify(toPlanDocument(plan, split)),
    shards: String(split.shards.length),
    'items-count': String(plan.items.length),
    items: plan.items.map((i) => i.input).join('\n'),
    empty: String(plan.items.length === 0),
  };
}
