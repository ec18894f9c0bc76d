// The plan as a document: written by the plan action (an output), read by the verdict action, which
// needs to know which shards to expect and what each one held, so a shard that never reported is named.
import type { RemovedItem, WorkPlan } from './plan.js';
import type { Split } from './shards.js';

export const PLAN_SCHEMA = 'platform-actions/plan@1';

export interface PlannedShard {
  shard: number;
  /** Estimated cost (ms with recorded durations, else size units). */
  cost: number;
  /** Each item's estimated cost, in the shard's unit: a shard's measured time is shared out by these. */
  items: Array<{ id: string; input: string; cost: number; reasons: string[] }>;
}

export interface PlanDocument {
  schema: typeof PLAN_SCHEMA;
  kind: WorkPlan['kind'];
  scope: WorkPlan['scope'];
  basis: Split['basis'];
  shards: PlannedShard[];
  unchanged: number;
  removed: RemovedItem[];
}

export function toPlanDocument(plan: WorkPlan, split: Split): PlanDocument {
  return {
    schema: PLAN_SCHEMA,
    kind: plan.kind,
    scope: plan.scope,
    basis: split.basis,
    shards: split.shards.map((s) => ({
      shard: s.index,
      cost: Math.round(s.cost),
      items: s.items.map((i) => ({ id: i.id, input: i.input, cost: Math.round(split.costs.get(i.id) ?? i.size), reasons: i.reasons })),
    })),
    unchanged: plan.unchanged.length,
    removed: plan.removed,
  };
}

/** Pure: a plan document read back, or why it is not one. */
export function parsePlanDocument(text: string): { plan: PlanDocument } | { problem: string } {
  let d: Partial<PlanDocument>;
  try {
    d = JSON.parse(text) as Partial<PlanDocument>;
  } catch {
    return { problem: 'is not JSON' };
  }
  if (!d || typeof d !== 'object' || d.schema !== PLAN_SCHEMA) return { problem: `is not a ${PLAN_SCHEMA} document (pass the plan action's plan output)` };
  if (!Array.isArray(d.shards) || !d.shards.every((s) => s && Number.isInteger(s.shard) && Array.isArray(s.items))) return { problem: 'has no valid shards' };
  if (!d.scope || typeof d.scope.label !== 'string') return { problem: 'has no scope' };
  const items = (s: PlannedShard) =>
    s.items
      .filter((i) => i && typeof i.id === 'string' && typeof i.input === 'string')
      .map((i) => ({
        id: i.id,
        input: i.input,
        cost: typeof i.cost === 'number' && i.cost > 0 ? i.cost : 1,
        reasons: Array.isArray(i.reasons) ? i.reasons.filter((r) => typeof r === 'string') : [],
      }));
  return {
    plan: {
      schema: PLAN_SCHEMA,
      kind: d.kind as PlanDocument['kind'],
      scope: d.scope,
      basis: d.basis === 'durations' ? 'durations' : 'size',
      shards: d.shards.map((s) => ({ shard: s.shard, cost: typeof s.cost === 'number' ? s.cost : 0, items: items(s) })),
      unchanged: typeof d.unchanged === 'number' ? d.unchanged : 0,
      removed: Array.isArray(d.removed) ? d.removed.filter((r) => r && typeof r.id === 'string' && typeof r.reason === 'string') : [],
    },
  };
}
