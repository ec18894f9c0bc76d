// k8s-deploy-rollback end to end in Helm mode (helm 4 and helm 3) on the harness's real control plane:
// a failing upgrade rolled back to the last deployed release revision, and a release stuck in
// pending-upgrade (a helm process killed mid-upgrade) refused, then recovered when told to.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { type KubeCluster, startKubeCluster } from '../../../test/harness/services/kube.js';
import { toolBin } from '../../../test/harness/tools.js';
import { BEHAVIOUR, deploy, deploymentState, namespace, workspace } from './cluster.js';
import { buildBundle, repoRoot } from './helpers.js';

jest.setTimeout(240_000);

let kube: KubeCluster;
beforeAll(async () => {
  buildBundle();
  kube = await startKubeCluster();
});
afterAll(async () => {
  await kube?.stop();
});

function chartWorkspace(): string {
  const ws = workspace({ 'values-broken.yaml': `podLabels:\n  ${BEHAVIOUR}: image-pull-backoff\n`, 'values-never-ready.yaml': `podLabels:\n  ${BEHAVIOUR}: never-ready\n` });
  cpSync(join(repoRoot, 'examples', 'trading-service-deploy', 'chart'), join(ws, 'chart'), { recursive: true });
  return ws;
}

function run(bin: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const c = spawn(bin, args, { env: { ...process.env, KUBECONFIG: kube.kubeconfig } });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    c.on('close', (code) => resolve({ code, out }));
  });
}

function history(helm: string, ns: string, release: string): Promise<Array<{ revision: number; status: string; description: string }>> {
  return new Promise((resolve, reject) => {
    const c = spawn(helm, ['history', release, '-n', ns, '-o', 'json'], { env: { ...process.env, KUBECONFIG: kube.kubeconfig } });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`helm history exited ${code}`))));
  });
}

describe.each([
  ['helm 4', 'helm', 'values-broken.yaml', 'ImagePullBackOff'],
  ['helm 3', 'helm3', 'values-never-ready.yaml', 'ReadinessTimeout'],
])('%s', (_name, tool, badValues, reason) => {
  test('a failing upgrade is rolled back to the last deployed release revision', async () => {
    const helm = toolBin(tool, 'helm');
    const ns = await namespace(kube, `helm-${tool}`);
    const ws = chartWorkspace();
    const common = { chart: 'chart', release: 'trading', namespace: ns, helm, 'readiness-grace': '5s' };
    const first = await deploy(kube, ws, { ...common, set: 'image.tag=1.0.0' });
    expect(first.main.exitCode).toBe(0);
    expect(first.outputs.result).toBe('deployed');
    const good = await deploymentState(kube, ns, 'trading-api');

    const r = await deploy(kube, ws, { ...common, 'values-files': badValues, set: 'image.tag=1.1.0' });
    expect(r.main.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ result: 'rolled-back', 'failure-reason': reason });
    expect(JSON.parse(r.outputs['revisions-before'])).toEqual({ [`release/${ns}/trading`]: 1 });
    expect(JSON.parse(r.outputs['revisions-after'])).toEqual({ [`release/${ns}/trading`]: 2 });
    // The failed upgrade is in helm's history as helm itself records one (issue 25): failed, with why.
    const h = await history(helm, ns, 'trading');
    expect(h.map((x) => `${x.revision}:${x.status}`)).toEqual(['1:superseded', '2:failed', '3:deployed']);
    expect(h[1].description).toMatch(new RegExp(`^Upgrade "trading" failed: ${reason}: Deployment/${ns}/trading-api: `));
    expect(h[2].description).toMatch(/Rollback to 1/);
    expect(r.summary).toMatch(/\| 2 \(failed\) \|/);

    // Real helm with its own wait and rollback on failure leaves the same statuses and the same form of
    // description: what `helm history` users know.
    const flag = tool === 'helm' ? '--rollback-on-failure' : '--atomic';
    const ref = (values: string[]) => run(helm, ['upgrade', '--install', 'reference', join(ws, 'chart'), '-n', ns, '--wait', '--timeout', '15s', flag, ...values]);
    expect((await ref(['--set', 'image.tag=1.0.0'])).code).toBe(0);
    expect((await ref(['--values', join(ws, badValues), '--set', 'image.tag=1.1.0'])).code).toBe(1);
    const hr = await history(helm, ns, 'reference');
    expect(hr.map((x) => `${x.revision}:${x.status}`)).toEqual(['1:superseded', '2:failed', '3:deployed']);
    expect(hr[1].description).toMatch(/^Upgrade "reference" failed: /);
    expect(await deploymentState(kube, ns, 'trading-api')).toMatchObject({ hash: good.hash, ready: 2, image: 'registry.example.com/trading/trading-api:1.0.0' });
    expect(Number(r.outputs['time-to-detect'])).toBeLessThan(30);
  });
});

