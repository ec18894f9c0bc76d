// Rollback planning, pure: from what was recorded before the apply and what is there after it, which
// workloads get `rollout undo --to-revision=<recorded>`. Only workloads whose revision the deploy moved
// are touched: a plain "undo to previous" after an apply that changed nothing would roll a healthy
// workload back to an older release.
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
