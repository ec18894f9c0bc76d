// k8s-deploy-rollback: deploy, watch, smoke-test, and restore the exact previous state. Reads like its
// table of contents: inputs → cluster → what will change (recorded) → apply → watch → smoke tests →
// on failure: diagnostics, rollback to the recorded revisions, watch the rollback → reports → pass/fail.
import { core, currentEvent, describeExit, failUnlessClean, type Finding, fingerprint, gate, keepToolError, oneLine, publish, ToolError, UserError } from '@platform-actions/kit';
import { atRevision, currentRevision, findWorkload, type RevisionRecord } from './classify.js';
import { Helm, type UpgradeArgs } from './helm.js';
import { Kubectl } from './kubectl.js';
import { relative } from 'node:path';
import { CLUSTER_SCOPED, findSources, type LoadedObject, loadFiles, parseDocuments, placeInNamespace, refId, substitute, unreplaced, type WorkloadRef } from './manifests.js';
import { createDeployment, type GitHubTarget, sendWebhook, setDeploymentStatus } from './notify.js';
import { type Before, isPending, lastDeployed, latest, planRollback } from './plan.js';
import { collectDiagnostics, type ReportFacts, type RollbackRow, renderDetails } from './report.js';
import { kubeconfigFromInputs, readSettings, type Settings, workspaceDir } from './settings.js';
import { commandCheck, httpCheck } from './smoke.js';
import { records, settledRecords, snapshots, watch, type WatchResult } from './watch.js';

export const ACTION = 'k8s-deploy-rollback';
const POLL_MS = 1000;

/** What went wrong with the deploy (not with the rollback). */
interface Failure {
  stage: 'apply' | 'rollout' | 'smoke';
  reason: string;
  message: string;
  ref?: WorkloadRef;
  failingPods: string[];
  detectedAt: number;
}

/** Everything the run learns, filled in phase by phase so a failure part-way still reports it. */
interface Run {
  s: Settings;
  k: Kubectl;
  started: number;
  applyStarted?: number;
  facts: ReportFacts;
  failure?: Failure;
  rollbackError?: string;
  toolErrors: string[];
  secrets: string[];
  revisionsBefore: Record<string, number>;
  revisionsAfter: Record<string, number>;
}

export async function main(): Promise<void> {
  // 1. Inputs, all validated before the cluster is touched.
  const s = readSettings();
  const kc = kubeconfigFromInputs();
  const k = new Kubectl({ bin: s.kubectl, env: { KUBECONFIG: kc.path }, fieldManager: s['field-manager'], serverSide: s['server-side'], forceConflicts: s['force-conflicts'] });
  const run: Run = {
    s,
    k,
    started: Date.now(),
    toolErrors: [],
    secrets: [s.token ?? '', s['webhook-url'] ?? ''].filter(Boolean),
    revisionsBefore: {},
    revisionsAfter: {},
    facts: { result: 'failed', mode: s.mode, namespaces: [], revisions: [], rollback: [], smoke: [], diagnostics: [], images: [] },
  };
  const gh = githubTarget(s);
  let deploymentId: number | undefined;
  try {
    // 2. Manifests read and checked locally, then the cluster answers (bounded retries) and gives the
    // namespace for objects that declare none.
    const objects = s.mode === 'manifests' ? await loadManifests(run) : [];
    const namespace = await core.group('Cluster', async () => {
      const version = await k.reachable();
      const ns = s.namespace ?? (await k.contextNamespace());
      core.info(`Kubernetes ${version} at ${(await k.serverUrl()) ?? '(server from kubeconfig)'}; namespace for objects without one: ${ns}`);
      return ns;
    });
    if (gh && s.environment) {
      deploymentId = await createDeployment(
        gh,
        currentEvent().sha || process.env.GITHUB_SHA || 'HEAD',
        s.environment,
        `${ACTION} ${s.mode === 'helm' ? s.release : s.manifests.join(', ')}`.slice(0, 140),
      );
      if (deploymentId) await setDeploymentStatus(gh, deploymentId, 'in_progress', 'deploying', runUrl(), s['environment-url']);
    }
    // 3–7. Deploy, watch, smoke-test; on failure roll back. ToolErrors are kept so reports still go out.
    try {
      if (s.mode === 'helm') await deployHelm(run, namespace, kc.path);
      else await deployManifests(run, namespace, { objects });
    } catch (e) {
      if (!(e instanceof ToolError)) {
        // A configuration problem found late (dry run, pending release): the GitHub deployment must not stay in_progress.
        if (gh && deploymentId) await setDeploymentStatus(gh, deploymentId, 'error', oneLine((e as Error).message), runUrl(), s['environment-url']);
        throw e;
      }
      keepToolError(ACTION, e, run.toolErrors);
    }
  } finally {
    kc.cleanup();
  }

  // 8. Outputs, notifications, reports; then pass or fail.
  finish(run);
  await notify(run, gh, deploymentId);
  // The cause goes into the failure line itself (a policy error), so the step says why in one line.
  const cause =
    run.failure && !run.rollbackError
      ? [`deploy failed (${run.failure.reason}): ${run.failure.message}${run.facts.result === 'rolled-back' ? ' — rolled back to the recorded revisions' : ''}`]
      : [];
  const g = gate({ findings: findings(run), failOn: 'high', toolErrors: run.toolErrors, policyErrors: cause });
  await publish({ action: ACTION, title: `Deploy (${s.mode === 'helm' ? `Helm release ${s.release}` : 'manifests'})`, gate: g, details: renderDetails(run.facts) });
  if (run.rollbackError) core.error(`ROLLBACK FAILED: ${run.rollbackError}. The cluster may still run the failed revision; act now.`);
  failUnlessClean(ACTION, g, 'high');
}

