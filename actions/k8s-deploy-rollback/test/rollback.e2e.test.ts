// k8s-deploy-rollback's rollback on demand (mode: rollback, issue 28) end to end on the harness's real
// control plane: a Deployment, a StatefulSet and a Helm release back to a chosen recorded revision (or
// the one before the current), watched like a deploy; a chosen revision that does not become healthy is
// undone again, back to where the workloads were; a revision the cluster no longer records is one line.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type KubeCluster, startKubeCluster } from '../../../test/harness/services/kube.js';
import { toolBin } from '../../../test/harness/tools.js';
import { BEHAVIOUR, deploy, deploymentState, kjson, namespace, ok, rolloutOk, workload, workspace, yamlStream } from './cluster.js';
import { buildBundle, repoRoot } from './helpers.js';

jest.setTimeout(240_000);

let kube: KubeCluster;
let http: Server;
let hook = '';
const hooks: Array<{ text: string; result: string }> = [];

beforeAll(async () => {
  buildBundle();
  kube = await startKubeCluster();
  http = createServer((req, res) => {
    let b = '';
    req.on('data', (d) => (b += d));
    req.on('end', () => {
      hooks.push(JSON.parse(b));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  hook = `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  http?.closeAllConnections();
  await new Promise((r) => http?.close(r));
  await kube?.stop();
});

const notify = { 'webhook-url': '', 'webhook-allow-http-loopback': 'true' };
const empty = () => workspace({ 'README.md': 'nothing to deploy here: a rollback on demand reads the cluster\n' });

/** Applies each version in turn with kubectl, waiting for the good ones; returns each revision's state. */
async function history(ns: string, versions: Array<Record<string, unknown>>, name = 'web'): Promise<Array<Awaited<ReturnType<typeof deploymentState>>>> {
  const states = [];
  for (const v of versions) {
    await ok(kube, ['apply', '-n', ns, '-f', '-'], yamlStream([v]));
    const labels = (v.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    if (!labels[BEHAVIOUR]) await rolloutOk(kube, ns, `deployment/${name}`);
    else await new Promise((r) => setTimeout(r, 1500)); // the controller records the revision; its pods never get ready
    states.push(await deploymentState(kube, ns, name));
  }
  return states;
}

const web = (tag: string, behaviour?: string) => workload('web', { image: `registry.example.com/web:${tag}`, behaviour });

describe('a Deployment', () => {
  test('back to a chosen recorded revision: its ReplicaSet serves again, the webhook hears it', async () => {
    const ns = await namespace(kube, 'od-chosen');
    const [v1, , v3] = await history(ns, [web('1.0'), web('2.0'), web('3.0')]);
    expect(v3.revision).toBe(3);
    const r = await deploy(kube, empty(), { mode: 'rollback', workloads: 'deployment/web', revision: '1', namespace: ns, ...notify, 'webhook-url': hook });
    expect(r.main.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ outcome: 'clean', result: 'rolled-back', 'failure-reason': '' });
    expect(JSON.parse(r.outputs['revisions-before'])).toEqual({ [`Deployment/${ns}/web`]: 3 });
    // kubectl renumbers the restored ReplicaSet: revision 1's template is now revision 4.
    expect(JSON.parse(r.outputs['revisions-after'])).toEqual({ [`Deployment/${ns}/web`]: 4 });
    expect(await deploymentState(kube, ns, 'web')).toEqual({ revision: 4, hash: v1.hash, ready: 2, image: 'registry.example.com/web:1.0' });
    expect(Number(r.outputs['time-to-restore'])).toBeGreaterThan(0);
    expect(r.summary).toContain('Rolled back on demand');
    expect(hooks.at(-1)).toMatchObject({
      result: 'rolled-back',
      text: expect.stringMatching(new RegExp(`^k8s-deploy-rollback: rolled back deployment/web on demand \\(Deployment/${ns}/web at revision 4\\)`)),
    });
  });

  test('no revision: the one before the current', async () => {
    const ns = await namespace(kube, 'od-previous');
    const [, v2] = await history(ns, [web('1.0'), web('2.0'), web('3.0')]);
    const r = await deploy(kube, empty(), { mode: 'rollback', workloads: 'deploy/web', namespace: ns });
    expect(r.outputs).toMatchObject({ outcome: 'clean', result: 'rolled-back' });
    expect(await deploymentState(kube, ns, 'web')).toMatchObject({ hash: v2.hash, image: 'registry.example.com/web:2.0' });
  });

  test('a chosen revision that does not become healthy: undone again, back at the revision before, and said so', async () => {
    const ns = await namespace(kube, 'od-broken');
    const [, v2] = await history(ns, [web('1.0', 'image-pull-backoff'), web('2.0')]);
    const r = await deploy(kube, empty(), { mode: 'rollback', workloads: 'deployment/web', revision: '1', namespace: ns, ...notify, 'webhook-url': hook });
    expect(r.main.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ outcome: 'policy-failure', result: 'failed', 'failure-reason': 'ImagePullBackOff' });
    // The step's failure line says why and what happened next (the finding is its own annotation).
    expect(r.main.annotations.filter((a) => a.level === 'error' && a.message.startsWith('k8s-deploy-rollback: ')).map((a) => a.message)).toEqual([
      expect.stringMatching(/^k8s-deploy-rollback: rollback on demand failed \(ImagePullBackOff\): Deployment\/od-broken\/web: .* — returned to the revisions before it/),
    ]);
    const now = await deploymentState(kube, ns, 'web');
    expect(now).toMatchObject({ hash: v2.hash, ready: 2, image: 'registry.example.com/web:2.0' });
    expect(r.summary).toMatch(new RegExp(`healthy, template ${v2.hash} as recorded`));
    expect(hooks.at(-1)).toMatchObject({ result: 'failed', text: expect.stringMatching(/^k8s-deploy-rollback: rollback on demand of deployment\/web FAILED\. ImagePullBackOff/) });
  });

  test('a revision the cluster does not record: one line listing what it records, nothing changed', async () => {
    const ns = await namespace(kube, 'od-unknown');
    const [, v2] = await history(ns, [web('1.0'), web('2.0')]);
    const r = await deploy(kube, empty(), { mode: 'rollback', workloads: 'deployment/web', revision: '7', namespace: ns });
    expect(r.main.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ outcome: 'config-error', result: 'failed', 'failure-reason': 'ConfigError' });
    expect(r.main.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      `k8s-deploy-rollback: revision 7 is not recorded for Deployment/${ns}/web (recorded: 1, 2; revisionHistoryLimit decides how many are kept)`,
    ]);
    expect(await deploymentState(kube, ns, 'web')).toMatchObject({ revision: 2, hash: v2.hash });
    const missing = await deploy(kube, empty(), { mode: 'rollback', workloads: 'deployment/nope', namespace: ns });
    expect(missing.main.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      `k8s-deploy-rollback: workloads: deployment/nope does not exist in namespace ${ns}`,
    ]);
  });
});

test('a StatefulSet back to its previous ControllerRevision', async () => {
  const ns = await namespace(kube, 'od-sts');
  for (const tag of ['1.0', '2.0']) {
    await ok(kube, ['apply', '-n', ns, '-f', '-'], yamlStream([workload('db', { kind: 'StatefulSet', image: `registry.example.com/db:${tag}` })]));
    await rolloutOk(kube, ns, 'statefulset/db');
  }
  const r = await deploy(kube, empty(), { mode: 'rollback', workloads: 'sts/db', namespace: ns });
  expect(r.outputs).toMatchObject({ outcome: 'clean', result: 'rolled-back' });
  expect(JSON.parse(r.outputs['revisions-before'])).toEqual({ [`StatefulSet/${ns}/db`]: 2 });
  const sts = await kjson<{ spec: { template: { spec: { containers: Array<{ image: string }> } } }; status: { readyReplicas?: number } }>(kube, [
    'get',
    'statefulset',
    'db',
    '-n',
    ns,
  ]);
  expect([sts.spec.template.spec.containers[0].image, sts.status.readyReplicas]).toEqual(['registry.example.com/db:1.0', 2]);
});

describe('a Helm release', () => {
  const helm = () => toolBin('helm', 'helm');
  const run = (args: string[]): Promise<number | null> =>
    new Promise((resolve) => spawn(helm(), args, { env: { ...process.env, KUBECONFIG: kube.kubeconfig }, stdio: 'ignore' }).on('close', resolve));
  const releaseHistory = (ns: string, release: string): Promise<Array<{ revision: number; status: string; description: string }>> =>
    new Promise((resolve, reject) => {
      const c = spawn(helm(), ['history', release, '-n', ns, '-o', 'json'], { env: { ...process.env, KUBECONFIG: kube.kubeconfig } });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`helm history exited ${code}`))));
    });
  const chart = (): string => {
    const ws = workspace({ 'values-broken.yaml': `podLabels:\n  ${BEHAVIOUR}: image-pull-backoff\n` });
    cpSync(join(repoRoot, 'examples', 'trading-service-deploy', 'chart'), join(ws, 'chart'), { recursive: true });
    return ws;
  };

  test('back to a chosen release revision with helm rollback, watched like a deploy', async () => {
    const ns = await namespace(kube, 'od-helm');
    const ws = chart();
    for (const tag of ['1.0.0', '1.1.0', '1.2.0']) expect(await run(['upgrade', '--install', 'trading', join(ws, 'chart'), '-n', ns, '--set', `image.tag=${tag}`])).toBe(0);
    const r = await deploy(kube, empty(), { mode: 'rollback', workloads: 'release/trading', revision: '1', namespace: ns, helm: helm() });
    expect(r.main.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ outcome: 'clean', result: 'rolled-back' });
    expect(JSON.parse(r.outputs['revisions-before'])).toEqual({ [`release/${ns}/trading`]: 3 });
    expect(JSON.parse(r.outputs['revisions-after'])).toEqual({ [`release/${ns}/trading`]: 4 });
    const h = await releaseHistory(ns, 'trading');
    expect(h.map((x) => `${x.revision}:${x.status}`)).toEqual(['1:superseded', '2:superseded', '3:superseded', '4:deployed']);
    expect(h[3].description).toBe('Rollback to 1');
    expect(await deploymentState(kube, ns, 'trading-api')).toMatchObject({ ready: 2, image: 'registry.example.com/trading/trading-api:1.0.0' });
  });

  test('a chosen release revision that fails: recorded failed as helm records it, then back to the one deployed before', async () => {
    const ns = await namespace(kube, 'od-helm-broken');
    const ws = chart();
    expect(await run(['upgrade', '--install', 'trading', join(ws, 'chart'), '-n', ns, '--set', 'image.tag=1.0.0'])).toBe(0);
    expect(await run(['upgrade', 'trading', join(ws, 'chart'), '-n', ns, '--values', join(ws, 'values-broken.yaml'), '--set', 'image.tag=1.1.0'])).toBe(0);
    expect(await run(['upgrade', 'trading', join(ws, 'chart'), '-n', ns, '--reset-values', '--set', 'image.tag=1.2.0'])).toBe(0);
    const r = await deploy(kube, empty(), { mode: 'rollback', workloads: 'release/trading', revision: '2', namespace: ns, helm: helm() });
    expect(r.main.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ outcome: 'policy-failure', result: 'failed', 'failure-reason': 'ImagePullBackOff' });
    const h = await releaseHistory(ns, 'trading');
    expect(h.map((x) => `${x.revision}:${x.status}`)).toEqual(['1:superseded', '2:superseded', '3:superseded', '4:failed', '5:deployed']);
    expect(h[3].description).toMatch(/^Release "trading" failed: ImagePullBackOff: /);
    expect(h[4].description).toBe('Rollback to 3');
    expect(await deploymentState(kube, ns, 'trading-api')).toMatchObject({ ready: 2, image: 'registry.example.com/trading/trading-api:1.2.0' });
  });
});
