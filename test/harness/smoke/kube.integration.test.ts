// Proves the kube harness is a real control plane: a real apiserver (version, strict field
// validation), a real controller-manager (Deployment rollouts and progress deadlines), a real
// scheduler (pods land on the kwok nodes), and our kwok Stages for pod misbehaviour.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { waitFor } from '../net.js';
import { startKubeCluster, type KubeCluster } from '../services/kube.js';
import { pinnedVersion } from '../tools.js';

jest.setTimeout(240_000);

const BEHAVIOUR = 'harness.platform-actions/behaviour';

function deployment(name: string, opts: { replicas?: number; behaviour?: string; progressDeadlineSeconds?: number } = {}): string {
  const labels = { app: name, ...(opts.behaviour ? { [BEHAVIOUR]: opts.behaviour } : {}) };
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: opts.replicas ?? 2,
      progressDeadlineSeconds: opts.progressDeadlineSeconds,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0' }] } },
    },
  });
}

function pod(name: string, behaviour: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { [BEHAVIOUR]: behaviour } },
    spec: { containers: [{ name: 'app', image: 'registry.example/missing:0.0' }] },
  });
}

describe('kube harness (kwok + real control plane)', () => {
  let kube: KubeCluster;

  beforeAll(async () => {
    kube = await startKubeCluster();
  });
  afterAll(async () => {
    await kube?.stop();
  });

  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await kube.kubectl(args, { input });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };

  test('client and server are the pinned Kubernetes version', async () => {
    const v = JSON.parse(await ok(['version', '-o', 'json'])) as {
      clientVersion: { gitVersion: string };
      serverVersion: { gitVersion: string };
    };
    const want = `v${pinnedVersion('kube').replace(/^v/, '')}`;
    expect(v.serverVersion.gitVersion).toBe(want);
    expect(v.clientVersion.gitVersion).toBe(want);
    expect((await ok(['get', 'nodes', '-o', 'name'])).trim().split('\n')).toHaveLength(2);
  });

  test('a Deployment rolls out and its replicas become Ready on the kwok nodes', async () => {
    await ok(['apply', '-f', '-'], deployment('web', { replicas: 3 }));
    const r = await kube.kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('successfully rolled out');
    expect(await ok(['get', 'deployment/web', '-o', 'jsonpath={.status.readyReplicas}/{.status.updatedReplicas}'])).toBe('3/3');
    // The real scheduler bound every pod to one of the fake nodes.
    const nodes = (await ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.nodeName}'])).split(' ');
    expect(nodes).toHaveLength(3);
    const known = (await ok(['get', 'nodes', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ');
    for (const n of nodes) expect(known).toContain(n);
  });

  test('a never-ready Deployment fails rollout status with ProgressDeadlineExceeded', async () => {
    await ok(['apply', '-f', '-'], deployment('stuck', { replicas: 1, behaviour: 'never-ready', progressDeadlineSeconds: 10 }));
    const started = Date.now();
    const r = await kube.kubectl(['rollout', 'status', 'deployment/stuck', '--timeout=120s']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('deployment "stuck" exceeded its progress deadline');
    expect(Date.now() - started).toBeLessThan(100_000); // failed on the deadline, not on --timeout
    const reason = await ok(['get', 'deployment/stuck', '-o', 'jsonpath={.status.conditions[?(@.type=="Progressing")].reason}']);
    expect(reason).toBe('ProgressDeadlineExceeded');
    // The pod is Running but not Ready.
    const p = await ok(['get', 'pods', '-l', 'app=stuck', '-o', 'jsonpath={.items[0].status.phase}/{.items[0].status.containerStatuses[0].ready}']);
    expect(p).toBe('Running/false');
  });

  test('crash-loop and image-pull-backoff pods show those waiting reasons', async () => {
    await ok(['apply', '-f', '-'], pod('crashy', 'crash-loop'));
    await ok(['apply', '-f', '-'], pod('unpullable', 'image-pull-backoff'));
    const status = async (name: string): Promise<string> =>
      ok(['get', 'pod', name, '-o', 'jsonpath={.status.phase}/{.status.containerStatuses[0].state.waiting.reason}/{.status.containerStatuses[0].restartCount}']);

    await waitFor('ImagePullBackOff', async () => (await status('unpullable')) === 'Pending/ImagePullBackOff/0', 60_000, 500);
    // restartCount keeps growing (every ~10 s), as a crash-looping container's does.
    await waitFor(
      'CrashLoopBackOff with restarts',
      async () => {
        const [phase, reason, restarts] = (await status('crashy')).split('/');
        return phase === 'Running' && reason === 'CrashLoopBackOff' && Number(restarts) >= 2;
      },
      60_000,
      500,
    );
    const last = await ok(['get', 'pod', 'crashy', '-o', 'jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode}']);
    expect(last).toBe('1');
  });

  test('server-side dry-run with strict field validation rejects an unknown field', async () => {
    // allowPrivilegeEscalation is a container-level field; at pod level it is unknown.
    const misplaced = JSON.parse(deployment('dry')) as { spec: { template: { spec: Record<string, unknown> } } };
    misplaced.spec.template.spec.securityContext = { allowPrivilegeEscalation: false };
    const bad = await kube.kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], { input: JSON.stringify(misplaced) });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('unknown field "spec.template.spec.securityContext.allowPrivilegeEscalation"');

    const good = await kube.kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], { input: deployment('dry') });
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('(server dry run)');
    // A dry run persists nothing.
    const get = await kube.kubectl(['get', 'deployment/dry']);
    expect(get.code).not.toBe(0);
    expect(get.stderr).toContain('NotFound');
  });
});
