// Rollback planning, pure: from what was recorded before the apply and what is there after it, which
// workloads get `rollout undo --to-revision=<recorded>`. Only workloads whose revision the deploy moved
// are touched: a plain "undo to previous" after an apply that changed nothing would roll a healthy
// workload back to an older release. And for a rollback on demand, which recorded revision it goes to.
import { refId, type WorkloadRef } from './manifests.js';
import type { RevisionRecord } from './classify.js';

export interface Before {
  ref: WorkloadRef;
  /** Undefined when the workload did not exist before the deploy. */
  record?: RevisionRecord;
}

export type Step = { action: 'undo'; ref: WorkloadRef; toRevision: number; fromRevision: number; templateHash: string } | { action: 'keep'; ref: WorkloadRef; why: string };

export function planRollback(before: readonly Before[], after: ReadonlyMap<string, RevisionRecord | undefined>): Step[] {
  return before.map((b): Step => {
    const now = after.get(refId(b.ref));
    if (!b.record) return { action: 'keep', ref: b.ref, why: 'created by this deploy: there is no earlier revision to restore (left in place for inspection)' };
    if (!now) return { action: 'keep', ref: b.ref, why: 'not found after the deploy' };
    if (b.record.revision === 0) return { action: 'keep', ref: b.ref, why: 'its revision before the deploy is unknown' };
    if (now.revision === b.record.revision) return { action: 'keep', ref: b.ref, why: `unchanged by this deploy (still revision ${now.revision})` };
    return { action: 'undo', ref: b.ref, toRevision: b.record.revision, fromRevision: now.revision, templateHash: b.record.templateHash };
  });
}

/** Helm: the release revision to roll back to: the newest with status `deployed`, else none. */
export interface HelmRevision {
  revision: number;
  status: string;
  chart?: string;
  app_version?: string;
  updated?: string;
  description?: string;
}

export function lastDeployed(history: readonly HelmRevision[]): HelmRevision | undefined {
  return [...history].sort((a, b) => b.revision - a.revision).find((h) => h.status === 'deployed');
}

export function latest(history: readonly HelmRevision[]): HelmRevision | undefined {
  return [...history].sort((a, b) => b.revision - a.revision)[0];
}

export const isPending = (h: HelmRevision | undefined): boolean => !!h && h.status.startsWith('pending-');

/**
 * The revision a rollback on demand goes to: `wanted` when it is recorded, else the newest recorded one
 * before the current. `already` when the workload runs that revision's template now (nothing to do).
 * An error line (the caller's config error) when there is nothing to go to.
 */
export function chooseRevision(
  id: string,
  recorded: readonly RevisionRecord[],
  current: RevisionRecord,
  wanted: number | undefined,
): { to: RevisionRecord; already: boolean } | { error: string } {
  const list = recorded.map((r) => r.revision).join(', ') || 'none';
  if (wanted === undefined) {
    const prev = [...recorded].reverse().find((r) => r.revision < current.revision && r.templateHash !== current.templateHash);
    if (!prev) return { error: `${id} has no recorded revision before its current one (${current.revision}) to go back to (recorded: ${list})` };
    return { to: prev, already: false };
  }
  const to = recorded.find((r) => r.revision === wanted);
  if (!to) return { error: `revision ${wanted} is not recorded for ${id} (recorded: ${list}; revisionHistoryLimit decides how many are kept)` };
  return { to, already: to.templateHash === current.templateHash };
}

/** Helm: the release revision a rollback on demand goes to (`wanted`, or the newest deployed/superseded one before the current). */
export function chooseReleaseRevision(id: string, history: readonly HelmRevision[], wanted: number | undefined): { to: HelmRevision; already: boolean } | { error: string } {
  const top = latest(history);
  if (!top) return { error: `${id} does not exist: there is no release history to roll back in` };
  const list = [...history]
    .sort((a, b) => a.revision - b.revision)
    .map((h) => `${h.revision} ${h.status}`)
    .join(', ');
  if (wanted === undefined) {
    // helm's own choice for --rollback-on-failure: a revision that was deployed once (superseded or deployed).
    const prev = [...history].sort((a, b) => b.revision - a.revision).find((h) => h.revision < top.revision && (h.status === 'superseded' || h.status === 'deployed'));
    if (!prev) return { error: `${id} has no earlier deployed revision to go back to (history: ${list})` };
    return { to: prev, already: false };
  }
  const to = history.find((h) => h.revision === wanted);
  if (!to) return { error: `revision ${wanted} is not in the history of ${id} (history: ${list}; helm keeps --history-max revisions)` };
  return { to, already: to.revision === top.revision && to.status === 'deployed' };
}
