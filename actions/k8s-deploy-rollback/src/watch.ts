// The watcher: polls every workload (one `kubectl get` per namespace per tick), prints a progress line
// when something changes, and returns as soon as every workload is ready, one has failed for a reason
// that will not heal, or the deadline passes. Polling rather than `kubectl rollout status`: that waits
// out the progress deadline (600 s by default) before it says anything.
import { core } from '@platform-actions/kit';
import { classify, currentRevision, findWorkload, type RevisionRecord, type Snapshot, type Thresholds, type Verdict } from './classify.js';
import { refId, type WorkloadRef } from './manifests.js';
import type { Kubectl } from './kubectl.js';

export interface WatchOptions {
  /** Epoch ms after which the watch gives up. */
  deadline: number;
  intervalMs: number;
  thresholds: Thresholds;
  /** Prefix for progress lines, e.g. "rollout" or "rollback". */
  label: string;
}

export interface WatchResult {
  outcome: 'ready' | 'failed' | 'timeout';
  failed?: { ref: WorkloadRef; verdict: Verdict };
  verdicts: Map<string, Verdict>;
  records: Map<string, RevisionRecord | undefined>;
  /** The last snapshot per namespace, for diagnostics. */
  snapshots: Map<string, Snapshot>;
  /** Epoch ms when the outcome was known. */
  at: number;
}

export const namespaces = (refs: readonly WorkloadRef[]): string[] => [...new Set(refs.map((r) => r.namespace))];

export async function snapshots(k: Kubectl, refs: readonly WorkloadRef[]): Promise<Map<string, Snapshot>> {
  const out = new Map<string, Snapshot>();
  for (const ns of namespaces(refs)) out.set(ns, await k.snapshot(ns));
  return out;
}

/** The recorded revision of every workload (undefined when it does not exist). */
export function records(refs: readonly WorkloadRef[], snaps: Map<string, Snapshot>): Map<string, RevisionRecord | undefined> {
  const m = new Map<string, RevisionRecord | undefined>();
  for (const r of refs) {
    const s = snaps.get(r.namespace);
    const w = s && findWorkload(s, r);
    m.set(refId(r), w && s ? currentRevision(w, s) : undefined);
  }
  return m;
}

/**
 * Revisions once every controller has observed the latest spec (bounded by `maxWaitMs`): right after an
 * apply, a Deployment's revision annotation moves only when its controller syncs.
 */
export async function settledRecords(k: Kubectl, refs: readonly WorkloadRef[], maxWaitMs: number): Promise<Map<string, RevisionRecord | undefined>> {
  const until = Date.now() + maxWaitMs;
  for (;;) {
    const recs = records(refs, await snapshots(k, refs));
    if ([...recs.values()].every((r) => !r || r.observed) || Date.now() > until) return recs;
    await sleep(500);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const progressLine = (ref: WorkloadRef, v: Verdict, rec: RevisionRecord | undefined): string => {
  const p = v.progress;
  const state = v.phase === 'ready' ? 'ready' : v.phase === 'failed' ? `FAILED: ${v.reason}` : (v.message ?? 'progressing');
  return `${ref.kind}/${ref.namespace}/${ref.name}${rec?.revision ? ` rev ${rec.revision}` : ''}: ${p.updated}/${p.desired} updated, ${p.ready} ready, ${p.available} available — ${state}`;
};

export async function watch(k: Kubectl, refs: readonly WorkloadRef[], o: WatchOptions): Promise<WatchResult> {
  const verdicts = new Map<string, Verdict>();
  const recs = new Map<string, RevisionRecord | undefined>();
  const lines = new Map<string, string>();
  let snaps = new Map<string, Snapshot>();
  let errors = 0;
  for (;;) {
    // A brief API hiccup must not end the watch (and skip the rollback): 3 failed reads in a row do.
    try {
      snaps = await snapshots(k, refs);
      errors = 0;
    } catch (e) {
      if (++errors >= 3 || Date.now() >= o.deadline) throw e;
      core.warning(`could not read the workloads (${(e as Error).message}); retrying`);
      await sleep(o.intervalMs);
      continue;
    }
    const now = Date.now();
    let allReady = true;
    for (const ref of refs) {
      const id = refId(ref);
      const s = snaps.get(ref.namespace)!;
      const w = findWorkload(s, ref);
      const v: Verdict = w
        ? classify(w, s, now, o.thresholds)
        : { phase: 'waiting', message: 'not found yet', progress: { desired: 0, updated: 0, ready: 0, available: 0 }, failingPods: [] };
      verdicts.set(id, v);
      recs.set(id, w ? currentRevision(w, s) : undefined);
      const line = progressLine(ref, v, recs.get(id));
      if (lines.get(id) !== line) {
        lines.set(id, line);
        core.info(`[${o.label} ${new Date(now).toISOString().slice(11, 19)}] ${line}`);
      }
      if (v.phase === 'failed') return { outcome: 'failed', failed: { ref, verdict: v }, verdicts, records: recs, snapshots: snaps, at: now };
      if (v.phase !== 'ready') allReady = false;
    }
    if (allReady) return { outcome: 'ready', verdicts, records: recs, snapshots: snaps, at: now };
    if (now >= o.deadline) return { outcome: 'timeout', verdicts, records: recs, snapshots: snaps, at: now };
    await sleep(Math.min(o.intervalMs, Math.max(0, o.deadline - now)));
  }
}
