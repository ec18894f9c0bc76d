// main() in-process (test/helpers/main-in-process.ts) against the harness's real control plane: a clean
// manifests deploy that rolls out, and a bad input that ends in config-error, one line naming the input,
// before the cluster is contacted.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runMain } from '../../../test/helpers/main-in-process.js';
import { type KubeCluster, startKubeCluster } from '../../../test/harness/services/kube.js';
import { ACTION } from '../src/action.js';
import { main } from '../src/main.js';
import { kubectlBin } from './helpers.js';

jest.setTimeout(240_000);

let kube: KubeCluster;
beforeAll(async () => {
  kube = await startKubeCluster();
});
afterAll(async () => kube?.stop());

/** A workspace with k8s/web.yaml: a Deployment of two pods, which the harness's kwok nodes make Ready. */
function workspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'k8s-main-'));
  mkdirSync(join(ws, 'k8s'));
  const labels = { app: 'web' };
  const web = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'registry.example.com/web:1.0' }] } } },
  };
  writeFileSync(join(ws, 'k8s', 'web.yaml'), JSON.stringify(web, null, 1));
  return ws;
}

/** kubectl against the harness cluster; throws with its stderr when it fails. */
async function kubectl(...args: string[]): Promise<string> {
  const r = await kube.kubectl(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const deploy = (ws: string, inputs: Record<string, string>) =>
  runMain(ACTION, main, {
    workspace: ws,
    inputs: { kubeconfig: readFileSync(kube.kubeconfig, 'utf8'), kubectl: kubectlBin(), ...inputs },
    env: { GITHUB_REPOSITORY: 'acme/app', GITHUB_RUN_ID: '1000', GITHUB_RUN_ATTEMPT: '1', PATH: `${dirname(kubectlBin())}:${process.env.PATH}` },
  });

describe('main() in-process', () => {
  test('clean: a Deployment is applied and rolls out; result deployed at revision 1', async () => {
    const ns = 'main-clean';
    await kubectl('create', 'namespace', ns);
    const r = await deploy(workspace(), { manifests: 'k8s', namespace: ns });
    expect(r.failure).toBeUndefined();
    expect(r.failed).toBe(false);
    expect(r.outputs).toMatchObject({ outcome: 'clean', result: 'deployed', 'failure-reason': '' });
    expect(JSON.parse(r.outputs['revisions-after'])).toEqual({ [`Deployment/${ns}/web`]: 1 });
    expect(await kubectl('get', 'deployment', 'web', '-n', ns, '-o', 'jsonpath={.status.readyReplicas}')).toBe('2');
  });
  test('config-error: a chart and manifests together are one line naming the input; outcome, result and failure-reason are set', async () => {
    const r = await deploy(workspace(), { manifests: 'k8s', chart: 'charts/web', release: 'web' });
    expect(r.failed).toBe(true);
    expect(r.failure).toBe('k8s-deploy-rollback: input "chart" cannot be combined with manifests: deploy either manifests or a Helm chart');
    expect(r.outputs.outcome).toBe('config-error');
    expect(r.outputs['failure-reason']).not.toBe('');
  });
});