// ---- manifests ---------------------------------------------------------------------------------------

/** Manifests found, parsed and substituted before the cluster is touched; an unreplaced placeholder stops everything. */
async function loadManifests(run: Run): Promise<LoadedObject[]> {
  const { s, k } = run;
  const ws = workspaceDir();
  return core.group('Manifests', async () => {
    const sources = findSources(s.manifests, ws);
    const loaded: LoadedObject[] = loadFiles(sources, ws);
    for (const src of sources.filter((x) => x.kind === 'kustomize')) loaded.push(...parseDocuments(await k.kustomize(src.path), relative(ws, src.path) || '.'));
    if (loaded.length === 0) throw new UserError(`manifests: ${s.manifests.join(', ')} hold no Kubernetes objects`);
    const sub = substitute(loaded, s.images, s.placeholders);
    for (const rule of s.images) if (!sub.imagesReplaced.some((r) => r.rule === rule.name)) core.warning(`images: no container uses an image named ${rule.name}`);
    run.facts.images = sub.imagesReplaced.map((i) => ({ object: i.object, container: i.container, to: i.to }));
    const left = unreplaced(
      sub.objects,
      s.placeholders.map((p) => p.token),
    );
    if (left.length)
      throw new UserError(`manifests: ${left.length} value(s) still hold a placeholder, nothing was applied: ${left.slice(0, 3).join('; ')}${left.length > 3 ? '; …' : ''}`);
    core.info(`${sub.objects.length} objects from ${sources.length} source(s)`);
    return sub.objects;
  });
}

async function deployManifests(run: Run, namespace: string, local: { objects: LoadedObject[] }): Promise<void> {
  const { s, k } = run;

  // 3. Place the objects: the target namespace for those that declare none (never overriding one).
  const scoped = await k.clusterScopedKinds();
  const objects = local.objects;
  const refs = placeInNamespace(objects, namespace, (o) => scoped.has(o.kind) || CLUSTER_SCOPED.has(o.kind));
  core.info(`workloads: ${refs.map(refId).join(', ') || 'none'}`);
  run.facts.namespaces = [...new Set(refs.map((r) => r.namespace))];
  const stream = objects.map((o) => JSON.stringify(o.obj)).join('\n---\n');

  // 4. Server-side dry run of everything: a rejected object means nothing is applied.
  await core.group('Server-side dry run', async () => {
    const r = await k.dryRun(stream);
    if (r.exitCode !== 0) throw dryRunError(r.stderr || r.stdout, objects);
    core.info(r.stdout.trim());
  });

  // 5. Record, before applying, the revision of every workload the apply touches.
  const before: Before[] = await core.group('Record current revisions', async () => {
    const recs = records(refs, await snapshots(k, refs));
    return refs.map((ref) => {
      const rec = recs.get(refId(ref));
      core.info(`${refId(ref)}: ${rec ? `revision ${rec.revision} (template ${rec.templateHash || '?'})` : 'new'}`);
      if (rec) run.revisionsBefore[refId(ref)] = rec.revision;
      return { ref, record: rec };
    });
  });

  // 6. Apply, then watch every workload until ready, failed, or out of time.
  run.applyStarted = Date.now();
  const applied = await core.group('Apply', async () => {
    const r = await k.apply(stream);
    core.info((r.stdout + r.stderr).trim());
    return r;
  });
  let after: Map<string, RevisionRecord | undefined>;
  let diagnostics: Promise<void> | undefined;
  if (applied.exitCode !== 0 || applied.timedOut) {
    const line = (
      applied.stderr
        .trim()
        .split('\n')
        .find((l) => /^error|Error from server/i.test(l)) ??
      (applied.stderr.trim().split('\n').pop() || describeExit(applied))
    ).slice(0, 500);
    run.failure = { stage: 'apply', reason: 'ApplyFailed', message: `kubectl apply failed part-way: ${line}`, failingPods: [], detectedAt: Date.now() };
    after = await settledRecords(k, refs, 20_000);
  } else {
    const w = await core.group('Rollout', () => watch(k, refs, { deadline: watchDeadline(run), intervalMs: POLL_MS, thresholds: thresholds(s), label: 'rollout' }));
    after = w.records;
    if (w.outcome !== 'ready') run.failure = rolloutFailure(w);
    else await smokeTests(run);
    // Diagnostics are read while the rollback starts (not before it: time to restore matters more),
    // early enough that the failing pods and their logs are still there.
    if (run.failure) diagnostics = startDiagnostics(run, run.failure.ref ? [run.failure.ref] : refs, w.snapshots);
  }
  for (const b of before) {
    const a = after.get(refId(b.ref));
    if (a) run.revisionsAfter[refId(b.ref)] = a.revision;
    run.facts.revisions.push({ workload: refId(b.ref), before: b.record ? String(b.record.revision) : 'new', after: a ? String(a.revision) : '—' });
  }

  if (!run.failure) {
    run.facts.result = 'deployed';
    if (s.annotate)
      await core.group('Record change cause', async () => {
        for (const ref of refs) await k.annotate(ref, changeCause());
      });
    return;
  }
  if (!s.rollback) {
    core.warning('rollback: false — the failed revision is left running');
    await diagnostics;
    return;
  }

  // 7. Roll back exactly what this deploy changed, to the recorded revisions, and watch it get healthy.
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
  await diagnostics;
}

