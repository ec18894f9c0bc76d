// Pure: the plan's shards and the reports they sent → one verdict. Each planned shard is matched with
// its reports by the shard id the workflow gave each run; a shard with none is missing, and missing is a
// tool error that names the shard and its items — never silently nothing. Reports of runs outside the
// plan (a job that is not sharded) are merged too. Each finding keeps its shard's decision: the shards
// applied their own fail-on, so the verdict merges outcomes, it does not gate again.
import {
  countBySeverity,
  type Finding,
  type GateResult,
  type Outcome,
  type PlanDocument,
  type RunReport,
  type SeverityCounts,
  SEVERITIES,
  sortFindings,
} from '@platform-actions/kit';
import type { CollectedReport } from './collect.js';

export interface ShardRow {
  shard: number;
  of: number;
  items: string[];
  /** This shard's reports, one per action (the latest attempt). */
  reports: CollectedReport[];
  outcome: Outcome | 'missing';
  durationMs: number;
  counts: SeverityCounts;
}

export interface Verdict {
  outcome: Outcome;
  rows: ShardRow[];
  /** Reports of runs that are no shard of the plan. */
  extra: CollectedReport[];
  /** For the kit's reporters: all findings, and the lines that explain a failure, each naming its shard. */
  gate: GateResult;
  /** Lines of shards whose inputs were rejected (outcome config-error). */
  configErrors: string[];
  totals: SeverityCounts;
  /** Findings the shards counted but their reports did not carry (a report keeps 5,000). */
  unlisted: number;
  missing: number[];
  /** Item id → ms measured this run (the shard's time shared out by the items' planned costs). */
  durations: Map<string, number>;
}

const RANK: Record<Outcome | 'missing', number> = { missing: 4, 'tool-error': 3, 'config-error': 2, 'policy-failure': 1, clean: 0 };
const worst = (outcomes: Array<Outcome | 'missing'>): Outcome => {
  const w = outcomes.reduce<Outcome | 'missing'>((a, b) => (RANK[b] > RANK[a] ? b : a), 'clean');
  return w === 'missing' ? 'tool-error' : w;
};

/** "charts/a, charts/b and 3 more" */
export function itemList(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** The latest report per (shard, action): a re-run attempt replaces the first. */
function latest(reports: readonly CollectedReport[]): CollectedReport[] {
  const by = new Map<string, CollectedReport>();
  for (const r of reports) {
    const key = `${r.report.shard ?? ''}\u0000${r.report.action}`;
    const had = by.get(key);
    if (!had || had.report.startedAt < r.report.startedAt || (had.report.startedAt === r.report.startedAt && had.file < r.file)) by.set(key, r);
  }
  return [...by.values()];
}

function addCounts(a: SeverityCounts, b: SeverityCounts): SeverityCounts {
  const out = { ...a };
  for (const s of [...SEVERITIES, 'total'] as const) out[s] = a[s] + b[s];
  return out;
}

/** Why a report failed, in one line, or undefined when it is clean. */
function problemOf(r: RunReport): string | undefined {
  if (r.outcome === 'clean') return undefined;
  if (r.failure) return r.failure.replace(new RegExp(`^${r.action}: `), '');
  if (r.outcome === 'tool-error') return r.toolErrors.join('; ') || 'a tool failed';
  const found = r.failing ? `${r.failing} finding${r.failing === 1 ? '' : 's'} at or above its fail-on` : '';
  return [...r.policyErrors, found].filter(Boolean).join('; ') || r.outcome;
}

export function mergeVerdict(plan: PlanDocument, collected: readonly CollectedReport[]): Verdict {
  const reports = latest(collected);
  const of = plan.shards.length;
  const planned = new Set(plan.shards.map((s) => String(s.shard)));
  const toolErrors: string[] = [];
  const policyErrors: string[] = [];
  const configErrors: string[] = [];
  const findings: Finding[] = [];
  const failing: Finding[] = [];
  const durations = new Map<string, number>();
  let totals = countBySeverity([]);
  let unlisted = 0;

  const take = (label: string, r: CollectedReport) => {
    findings.push(...r.report.findings);
    // A report's findings are most severe first, so its first `failing` are the ones at or above its fail-on.
    failing.push(...sortFindings(r.report.findings).slice(0, r.report.failing));
    totals = addCounts(totals, r.report.counts);
    unlisted += r.report.findingsOmitted;
    const problem = problemOf(r.report);
    if (!problem) return;
    const line = `${label}, ${r.report.action}: ${problem}`;
    if (r.report.outcome === 'tool-error') toolErrors.push(line);
    else if (r.report.outcome === 'config-error') configErrors.push(line);
    else policyErrors.push(line);
  };

  const rows: ShardRow[] = plan.shards.map((s) => {
    const mine = reports.filter((r) => r.report.shard === String(s.shard));
    const items = s.items.map((i) => i.input);
    const label = `shard ${s.shard}/${of} (${itemList(items)})`;
    if (!mine.length) {
      toolErrors.push(`${label} sent no report: it crashed, timed out or was cancelled, so its ${items.length} item${items.length === 1 ? ' is' : 's are'} not checked`);
      return { shard: s.shard, of, items, reports: [], outcome: 'missing', durationMs: 0, counts: countBySeverity([]) };
    }
    for (const r of mine) take(label, r);
    const durationMs = mine.reduce((n, r) => n + r.report.durationMs, 0);
    const cost = s.items.reduce((n, i) => n + i.cost, 0);
    if (durationMs > 0 && cost > 0) for (const i of s.items) durations.set(i.id, (durationMs * i.cost) / cost);
    return {
      shard: s.shard,
      of,
      items,
      reports: mine,
      outcome: worst(mine.map((r) => r.report.outcome)),
      durationMs,
      counts: mine.reduce((c, r) => addCounts(c, r.report.counts), countBySeverity([])),
    };
  });
  const extra = reports.filter((r) => !r.report.shard || !planned.has(r.report.shard));
  for (const r of extra) take(r.report.shard ? `run of shard ${r.report.shard}, which the plan does not have` : 'unsharded run', r);

  const outcome = worst([...rows.map((r) => r.outcome), ...extra.map((r) => r.report.outcome)]);
  const gate: GateResult = {
    outcome,
    active: sortFindings(findings),
    failing: sortFindings(failing),
    suppressed: [],
    toolErrors,
    // Shards' rejected inputs are shown (and, when nothing worse happened, fail the verdict) with the policy lines.
    policyErrors: [...configErrors, ...policyErrors],
  };
  return { outcome, rows, extra, gate, configErrors, totals, unlisted, missing: rows.filter((r) => r.outcome === 'missing').map((r) => r.shard), durations };
}