test('a release stuck in pending-upgrade is refused, then recovered with pending-release: rollback', async () => {
  const helm = toolBin('helm', 'helm');
  const ns = await namespace(kube, 'helm-pending');
  const ws = chartWorkspace();
  const common = { chart: 'chart', release: 'stuck', namespace: ns, helm };
  expect((await deploy(kube, ws, { ...common, set: 'image.tag=1.0.0' })).outputs.result).toBe('deployed');

  // A job cancelled mid-upgrade: helm is killed while it waits, leaving revision 2 pending-upgrade.
  const child = spawn(helm, ['upgrade', 'stuck', join(ws, 'chart'), '-n', ns, '--values', join(ws, 'values-never-ready.yaml'), '--wait', '--timeout', '5m'], {
    env: { ...process.env, KUBECONFIG: kube.kubeconfig },
    stdio: 'ignore',
  });
  for (let i = 0; i < 120; i++) {
    const h = await history(helm, ns, 'stuck').catch(() => []);
    if (h.some((x) => x.status === 'pending-upgrade')) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGKILL');
  expect((await history(helm, ns, 'stuck')).map((x) => x.status)).toEqual(['deployed', 'pending-upgrade']);

  const refused = await deploy(kube, ws, { ...common, set: 'image.tag=1.2.0' });
  expect(refused.main.exitCode).toBe(1);
  expect(refused.main.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
    'k8s-deploy-rollback: release stuck is stuck in pending-upgrade (revision 2), so helm would refuse to upgrade it; set pending-release: rollback to roll it back to revision 1 (the last deployed) first',
  ]);
  expect((await history(helm, ns, 'stuck')).map((x) => x.status)).toEqual(['deployed', 'pending-upgrade']);

  const recovered = await deploy(kube, ws, { ...common, set: 'image.tag=1.2.0', 'pending-release': 'rollback' });
  expect(recovered.main.exitCode).toBe(0);
  expect(recovered.outputs.result).toBe('deployed');
  expect((await history(helm, ns, 'stuck')).at(-1)).toMatchObject({ revision: 4, status: 'deployed' });
  expect((await deploymentState(kube, ns, 'stuck-api')).image).toBe('registry.example.com/trading/trading-api:1.2.0');
});

test('a failed first install is uninstalled: the previous state is no release at all', async () => {
  const helm = toolBin('helm', 'helm');
  const ns = await namespace(kube, 'helm-first');
  const r = await deploy(kube, chartWorkspace(), { chart: 'chart', release: 'fresh', namespace: ns, helm, 'values-files': 'values-broken.yaml' });
  expect(r.main.exitCode).toBe(1);
  expect(r.outputs).toMatchObject({ result: 'rolled-back', 'failure-reason': 'ImagePullBackOff', 'revisions-before': '{}' });
  expect(r.summary).toContain('uninstalled (first install failed)');
  await expect(history(helm, ns, 'fresh')).rejects.toThrow(/helm history exited 1/);
});

test('rollback: false on a failed first install: the release is left, recorded failed as helm install records it', async () => {
  const helm = toolBin('helm', 'helm');
  const ns = await namespace(kube, 'helm-first-kept');
  const r = await deploy(kube, chartWorkspace(), { chart: 'chart', release: 'kept', namespace: ns, helm, 'values-files': 'values-broken.yaml', rollback: 'false' });
  expect(r.main.exitCode).toBe(1);
  expect(r.outputs).toMatchObject({ result: 'failed', 'failure-reason': 'ImagePullBackOff' });
  const h = await history(helm, ns, 'kept');
  expect(h.map((x) => `${x.revision}:${x.status}`)).toEqual(['1:failed']);
  expect(h[0].description).toMatch(new RegExp(`^Release "kept" failed: ImagePullBackOff: Deployment/${ns}/kept-api: `));
  // helm reads the record it did not write: a later upgrade starts from the failed revision and
  // supersedes it, as it does after its own failed install.
  const again = await deploy(kube, chartWorkspace(), { chart: 'chart', release: 'kept', namespace: ns, helm, set: 'image.tag=1.0.1' });
  expect(again.outputs.result).toBe('deployed');
  expect((await history(helm, ns, 'kept')).map((x) => `${x.revision}:${x.status}`)).toEqual(['1:superseded', '2:deployed']);
});
