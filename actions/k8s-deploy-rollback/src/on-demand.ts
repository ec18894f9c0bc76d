// Rollback on demand (mode: rollback): workloads, or a Helm release, back to a chosen recorded revision —
// `kubectl rollout undo --to-revision` / `helm rollback` — then the same watch, smoke tests and
// diagnostics as a deploy, and the same safety net: a chosen revision that does not become healthy is
// undone again, back to the revisions recorded before (unless rollback: false). Result: rolled-back
// (healthy at the chosen revision) or failed.
import { core, UserError } from '@platform-actions/kit';
import { currentRevision, findWorkload, recordedRevisions, type RevisionRecord } from './classify.js';
import { Helm } from './helm.js';
import { recordFailed } from './helm-record.js';
import { refId, type WorkloadKind, type WorkloadRef } from './manifests.js';
import { type Before, chooseReleaseRevision, chooseRevision, lastDeployed, latest } from './plan.js';
import { restoreRecorded } from './restore.js';
import { rollout } from './rollout.js';
import type { Run } from './state.js';
import { releaseWorkloads, restoreRelease } from './strategy-helm.js';
import { settledRecords, snapshots } from './watch.js';

interface Move {
  ref: WorkloadRef;
  current: RevisionRecord;
  to: RevisionRecord;
  already: boolean;
}

/** The chosen revision of each workload, from what the cluster records; a revision it does not record is a config error. */
async function chooseMoves(run: Run, refs: WorkloadRef[]): Promise<Move[]> {
  const { s, k } = run;
  return core.group('Recorded revisions', async () => {
    const snaps = await snapshots(k, refs);
    return refs.map((ref) => {
      const snap = snaps.get(ref.namespace)!;
      const w = findWorkload(snap, ref);
      if (!w) throw new UserError(`workloads: ${ref.kind.toLowerCase()}/${ref.name} does not exist in namespace ${ref.namespace}`);
      const current = currentRevision(w, snap);
      const recorded = recordedRevisions(w, snap);
      const choice = chooseRevision(refId(ref), recorded, current, s.revision);
      if ('error' in choice) throw new UserError(choice.error);
      core.info(
        `${refId(ref)}: revision ${current.revision} (template ${current.templateHash || '?'}); recorded: ${recorded.map((r) => r.revision).join(', ')}; ${choice.already ? 'already runs' : 'back to'} revision ${choice.to.revision} (template ${choice.to.templateHash || '?'})`,
      );
      run.revisionsBefore[refId(ref)] = current.revision;
      return { ref, current, ...choice };
    });
  });
}

export async function rollBackWorkloads(run: Run, namespace: string, workloads: ReadonlyArray<{ kind: WorkloadKind; name: string }>): Promise<void> {
  const { k } = run;
  const refs: WorkloadRef[] = workloads.map((w) => ({ kind: w.kind, namespace, name: w.name }));
  run.facts.namespaces = [namespace];

  // 1. What each workload runs now, what the cluster still records, and the revision to go back to.
  const moves = await chooseMoves(run, refs);
  const before: Before[] = moves.map((m) => ({ ref: m.ref, record: m.current }));

  // 2. `rollout undo --to-revision` for each workload not already there.
  run.applyStarted = Date.now();
  await core.group('Rollback', async () => {
    for (const m of moves) {
      if (m.already) {
        core.info(`${refId(m.ref)}: already runs the template of revision ${m.to.revision}; not touched`);
        continue;
      }
      core.info(`${refId(m.ref)}: rollout undo --to-revision=${m.to.revision}`);
      try {
        await k.undo(m.ref, m.to.revision);
      } catch (e) {
        run.failure = { stage: 'apply', reason: 'UndoFailed', message: (e as Error).message, ref: m.ref, failingPods: [], detectedAt: Date.now() };
        return;
      }
    }
  });

  // 3. Watched and smoke-tested like a deploy; each must run the chosen revision's template.
  let after: Map<string, RevisionRecord | undefined>;
  let diagnostics: Promise<void> | undefined;
  let healthyAt = Date.now();
  if (run.failure) after = await settledRecords(k, refs, 20_000);
  else {
    const r = await rollout(run, refs);
    after = r.watched.records;
    diagnostics = r.diagnostics;
    healthyAt = r.watched.at;
    for (const m of moves) {
      const now = after.get(refId(m.ref));
      if (!run.failure && now && m.to.templateHash && now.templateHash !== m.to.templateHash) {
        run.failure = {
          stage: 'rollout',
          reason: 'TemplateChanged',
          message: `${refId(m.ref)} runs template ${now.templateHash} after the rollback, not revision ${m.to.revision}'s ${m.to.templateHash} (changed by someone else meanwhile?)`,
          ref: m.ref,
          failingPods: [],
          detectedAt: Date.now(),
        };
      }
    }
  }
  for (const m of moves) {
    const now = after.get(refId(m.ref));
    if (now) run.revisionsAfter[refId(m.ref)] = now.revision;
    run.facts.revisions.push({ workload: refId(m.ref), before: String(m.current.revision), after: now ? `${now.revision} (revision ${m.to.revision}'s template)` : '—' });
  }
  if (!run.failure) {
    run.facts.result = 'rolled-back';
    run.facts.timeToRestoreS = (healthyAt - run.applyStarted) / 1000;
    return;
  }

  // 4. The chosen revision failed: back to the revisions recorded before, unless told to leave it.
  await returnToBefore(run, () => restoreRecorded(run, before, after), diagnostics);
}

