// The manifests strategy: files, directories, globs and kustomize directories read and checked before
// the cluster is asked anything (placeholders, near misses); then, on the cluster: one definition per
// object, a server-side dry run, the revisions recorded, the apply, the rollout, and on failure the
// recorded revisions restored.
import { core, currentEvent, describeExit, UserError } from '@platform-actions/kit';
import { relative } from 'node:path';
import type { RevisionRecord } from './classify.js';
import { uniqueObjects } from './duplicates.js';
import { CLUSTER_SCOPED, findSources, type K8sObject, type LoadedObject, loadFiles, parseDocuments, placeInNamespace, refId, substitute } from './manifests.js';
import { placeholderError, placeholderHits } from './placeholders.js';
import type { Before } from './plan.js';
import { restoreRecorded } from './restore.js';
import { rollout } from './rollout.js';
import { workspaceDir } from './settings.js';
import type { Run } from './state.js';
import { records, settledRecords, snapshots } from './watch.js';

/** Manifests found, parsed and substituted before the cluster is touched; an unreplaced placeholder stops everything. */
export async function loadManifests(run: Run): Promise<LoadedObject[]> {
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
    // Leftover placeholders and near misses of them (typos substitution skipped) stop the deploy here.
    const left = placeholderHits(
      sub.objects,
      s.placeholders.map((p) => p.token),
    );
    if (left.length) throw placeholderError(left);
    core.info(`${sub.objects.length} objects from ${sources.length} source(s)`);
    return sub.objects;
  });
}

export async function deployManifests(run: Run, namespace: string, local: { objects: LoadedObject[] }): Promise<void> {
  const { s, k } = run;

  // 3. Place the objects: the target namespace for those that declare none (never overriding one).
  const scoped = await k.clusterScopedKinds();
  const isClusterScoped = (o: K8sObject): boolean => scoped.has(o.kind) || CLUSTER_SCOPED.has(o.kind);
  // One object defined in two places is applied once when the definitions are equal, else refused.
  const objects = uniqueObjects(
    local.objects,
    (o) => o.metadata.namespace ?? (isClusterScoped(o) ? '' : namespace),
    (line) => core.info(line),
  );
  const refs = placeInNamespace(objects, namespace, isClusterScoped);
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
    const r = await rollout(run, refs);
    after = r.watched.records;
    diagnostics = r.diagnostics;
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
  await restoreRecorded(run, before, after);
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

function changeCause(): Record<string, string> {
  const e = currentEvent();
  return {
    'platform-actions.dev/deployed-commit': e.sha || 'unknown',
    ...(e.runUrl ? { 'platform-actions.dev/deployed-by': e.runUrl } : {}),
  };
}
