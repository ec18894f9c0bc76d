// After the change is made: watch every workload until ready, failed or out of time, then the smoke
// tests; on a failure, start reading diagnostics while the rollback begins. Shared by both strategies.
import { core } from '@platform-actions/kit';
import type { WorkloadRef } from './manifests.js';
import { collectDiagnostics } from './report.js';
import { workspaceDir } from './settings.js';
import { commandCheck, httpCheck } from './smoke.js';
import { type Failure, POLL_MS, type Run, thresholds, watchDeadline } from './state.js';
import { refId } from './manifests.js';
import { watch, type WatchResult } from './watch.js';

interface Rollout {
  watched: WatchResult;
  /** Diagnostics being read in the background after a failure; await before reporting. */
  diagnostics?: Promise<void>;
}

/** Watches `refs` with the fail-fast rules, then smoke-tests; sets run.failure when either fails. */
export async function rollout(run: Run, refs: WorkloadRef[]): Promise<Rollout> {
  const { s, k } = run;
  const w = await core.group('Rollout', () => watch(k, refs, { deadline: watchDeadline(run), intervalMs: POLL_MS, thresholds: thresholds(s), label: 'rollout' }));
  if (w.outcome !== 'ready') run.failure = rolloutFailure(w);
  else await smokeTests(run);
  // Diagnostics are read while the rollback starts (not before it: time to restore matters more),
  // early enough that the failing pods and their logs are still there.
  const diagnostics = run.failure ? startDiagnostics(run, run.failure.ref ? [run.failure.ref] : refs, w.snapshots) : undefined;
  return { watched: w, diagnostics };
}

/** Reads diagnostics in the background; a failure to read them is a warning, never the deploy's result. */
function startDiagnostics(run: Run, refs: WorkloadRef[], snaps: WatchResult['snapshots']): Promise<void> {
  return collectDiagnostics(run.k, refs, snaps, run.failure?.failingPods ?? [], run.secrets).then(
    (d) => void (run.facts.diagnostics = d),
    (e: Error) => core.warning(`diagnostics incomplete: ${e.message}`),
  );
}

function rolloutFailure(w: WatchResult): Failure {
  if (w.outcome === 'failed' && w.failed) {
    return {
      stage: 'rollout',
      reason: w.failed.verdict.reason ?? 'Failed',
      message: `${refId(w.failed.ref)}: ${w.failed.verdict.message ?? w.failed.verdict.reason}`,
      ref: w.failed.ref,
      failingPods: w.failed.verdict.failingPods,
      detectedAt: w.at,
    };
  }
  const waiting = [...w.verdicts.entries()].filter(([, v]) => v.phase !== 'ready').map(([id, v]) => `${id} (${v.progress.ready}/${v.progress.desired} ready)`);
  return { stage: 'rollout', reason: 'Timeout', message: `timed out waiting for ${waiting.join(', ')}`, failingPods: [], detectedAt: w.at };
}

async function smokeTests(run: Run): Promise<void> {
  const { smoke } = run.s;
  if (!smoke.url && !smoke.command) return;
  await core.group('Smoke tests', async () => {
    if (smoke.url) {
      const r = await httpCheck({ url: smoke.url, status: smoke.status, body: smoke.body, retries: smoke.retries, timeoutMs: Math.min(smoke.timeoutMs, 30_000) });
      run.facts.smoke.push(r.line);
      core.info(r.line);
      if (!r.ok) run.failure = { stage: 'smoke', reason: 'SmokeTestFailed', message: `smoke test ${r.line}`, failingPods: [], detectedAt: Date.now() };
    }
    if (smoke.command && !run.failure) {
      const r = await commandCheck(smoke.command, smoke.timeoutMs, workspaceDir());
      run.facts.smoke.push(r.line);
      core.info(r.line);
      if (r.output) core.info(r.output);
      if (!r.ok) run.failure = { stage: 'smoke', reason: 'SmokeTestFailed', message: `smoke command ${r.line}`, failingPods: [], detectedAt: Date.now() };
    }
  });
}
