// The Helm strategy: the release's history read (a release stuck in pending-* refused or recovered),
// a server-side dry run, `helm upgrade --install` without helm's wait, the rollout watched with the
// fail-fast rules; on failure the revision recorded failed as helm records one, and `helm rollback` to
// the last deployed revision (a failed first install is uninstalled).
import { core, describeExit, UserError } from '@platform-actions/kit';
import { Helm, type UpgradeArgs } from './helm.js';
import { recordFailed } from './helm-record.js';
import type { Kubectl } from './kubectl.js';
import { CLUSTER_SCOPED, parseDocuments, placeInNamespace, type WorkloadRef } from './manifests.js';
import { type HelmRevision, isPending, lastDeployed, latest } from './plan.js';
import type { RollbackRow } from './report.js';
import { rollout } from './rollout.js';
import { POLL_MS, rollbackDeadline, type Run, thresholds } from './state.js';
import { watch } from './watch.js';

export async function deployHelm(run: Run, namespace: string): Promise<void> {
  const { s, k } = run;
  const helm = new Helm({ bin: s.helm, env: { KUBECONFIG: run.kubeconfig }, release: s.release!, namespace });
  const u: UpgradeArgs = { chart: s.chart!, valuesFiles: s['values-files'], set: s.set, version: s['chart-version'] };
  run.facts.namespaces = [namespace];

  // 3. The release's history: refuse a release stuck in pending-* unless told how to recover.
  const history = await core.group('Release history', async () => {
    let h = await helm.history();
    const top = latest(h);
    if (isPending(top)) {
      const good = lastDeployed(h);
      if (s['pending-release'] !== 'rollback' || !good) {
        throw new UserError(
          `release ${s.release} is stuck in ${top!.status} (revision ${top!.revision}), so helm would refuse to upgrade it; set pending-release: rollback ${good ? `to roll it back to revision ${good.revision} (the last deployed) first` : 'only helps with a deployed revision to return to, and there is none: uninstall the release by hand'}`,
        );
      }
      core.info(`release ${s.release} is stuck in ${top!.status} (revision ${top!.revision}); pending-release: rollback → helm rollback to revision ${good.revision}`);
      await helm.rollback(good.revision, 120_000);
      h = await helm.history();
    }
    const d = lastDeployed(h);
    core.info(d ? `last deployed revision: ${d.revision} (${d.chart ?? ''})` : `release ${s.release} has no deployed revision: this is a first install`);
    return h;
  });
  const before = lastDeployed(history);
  if (before) run.revisionsBefore[`release/${namespace}/${s.release}`] = before.revision;

  await core.group('Server-side dry run', () => helm.dryRun(u));

  // 4. Upgrade without helm's own wait, then watch the release's workloads with the fail-fast rules.
  run.applyStarted = Date.now();
  const r = await core.group('helm upgrade --install', async () => {
    const res = await helm.upgrade(u, 120_000);
    core.info((res.stdout + res.stderr).trim());
    return res;
  });
  let diagnostics: Promise<void> | undefined;
  if (r.exitCode !== 0) {
    run.failure = {
      stage: 'apply',
      reason: 'HelmUpgradeFailed',
      message: `helm upgrade failed: ${(r.stderr.trim().split('\n').pop() || describeExit(r)).slice(0, 400)}`,
      failingPods: [],
      detectedAt: Date.now(),
    };
  } else {
    diagnostics = (await rollout(run, await releaseWorkloads(helm, k, namespace))).diagnostics;
  }
  const now = latest(await helm.history());
  if (now) run.revisionsAfter[`release/${namespace}/${s.release}`] = now.revision;
  // helm saw its upgrade succeed (it did not wait); a failed rollout or smoke test is recorded in the
  // release history as helm records a failed upgrade. A failed first install about to be uninstalled
  // leaves no history to record it in.
  if (run.failure && r.exitCode === 0 && now?.status === 'deployed' && (before || !s.rollback)) {
    const why = `${run.failure.reason}: ${run.failure.message}`;
    const description = before ? `Upgrade "${s.release}" failed: ${why}` : `Release "${s.release}" failed: ${why}`;
    if (await recordFailed(k, { release: s.release!, namespace, revision: now.revision, description })) now.status = 'failed';
  }
  run.facts.revisions.push({
    workload: `release/${namespace}/${s.release}`,
    before: before ? String(before.revision) : 'new',
    after: now ? `${now.revision} (${now.status})` : '—',
  });

  if (!run.failure) {
    run.facts.result = 'deployed';
    return;
  }
  if (!s.rollback) {
    core.warning('rollback: false — the failed release revision is left running');
    await diagnostics;
    return;
  }
  // 5. helm rollback to the recorded last-deployed revision (a failed first install is uninstalled).
  await restoreRelease(run, helm, namespace, before, now);
  await diagnostics;
}

export async function releaseWorkloads(helm: Helm, k: Kubectl, namespace: string): Promise<WorkloadRef[]> {
  const objects = parseDocuments(await helm.manifest(), 'helm get manifest');
  const scoped = await k.clusterScopedKinds();
  return placeInNamespace(objects, namespace, (o) => scoped.has(o.kind) || CLUSTER_SCOPED.has(o.kind));
}

/**
 * helm rollback to `before` (the revision deployed before the change), watched until its workloads are
 * healthy; without one, the change was a first install, and it is uninstalled.
 */
export async function restoreRelease(run: Run, helm: Helm, namespace: string, before: HelmRevision | undefined, now: HelmRevision | undefined): Promise<void> {
  const { s, k } = run;
  const release = helm.o.release;
  await core.group('Rollback', async () => {
    const row: RollbackRow = {
      workload: `release/${namespace}/${release}`,
      from: now ? String(now.revision) : '—',
      to: before ? String(before.revision) : 'uninstall',
      result: '',
    };
    run.facts.rollback.push(row);
    try {
      if (!before) {
        await helm.uninstall(120_000);
        row.result = 'uninstalled (first install failed)';
        run.facts.result = 'rolled-back';
        run.facts.timeToRestoreS = (Date.now() - run.applyStarted!) / 1000;
        return;
      }
      core.info(`helm rollback ${release} ${before.revision}`);
      await helm.rollback(before.revision, 120_000);
      const back = await releaseWorkloads(helm, k, namespace);
      const rw = await watch(k, back, { deadline: rollbackDeadline(run), intervalMs: POLL_MS, thresholds: thresholds(s), label: 'rollback' });
      const top = latest(await helm.history());
      if (rw.outcome !== 'ready') throw new Error(`the workloads of revision ${before.revision} did not become healthy (${rw.failed?.verdict.message ?? rw.outcome})`);
      row.result = `healthy (release now at revision ${top?.revision}, a copy of ${before.revision})`;
      run.facts.result = 'rolled-back';
      run.facts.timeToRestoreS = (rw.at - run.applyStarted!) / 1000;
    } catch (e) {
      row.result = `FAILED: ${(e as Error).message}`;
      run.rollbackError = (e as Error).message;
    }
  });
}
