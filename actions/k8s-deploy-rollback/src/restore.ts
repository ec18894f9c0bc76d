// Roll back exactly what a change moved, to the revisions recorded before it, and watch them get
// healthy on the recorded template: `kubectl rollout undo --to-revision=<recorded>` per workload, never
// "undo to previous" (plan.ts decides which). The rollback's own problems go to run.rollbackError.
import { core } from '@platform-actions/kit';
import { atRevision, currentRevision, findWorkload, type RevisionRecord } from './classify.js';
import { refId, type WorkloadRef } from './manifests.js';
import { type Before, planRollback } from './plan.js';
import { POLL_MS, rollbackDeadline, type Run, thresholds } from './state.js';
import { snapshots, watch } from './watch.js';

export async function restoreRecorded(run: Run, before: readonly Before[], after: ReadonlyMap<string, RevisionRecord | undefined>): Promise<void> {
  const { s, k } = run;
  await core.group('Rollback', async () => {
    const plan = planRollback(before, after);
    const undone: WorkloadRef[] = [];
    for (const step of plan) {
      if (step.action === 'keep') {
        run.facts.rollback.push({ workload: refId(step.ref), from: '—', to: '—', result: `not touched: ${step.why}` });
        continue;
      }
      core.info(`${refId(step.ref)}: rollout undo --to-revision=${step.toRevision} (now at ${step.fromRevision})`);
      try {
        await k.undo(step.ref, step.toRevision);
        undone.push(step.ref);
        run.facts.rollback.push({ workload: refId(step.ref), from: String(step.fromRevision), to: String(step.toRevision), result: 'undo sent' });
      } catch (e) {
        run.rollbackError = (e as Error).message;
        run.facts.rollback.push({ workload: refId(step.ref), from: String(step.fromRevision), to: String(step.toRevision), result: `undo failed: ${(e as Error).message}` });
      }
    }
    if (undone.length === 0 && !run.rollbackError) {
      core.info('Nothing to roll back: the deploy changed no workload revision.');
      run.facts.result = plan.some((p) => p.action === 'keep' && /created by this deploy/.test(p.why)) ? 'failed' : 'rolled-back';
      run.facts.timeToRestoreS = (Date.now() - run.applyStarted!) / 1000;
      return;
    }
    // A StatefulSet does not replace a pod of the bad revision that never became Ready (kubernetes
    // "forced rollback"), so those pods are deleted once the template is reverted.
    for (const step of plan) {
      if (step.action !== 'undo' || step.ref.kind !== 'StatefulSet') continue;
      const snap = (await snapshots(k, [step.ref])).get(step.ref.namespace)!;
      const bad = after.get(refId(step.ref))?.templateHash;
      await k.deletePods(
        step.ref.namespace,
        snap.pods.filter((p) => bad && atRevision(p, step.ref.name, bad) && p.metadata.ownerReferences?.some((o) => o.name === step.ref.name)).map((p) => p.metadata.name),
      );
    }
    const w = await watch(k, undone, { deadline: rollbackDeadline(run), intervalMs: POLL_MS, thresholds: thresholds(s), label: 'rollback' });
    const snaps = w.snapshots;
    for (const row of run.facts.rollback) {
      const step = plan.find((p) => refId(p.ref) === row.workload);
      if (!step || step.action !== 'undo' || !undone.includes(step.ref)) continue;
      const wl = findWorkload(snaps.get(step.ref.namespace)!, step.ref);
      const now = wl ? currentRevision(wl, snaps.get(step.ref.namespace)!) : undefined;
      const same = now?.templateHash === step.templateHash || !step.templateHash;
      const verdict = w.verdicts.get(row.workload);
      const healthy = verdict?.phase === 'ready' && same;
      row.result = healthy
        ? `healthy, template ${now?.templateHash ?? '?'} as recorded (now revision ${now?.revision})`
        : `NOT healthy: ${verdict?.reason ?? (same ? w.outcome : 'template differs from the recorded one')}`;
      if (!healthy) run.rollbackError ??= `${row.workload} did not become healthy at revision ${step.toRevision} (${verdict?.message ?? verdict?.reason ?? w.outcome})`;
    }
    if (!run.rollbackError) {
      run.facts.result = 'rolled-back';
      run.facts.timeToRestoreS = (w.at - run.applyStarted!) / 1000;
    }
  });
}
