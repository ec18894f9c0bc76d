// k8s-deploy-rollback end to end in manifests mode: the bundled action under Node 24 through the local
// runner, against the harness's real control plane (etcd, kube-apiserver, controller-manager, scheduler,
// kwok nodes whose pods misbehave on request). One cluster for the file, one namespace per test.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeGitHub, startFakeGitHub } from '../../../test/harness/services/fake-github.js';
import { type KubeCluster, startKubeCluster } from '../../../test/harness/services/kube.js';
import { clusterCases } from './bad-inputs.cases.js';
import { deploy, deploymentState, kjson, namespace, ok, rolloutOk, workload, workspace, yamlStream } from './cluster.js';
import { buildBundle, kubectlBin, repoRoot } from './helpers.js';

jest.setTimeout(240_000);

let kube: KubeCluster;
let gh: FakeGitHub;
let http: Server;
let httpBase: string;
const hooks: unknown[] = [];

beforeAll(async () => {
  buildBundle();
  [kube, gh] = await Promise.all([startKubeCluster(), startFakeGitHub()]);
  http = createServer((req, res) => {
    if (req.url === '/healthz-broken') return void res.writeHead(503).end('{"status":"degraded"}');
    if (req.url === '/hook') {
      let b = '';
      req.on('data', (d) => (b += d));
      req.on('end', () => {
        hooks.push(JSON.parse(b));
        res.writeHead(200).end('ok');
      });
      return;
    }
    res.writeHead(200).end('{"status":"ok"}');
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  httpBase = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  http?.closeAllConnections();
  await new Promise((r) => http?.close(r));
  await gh?.stop();
  await kube?.stop();
});

const v = (name: string, tag: string, behaviour?: string, extra: Parameters<typeof workload>[1] = {}) =>
  workload(name, { image: `registry.example.com/${name}:${tag}`, behaviour, ...extra });

/** Deploys v1 of `web` with kubectl (the state before the deploy under test) and returns its state. */
async function seed(ns: string, objs = [v('web', '1.0')]) {
  await ok(kube, ['apply', '-n', ns, '-f', '-'], yamlStream(objs));
  for (const o of objs) await rolloutOk(kube, ns, `${String(o.kind).toLowerCase()}/${(o.metadata as { name: string }).name}`);
  return deploymentState(kube, ns, 'web').catch(() => undefined);
}

describe('manifests mode', () => {
  test('a good deploy of the example with the release tag substituted and an image override', async () => {
    const ns = await namespace(kube, 'good');
    const ws = mkdtempSync(join(tmpdir(), 'k8s-e2e-example-'));
    cpSync(join(repoRoot, 'examples', 'trading-service-deploy'), ws, { recursive: true });
    const r = await deploy(kube, ws, {
      manifests: 'k8s',
      namespace: ns,
      placeholders: 'VERSION_PLACEHOLDER=v1.4.2',
      images: 'strategy-worker=registry.internal:5000/trading/strategy-worker:v1.4.2-hotfix',
      'webhook-url': `${httpBase}/hook`,
      'webhook-allow-http-loopback': 'true',
    });
    expect(r.main.exitCode).toBe(0);
    // Success is notified too (issue 28), through the same webhook.
    expect(hooks.at(-1)).toMatchObject({
      result: 'deployed',
      text: `k8s-deploy-rollback: deployed manifests (Deployment/${ns}/trading-api at revision 1, Deployment/${ns}/strategy-worker at revision 1). https://github.com/acme/example/actions/runs/1000/attempts/1`,
      revisionsAfter: { [`Deployment/${ns}/trading-api`]: 1, [`Deployment/${ns}/strategy-worker`]: 1 },
    });
    expect(r.outputs).toMatchObject({ result: 'deployed', 'failure-reason': '', 'time-to-detect': '' });
    expect(JSON.parse(r.outputs['revisions-after'])).toEqual({ [`Deployment/${ns}/trading-api`]: 1, [`Deployment/${ns}/strategy-worker`]: 1 });
    expect(await deploymentState(kube, ns, 'trading-api')).toMatchObject({ ready: 2, image: 'registry.example.com/trading/trading-api:v1.4.2' });
    expect((await deploymentState(kube, ns, 'strategy-worker')).image).toBe('registry.internal:5000/trading/strategy-worker:v1.4.2-hotfix');
    expect(await ok(kube, ['get', 'configmap', 'trading-api-config', '-n', ns, '-o', 'jsonpath={.data.RELEASE}'])).toBe('v1.4.2');
    // Server-side apply with our field manager, and the change cause recorded.
    const d = await kjson<{ metadata: { annotations: Record<string, string>; managedFields: Array<{ manager: string }> } }>(kube, [
      'get',
      'deployment',
      'trading-api',
      '-n',
      ns,
      '--show-managed-fields',
    ]);
    expect(d.metadata.managedFields.map((m) => m.manager)).toContain('k8s-deploy-rollback');
    // The kit's run URL: this attempt's, so a re-run's annotation links to the re-run.
    expect(d.metadata.annotations['platform-actions.dev/deployed-by']).toBe('https://github.com/acme/example/actions/runs/1000/attempts/1');
    expect(r.main.log).toMatch(/Deployment\/good\/trading-api rev 1: 2\/2 updated, 2 ready, 2 available — ready/);
    expect(r.summary).toContain('✅ **Deployed**');
    // Nothing of the kubeconfig's credentials reaches the log, outputs or summary.
    for (const m of readFileSync(kube.kubeconfig, 'utf8').matchAll(/(?:client-key-data|client-certificate-data|token): *(\S{16,})/g)) expect(r.everything).not.toContain(m[1]);
  });

  test('pods that never become ready: rolled back to the recorded revision, the previous ReplicaSet serving again', async () => {
    const ns = await namespace(kube, 'never-ready');
    const before = (await seed(ns))!;
    const ws = workspace({ 'deploy/web.yaml': yamlStream([v('web', '2.0', 'never-ready')]) });
    const r = await deploy(kube, ws, { manifests: 'deploy', namespace: ns, 'readiness-grace': '5s' });
    expect(r.main.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ result: 'rolled-back', outcome: 'policy-failure', 'failure-reason': 'ReadinessTimeout' });
    expect(JSON.parse(r.outputs['revisions-before'])).toEqual({ [`Deployment/${ns}/web`]: before.revision });
    expect(JSON.parse(r.outputs['revisions-after'])).toEqual({ [`Deployment/${ns}/web`]: before.revision + 1 });
    const after = await deploymentState(kube, ns, 'web');
    expect(after).toMatchObject({ hash: before.hash, ready: 2, image: 'registry.example.com/web:1.0' });
    expect(Number(r.outputs['time-to-detect'])).toBeLessThan(20);
    expect(Number(r.outputs['time-to-restore'])).toBeGreaterThan(Number(r.outputs['time-to-detect']));
    const errors = r.main.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors.join('\n')).toMatch(
      /deploy failed \(ReadinessTimeout\): Deployment\/never-ready\/web: pod web-\S+: running but not Ready after \d+s \(grace 5s; containers not ready: app\) — rolled back/,
    );
    expect(r.summary).toMatch(/Rolled back/);
    expect(r.summary).toMatch(new RegExp(`healthy, template ${before.hash} as recorded`));
    expect(r.summary).toMatch(/running, not ready/);
  });

  test.each([
    ['image-pull-backoff', 'ImagePullBackOff', {}],
    ['crash-loop', 'CrashLoopBackOff', { 'crashloop-restarts': '2' }],
  ])('%s is detected long before the 600 s progress deadline and rolled back', async (behaviour, reason, extra) => {
    const ns = await namespace(kube, behaviour);
    const before = (await seed(ns))!;
    const ws = workspace({ 'web.yaml': yamlStream([v('web', '2.0', behaviour)]) });
    const r = await deploy(kube, ws, { manifests: 'web.yaml', namespace: ns, ...extra });
    expect(r.outputs).toMatchObject({ result: 'rolled-back', 'failure-reason': reason });
    expect(Number(r.outputs['time-to-detect'])).toBeLessThan(30);
    expect(await deploymentState(kube, ns, 'web')).toMatchObject({ hash: before.hash, ready: 2 });
    expect(r.summary).toContain(reason);
  });

  test('a placeholder left unreplaced: one line, nothing applied', async () => {
    const ns = await namespace(kube, 'placeholder');
    const ws = workspace({
      'k8s/web.yaml': yamlStream([v('web', 'VERSION_PLACEHOLDER')]),
      'k8s/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: "1"}\n',
    });
    const r = await deploy(kube, ws, { manifests: 'k8s', namespace: ns });
    expect(r.main.exitCode).toBe(1);
    expect(r.main.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      'k8s-deploy-rollback: manifests: 1 value(s) still hold a placeholder, nothing was applied: k8s/web.yaml document 1 (Deployment/web): VERSION_PLACEHOLDER at spec.template.spec.containers[0].image',
    ]);
    expect(await ok(kube, ['get', 'deployments,configmaps', '-n', ns, '-o', 'name'])).toBe('configmap/kube-root-ca.crt\n');
  });

  test('the same object in two files, identically: applied once, revision 1', async () => {
    const ns = await namespace(kube, 'repeated');
    const text = yamlStream([v('web', '1.0')]);
    const heard = hooks.length;
    const r = await deploy(kube, workspace({ 'k8s/web.yaml': text, 'k8s/copy/web.yaml': text }), {
      manifests: 'k8s',
      namespace: ns,
      'webhook-url': `${httpBase}/hook`,
      'webhook-allow-http-loopback': 'true',
      'webhook-on': 'failure',
    });
    expect(r.main.exitCode).toBe(0);
    expect(hooks.length).toBe(heard); // a success, with webhook-on: failure: not notified
    expect(r.main.log).toContain(`Deployment/${ns}/web is defined in both k8s/copy/web.yaml document 1 and k8s/web.yaml document 1, identically: applied once`);
    expect(JSON.parse(r.outputs['revisions-after'])).toEqual({ [`Deployment/${ns}/web`]: 1 });
    expect((await deploymentState(kube, ns, 'web')).revision).toBe(1);
  });

  test('a failed smoke test is rolled back; GitHub deployment statuses and the webhook report it', async () => {
    const ns = await namespace(kube, 'smoke');
    const before = (await seed(ns))!;
    const ws = workspace({ 'web.yaml': yamlStream([v('web', '2.0')]) });
    const r = await deploy(
      kube,
      ws,
      {
        manifests: 'web.yaml',
        namespace: ns,
        'smoke-url': `${httpBase}/healthz-broken`,
        'smoke-retries': '1',
        'github-deployment': 'true',
        environment: 'staging',
        token: 'deploy-token',
        'webhook-url': `${httpBase}/hook`,
        'webhook-allow-http-loopback': 'true',
      },
      { GITHUB_API_URL: gh.url },
    );
    expect(r.outputs).toMatchObject({ result: 'rolled-back', 'failure-reason': 'SmokeTestFailed' });
    expect(r.summary).toContain(`GET ${httpBase}/healthz-broken: HTTP 503 (expected 200) after 2 attempts`);
    expect(await deploymentState(kube, ns, 'web')).toMatchObject({ hash: before.hash, ready: 2, image: 'registry.example.com/web:1.0' });
    const dep = gh.state.deployments.at(-1)!;
    expect(dep).toMatchObject({ environment: 'staging' });
    expect((gh.state.deploymentStatuses.get(dep.id) ?? []).map((s) => [s.state, s.log_url])).toEqual([
      ['in_progress', 'https://github.com/acme/example/actions/runs/1000/attempts/1'],
      ['failure', 'https://github.com/acme/example/actions/runs/1000/attempts/1'],
    ]);
    expect(hooks.at(-1)).toMatchObject({ result: 'rolled-back', text: expect.stringMatching(/deploy failed and was rolled back\. SmokeTestFailed/) });
    expect(r.everything).not.toContain('deploy-token');
  });

  test('an apply that fails on the third of five objects: the two changed workloads are restored', async () => {
    const ns = await namespace(kube, 'partial');
    await seed(ns, [v('api', '1.0'), v('worker', '1.0')]);
    const apiBefore = await deploymentState(kube, ns, 'api');
    const workerBefore = await deploymentState(kube, ns, 'worker');
    // The namespace may hold 2 ConfigMaps (kube-root-ca.crt is one). Each passes the dry run alone; the
    // second new one is refused for real, after the first was created.
    await ok(kube, ['create', 'quota', 'cms', '-n', ns, '--hard=count/configmaps=2']);
    for (let i = 0; i < 60 && !(await ok(kube, ['get', 'quota', 'cms', '-n', ns, '-o', 'jsonpath={.status.used}'])).includes('configmaps'); i++)
      await new Promise((r) => setTimeout(r, 500));
    const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: name } });
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' }, spec: { selector: { app: 'api' }, ports: [{ port: 80 }] } };
    const ws = workspace({ 'all.yaml': yamlStream([cm('one'), v('api', '2.0'), cm('two'), v('worker', '2.0'), svc]) });
    const r = await deploy(kube, ws, { manifests: 'all.yaml', namespace: ns });
    expect(r.outputs).toMatchObject({ result: 'rolled-back', 'failure-reason': 'ApplyFailed' });
    expect(r.main.annotations.find((a) => a.level === 'error')?.message).toMatch(/kubectl apply failed part-way: .*exceeded quota/);
    expect(await deploymentState(kube, ns, 'api')).toMatchObject({ hash: apiBefore.hash, ready: 2, image: 'registry.example.com/api:1.0' });
    expect(await deploymentState(kube, ns, 'worker')).toMatchObject({ hash: workerBefore.hash, ready: 2, image: 'registry.example.com/worker:1.0' });
    expect(JSON.parse(r.outputs['revisions-after'])).toEqual({ [`Deployment/${ns}/api`]: 2, [`Deployment/${ns}/worker`]: 2 });
  });

  test('an apply that changes nothing is never rolled back to an older revision', async () => {
    const ns = await namespace(kube, 'unchanged');
    await seed(ns, [v('web', '1.0')]);
    await seed(ns, [v('web', '2.0')]);
    const current = await deploymentState(kube, ns, 'web');
    expect(current.revision).toBe(2);
    const ws = workspace({ 'web.yaml': yamlStream([v('web', '2.0')]) });
    const heard = hooks.length;
    const r = await deploy(kube, ws, {
      manifests: 'web.yaml',
      namespace: ns,
      'smoke-url': `${httpBase}/healthz-broken`,
      'smoke-retries': '0',
      'webhook-url': `${httpBase}/hook`,
      'webhook-allow-http-loopback': 'true',
      'webhook-on': 'failure',
    });
    expect(hooks.slice(heard)).toEqual([expect.objectContaining({ result: 'rolled-back' })]); // a failure: heard with webhook-on: failure
    expect(r.outputs['failure-reason']).toBe('SmokeTestFailed');
    expect(r.summary).toContain('not touched: unchanged by this deploy (still revision 2)');
    expect(await deploymentState(kube, ns, 'web')).toEqual(current);
  });

  test('a StatefulSet and a DaemonSet are rolled back to their recorded ControllerRevisions', async () => {
    const ns = await namespace(kube, 'sts-ds');
    const good = [v('db', '1.0', undefined, { kind: 'StatefulSet' }), v('agent', '1.0', undefined, { kind: 'DaemonSet' })];
    await seed(ns, good);
    const revs = async () => {
      const sts = await kjson<{ status: { updateRevision: string; readyReplicas?: number } }>(kube, ['get', 'statefulset', 'db', '-n', ns]);
      const ds = await kjson<{ status: { numberReady?: number }; spec: { template: { spec: { containers: Array<{ image: string }> } } } }>(kube, [
        'get',
        'daemonset',
        'agent',
        '-n',
        ns,
      ]);
      return { sts: sts.status.updateRevision, stsReady: sts.status.readyReplicas, dsImage: ds.spec.template.spec.containers[0].image, dsReady: ds.status.numberReady };
    };
    const before = await revs();
    const ws = workspace({
      'k8s/db.yaml': yamlStream([v('db', '2.0', 'crash-loop', { kind: 'StatefulSet' })]),
      'k8s/agent.yaml': yamlStream([v('agent', '2.0', undefined, { kind: 'DaemonSet' })]),
    });
    const r = await deploy(kube, ws, { manifests: 'k8s', namespace: ns, 'crashloop-restarts': '1' });
    expect(r.outputs).toMatchObject({ result: 'rolled-back', 'failure-reason': 'CrashLoopBackOff' });
    expect(JSON.parse(r.outputs['revisions-before'])).toEqual({ [`DaemonSet/${ns}/agent`]: 1, [`StatefulSet/${ns}/db`]: 1 });
    expect(JSON.parse(r.outputs['revisions-after'])).toEqual({ [`DaemonSet/${ns}/agent`]: 2, [`StatefulSet/${ns}/db`]: 2 });
    expect(await revs()).toEqual({ ...before, dsImage: 'registry.example.com/agent:1.0' });
  });

  test('rollback: false leaves the failed revision running and says so', async () => {
    const ns = await namespace(kube, 'no-rollback');
    const before = (await seed(ns))!;
    const ws = workspace({ 'web.yaml': yamlStream([v('web', '2.0', 'image-pull-backoff')]) });
    const r = await deploy(kube, ws, { manifests: 'web.yaml', namespace: ns, rollback: 'false' });
    expect(r.main.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ result: 'failed', 'failure-reason': 'ImagePullBackOff', 'time-to-restore': '' });
    expect(r.main.annotations.some((a) => a.level === 'warning' && /rollback: false/.test(a.message))).toBe(true);
    const now = await deploymentState(kube, ns, 'web');
    expect(now.revision).toBe(before.revision + 1);
    expect(now.image).toBe('registry.example.com/web:2.0');
  });

  test.each(clusterCases)('bad input on a live cluster: $name', async ({ files, inputs, expect: re }) => {
    const ns = await namespace(kube, `bad-${Math.random().toString(36).slice(2, 8)}`);
    const r = await deploy(kube, workspace(files), { namespace: ns, ...inputs });
    expect(r.main.exitCode).toBe(1);
    const errors = r.main.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(re);
    // A config error after the cluster was contacted still sets result and failure-reason (issue 27).
    expect(r.outputs).toMatchObject({ outcome: 'config-error', result: 'failed', 'failure-reason': 'ConfigError', 'revisions-after': '{}' });
    expect(await ok(kube, ['get', 'deployments,configmaps', '-n', ns, '-o', 'name'])).toBe('configmap/kube-root-ca.crt\n');
  });

  test('kubectl failing part-way (a tool error, not the deploy): result failed, failure-reason ToolError', async () => {
    const ns = await namespace(kube, 'tool-error');
    // The real kubectl, except that listing the API's resources fails, as a broken discovery endpoint would.
    const ws = workspace({ 'web.yaml': yamlStream([v('web', '1.0')]) });
    const wrapper = join(ws, '..', `kubectl-${ns}.sh`);
    writeFileSync(
      wrapper,
      `#!/bin/sh\ncase "$*" in *api-resources*) echo "error: the server is currently unable to handle the request" >&2; exit 1;; esac\nexec ${kubectlBin()} "$@"\n`,
      { mode: 0o755 },
    );
    const r = await deploy(kube, ws, { manifests: 'web.yaml', namespace: ns, kubectl: wrapper });
    expect(r.main.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ outcome: 'tool-error', result: 'failed', 'failure-reason': 'ToolError' });
    expect(await ok(kube, ['get', 'deployments', '-n', ns, '-o', 'name'])).toBe('');
  });

  test('kubectl missing: a tool error on the first call, result failed, failure-reason ToolError', async () => {
    const r = await deploy(kube, workspace({ 'web.yaml': yamlStream([v('web', '1.0')]) }), { manifests: 'web.yaml', namespace: 'default', kubectl: '/nonexistent/kubectl' });
    expect(r.main.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ outcome: 'tool-error', result: 'failed', 'failure-reason': 'ToolError', 'revisions-before': '{}' });
    expect(r.main.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      expect.stringMatching(/^k8s-deploy-rollback: \/nonexistent\/kubectl was not found/),
    ]);
  });
});