function dryRunError(stderr: string, objects: readonly LoadedObject[]): UserError {
  const line =
    stderr
      .trim()
      .split('\n')
      .find((l) => /error|invalid|no matches|not found|denied/i.test(l)) ??
    stderr.trim().split('\n')[0] ??
    'rejected';
  const kind = /no matches for kind "([^"]+)" in version "([^"]+)"/.exec(stderr);
  if (kind) {
    const src = objects.find((o) => o.obj.kind === kind[1]);
    return new UserError(`manifests: ${src ? `${src.source} document ${src.doc}: ` : ''}kind ${kind[1]} (apiVersion ${kind[2]}) is not known to the cluster; nothing was applied`);
  }
  return new UserError(`manifests: the server-side dry run rejected them, nothing was applied: ${line.replace(/^error:\s*/i, '').slice(0, 400)}`);
}

// ---- helm --------------------------------------------------------------------------------------------

async function deployHelm(run: Run, namespace: string, kubeconfig: string): Promise<void> {
  const { s, k } = run;
  const helm = new Helm({ bin: s.helm, env: { KUBECONFIG: kubeconfig }, release: s.release!, namespace });
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
  let w: WatchResult | undefined;
  let refs: WorkloadRef[] = [];
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
    refs = await releaseWorkloads(helm, k, namespace);
    w = await core.group('Rollout', () => watch(k, refs, { deadline: watchDeadline(run), intervalMs: POLL_MS, thresholds: thresholds(s), label: 'rollout' }));
    if (w.outcome !== 'ready') run.failure = rolloutFailure(w);
    else await smokeTests(run);
    if (run.failure) diagnostics = startDiagnostics(run, run.failure.ref ? [run.failure.ref] : refs, w.snapshots);
  }
  const now = latest(await helm.history());
  if (now) run.revisionsAfter[`release/${namespace}/${s.release}`] = now.revision;
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
  await core.group('Rollback', async () => {
    const row: RollbackRow = {
      workload: `release/${namespace}/${s.release}`,
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
      core.info(`helm rollback ${s.release} ${before.revision}`);
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
  await diagnostics;
}

async function releaseWorkloads(helm: Helm, k: Kubectl, namespace: string): Promise<WorkloadRef[]> {
  const objects = parseDocuments(await helm.manifest(), 'helm get manifest');
  const scoped = await k.clusterScopedKinds();
  return placeInNamespace(objects, namespace, (o) => scoped.has(o.kind) || CLUSTER_SCOPED.has(o.kind));
}

// ---- shared phases -----------------------------------------------------------------------------------

/** Reads diagnostics in the background; a failure to read them is a warning, never the deploy's result. */
function startDiagnostics(run: Run, refs: WorkloadRef[], snaps: WatchResult['snapshots']): Promise<void> {
  return collectDiagnostics(run.k, refs, snaps, run.failure?.failingPods ?? [], run.secrets).then(
    (d) => void (run.facts.diagnostics = d),
    (e: Error) => core.warning(`diagnostics incomplete: ${e.message}`),
  );
}

const thresholds = (s: Settings) => ({ crashLoopRestarts: s['crashloop-restarts'], readinessGraceMs: s.readinessGraceMs });

/** Time kept back from the rollout watch for a rollback: a third of the timeout, at most 2 minutes. */
const reserveMs = (run: Run): number => Math.min(120_000, run.s.timeoutMs / 3);
const watchDeadline = (run: Run): number => run.started + run.s.timeoutMs - (run.s.rollback ? reserveMs(run) : 0);
const rollbackDeadline = (run: Run): number => Math.max(run.started + run.s.timeoutMs, Date.now() + 30_000);

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

function changeCause(): Record<string, string> {
  const e = currentEvent();
  return {
    'platform-actions.dev/deployed-commit': e.sha || process.env.GITHUB_SHA || 'unknown',
    ...(runUrl() ? { 'platform-actions.dev/deployed-by': runUrl()! } : {}),
  };
}

function runUrl(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = process.env;
  return server && repo && id ? `${server}/${repo}/actions/runs/${id}` : undefined;
}

function githubTarget(s: Settings): GitHubTarget | undefined {
  const [owner, repo] = (process.env.GITHUB_REPOSITORY ?? '').split('/');
  if (!s['github-deployment'] || !s.token || !owner || !repo) return undefined;
  return { apiUrl: (process.env.GITHUB_API_URL || 'https://api.github.com').replace(/\/$/, ''), owner, repo, token: s.token };
}

function finish(run: Run): void {
  const f = run.facts;
  if (run.failure) f.cause = `${run.failure.reason}: ${run.failure.message}`;
  if (run.rollbackError) {
    f.result = 'failed';
    f.rollbackProblem = run.rollbackError;
  }
  if (run.toolErrors.length && f.result !== 'deployed') f.result = 'failed';
  if (run.failure && run.applyStarted) f.timeToDetectS = (run.failure.detectedAt - run.applyStarted) / 1000;
  core.setOutput('result', run.toolErrors.length && !run.failure ? 'failed' : f.result);
  core.setOutput('revisions-before', JSON.stringify(run.revisionsBefore));
  core.setOutput('revisions-after', JSON.stringify(run.revisionsAfter));
  core.setOutput('failure-reason', run.failure ? run.failure.reason : '');
  core.setOutput('time-to-detect', f.timeToDetectS !== undefined ? f.timeToDetectS.toFixed(1) : '');
  core.setOutput('time-to-restore', f.timeToRestoreS !== undefined ? f.timeToRestoreS.toFixed(1) : '');
}

/** The run's findings: the deploy's failure and a failed rollback (their fingerprints are pinned by test/fingerprints.test.ts). */
export function findings(run: Pick<Run, 'failure' | 'rollbackError'>): Finding[] {
  const out: Finding[] = [];
  const mk = (ruleId: string, severity: Finding['severity'], title: string, message: string, object?: string): Finding => ({
    tool: ACTION,
    ruleId,
    severity,
    title,
    message,
    fingerprint: fingerprint(ACTION, ruleId, object),
    properties: object ? { object } : undefined,
  });
  if (run.failure) out.push(mk(run.failure.reason, 'high', `Deploy failed (${run.failure.stage})`, run.failure.message, run.failure.ref && refId(run.failure.ref)));
  if (run.rollbackError) out.push(mk('RollbackFailed', 'critical', 'Rollback failed', run.rollbackError));
  return out;
}

async function notify(run: Run, gh: GitHubTarget | undefined, deploymentId: number | undefined): Promise<void> {
  const f = run.facts;
  if (gh && deploymentId) {
    const state = f.result === 'deployed' ? 'success' : run.toolErrors.length && !run.failure ? 'error' : 'failure';
    await setDeploymentStatus(
      gh,
      deploymentId,
      state,
      f.result === 'deployed' ? 'deployed' : `${f.result}: ${f.cause ?? run.toolErrors[0] ?? ''}`,
      runUrl(),
      run.s['environment-url'],
    );
  }
  const url = run.s['webhook-url'];
  if (url && f.result !== 'deployed') {
    const text = `${ACTION}: ${f.result === 'rolled-back' ? 'deploy failed and was rolled back' : 'deploy FAILED'}${run.rollbackError ? ' — ROLLBACK FAILED' : ''}. ${f.cause ?? run.toolErrors[0] ?? ''}${runUrl() ? ` ${runUrl()}` : ''}`;
    await sendWebhook(url, {
      text,
      result: f.result,
      cause: f.cause,
      rollbackError: run.rollbackError,
      revisionsBefore: run.revisionsBefore,
      revisionsAfter: run.revisionsAfter,
      timeToDetect: f.timeToDetectS,
      timeToRestore: f.timeToRestoreS,
      runUrl: runUrl(),
      repository: process.env.GITHUB_REPOSITORY,
    });
  }
}