export async function rollBackRelease(run: Run, namespace: string, release: string): Promise<void> {
  const { s, k } = run;
  const helm = new Helm({ bin: s.helm, env: { KUBECONFIG: run.kubeconfig }, release, namespace });
  const id = `release/${namespace}/${release}`;
  run.facts.namespaces = [namespace];

  // 1. The release's history, and the revision to go back to.
  const history = await core.group('Release history', () => helm.history());
  const choice = chooseReleaseRevision(id, history, s.revision);
  if ('error' in choice) throw new UserError(choice.error);
  const before = lastDeployed(history);
  run.revisionsBefore[id] = (before ?? latest(history)!).revision;

  // 2. helm rollback (without helm's wait: the watch below fails fast), unless already there.
  run.applyStarted = Date.now();
  if (choice.already) core.info(`${id}: revision ${choice.to.revision} is the deployed one; not touched`);
  else {
    core.info(`helm rollback ${release} ${choice.to.revision}`);
    await core.group('helm rollback', () => helm.rollback(choice.to.revision, 120_000));
  }
  const now = latest(await helm.history())!;
  run.revisionsAfter[id] = now.revision;
  run.facts.revisions.push({ workload: id, before: String(run.revisionsBefore[id]), after: `${now.revision} (${now.description ?? now.status})` });

  // 3. Watched and smoke-tested like a deploy.
  const r = await rollout(run, await releaseWorkloads(helm, k, namespace));
  if (!run.failure) {
    run.facts.result = 'rolled-back';
    run.facts.timeToRestoreS = (r.watched.at - run.applyStarted) / 1000;
    return;
  }
  // helm's own record of a rollback whose wait failed: the new revision, failed.
  if (!choice.already)
    await recordFailed(k, { release, namespace, revision: now.revision, description: `Release "${release}" failed: ${run.failure.reason}: ${run.failure.message}` });

  // 4. Back to the revision deployed before, unless told to leave it.
  // With no deployed revision before (only failed ones), there is nothing to return to: never an uninstall.
  await returnToBefore(
    run,
    () => (before ? restoreRelease(run, helm, namespace, before, now) : Promise.resolve(void core.warning(`${id} had no deployed revision before; left as it is`))),
    r.diagnostics,
  );
}

/** A chosen revision that failed is undone (rollback: true); either way the rollback asked for did not happen. */
async function returnToBefore(run: Run, restore: () => Promise<void>, diagnostics: Promise<void> | undefined): Promise<void> {
  if (!run.s.rollback) core.warning('rollback: false — the workloads are left at the chosen revision, which failed');
  else await restore();
  run.facts.result = 'failed';
  await diagnostics;
}
