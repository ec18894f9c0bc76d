// Splitting the work into at most N shards of about equal cost, for GitHub's matrix to run in parallel.
// Cost is the item's recorded duration from the last run when there is one, else its size scaled to
// durations by the items that have both; with no history at all, its size. The split is greedy longest
// first (each item, largest first, to the shard with the least so far): never worse than 4/3 of the best
// possible largest shard, and much closer when items are many and small, as charts and roots are.
import type { WorkItem } from './plan.js';

export const DURATIONS_SCHEMA = 'platform-actions/durations@1';

/** Item id → milliseconds the last run spent on it. */
export type Durations = ReadonlyMap<string, number>;

export interface Shard {
  /** 1-based. */
  index: number;
  items: WorkItem[];
  /** Sum of the items' costs (ms when durations were known, else size units). */
  cost: number;
}

export interface Split {
  shards: Shard[];
  /** 'durations' when every item's cost came from recorded or scaled durations, else 'size'. */
  basis: 'durations' | 'size';
  /** Items whose cost was recorded (the rest were estimated). */
  recorded: number;
  /** Each item's cost, by id. */
  costs: ReadonlyMap<string, number>;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Each item's cost: its recorded duration, or its size times the median ms per size unit of the recorded ones. */
export function costs(items: readonly WorkItem[], durations?: Durations): { cost: Map<string, number>; basis: Split['basis']; recorded: number } {
  const known = items.filter((i) => (durations?.get(i.id) ?? 0) > 0);
  if (!known.length) return { cost: new Map(items.map((i) => [i.id, i.size])), basis: 'size', recorded: 0 };
  const perUnit = median(known.map((i) => durations!.get(i.id)! / i.size));
  return { cost: new Map(items.map((i) => [i.id, durations!.get(i.id) || i.size * perUnit])), basis: 'durations', recorded: known.length };
}

/**
 * Splits `items` into min(maxShards, items) shards, balanced by cost; with `maxItems`, into as many more
 * shards as keep each within it (a shard's action may take only so many: trivy-scan writes one SARIF run
 * per target, and GitHub takes 20). Empty in, no shards out.
 */
export function splitIntoShards(items: readonly WorkItem[], maxShards: number, durations?: Durations, maxItems?: number): Split {
  const { cost, basis, recorded } = costs(items, durations);
  const n = Math.max(0, Math.min(maxShards, items.length), maxItems ? Math.ceil(items.length / maxItems) : 0);
  const shards: Shard[] = Array.from({ length: n }, (_, i) => ({ index: i + 1, items: [], cost: 0 }));
  // Largest first; ties by id so the same plan always splits the same way.
  const order = [...items].sort((a, b) => cost.get(b.id)! - cost.get(a.id)! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const item of order) {
    let least: Shard | undefined;
    for (const s of shards) if ((!maxItems || s.items.length < maxItems) && (!least || s.cost < least.cost)) least = s;
    if (!least) throw new Error('splitIntoShards: no shard has room (a planning bug)');
    least.items.push(item);
    least.cost += cost.get(item.id)!;
  }
  for (const s of shards) s.items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { shards, basis, recorded, costs: cost };
}

/** Pure: a durations file's items, or why it cannot be used. Unknown fields are ignored; bad values are dropped. */
export function parseDurations(text: string): { durations: Map<string, number> } | { problem: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { problem: 'is not JSON' };
  }
  const d = doc as { schema?: unknown; items?: unknown };
  if (!d || typeof d !== 'object' || d.schema !== DURATIONS_SCHEMA) return { problem: `is not a ${DURATIONS_SCHEMA} file` };
  if (!d.items || typeof d.items !== 'object' || Array.isArray(d.items)) return { problem: 'has no items object' };
  const durations = new Map<string, number>();
  for (const [k, v] of Object.entries(d.items as Record<string, unknown>)) if (typeof v === 'number' && Number.isFinite(v) && v > 0) durations.set(k, v);
  return { durations };
}

/** The durations file text for `items` (id → ms), sorted for stable diffs. */
export function formatDurations(items: ReadonlyMap<string, number>): string {
  const sorted = Object.fromEntries([...items].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, Math.round(v)]));
  return JSON.stringify({ schema: DURATIONS_SCHEMA, items: sorted }, null, 2) + '\n';
}
