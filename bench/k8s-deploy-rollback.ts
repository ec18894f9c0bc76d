// k8s-deploy-rollback benchmark (issue #15): how long a broken rollout keeps running before the previous
// revision serves again. On the harness's real control plane, side by side in one run:
//   ours: the bundled action (Node 24, local runner) deploying a broken v2 over a healthy v1;
//   peer: what teams script by hand — `kubectl apply`, then `kubectl rollout status` (capped at 120 s
//         here; unbounded it waits for the 600 s progress deadline), then `kubectl rollout undo`.
// Two failures: new pods in ImagePullBackOff, and pods that run but never become Ready. Both use the
// Deployment's default progressDeadlineSeconds (600 s). Prints the figures; the target is rollback
// started within 10 s and the previous revision serving within 30 s for ImagePullBackOff.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKubeCluster, type KubeCluster } from '../test/harness/services/kube.js';
import { toolBin } from '../test/harness/tools.js';
import { runBundledAction } from '../test/runner/runner.js';
import { DEFAULT_READINESS_GRACE } from '../actions/k8s-deploy-rollback/src/settings.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PEER_CAP_S = 120;
const BEHAVIOUR = 'harness.platform-actions/behaviour';

const deployment = (tag: string, behaviour?: string): string =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web', ...(behaviour ? { [BEHAVIOUR]: behaviour } : {}) } },
        spec: { containers: [{ name: 'app', image: `registry.example.com/web:${tag}` }] },
      },
    },
  });

async function seed(kube: KubeCluster, ns: string): Promise<string> {
  await kube.kubectl(['create', 'namespace', ns]);
  await kube.kubectl(['apply', '-n', ns, '-f', '-'], { input: deployment('1.0') });
  const r = await kube.kubectl(['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=120s']);
  if (r.code !== 0) throw new Error(`seed ${ns}: ${r.stderr}`);
  return hash(kube, ns);
}

/** pod-template-hash of the ReplicaSet the Deployment's current revision points at. */
async function hash(kube: KubeCluster, ns: string): Promise<string> {
  const rev = (await kube.kubectl(['get', 'deployment/web', '-n', ns, '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}'])).stdout;
  const rs = await kube.kubectl(['get', 'rs', '-n', ns, '-o', 'json']);
  const items = (JSON.parse(rs.stdout) as { items: Array<{ metadata: { annotations: Record<string, string>; labels: Record<string, string> } }> }).items;
  return items.find((i) => i.metadata.annotations['deployment.kubernetes.io/revision'] === rev)?.metadata.labels['pod-template-hash'] ?? '';
}

/** Waits until the previous template serves all replicas again; returns when (epoch ms). */
async function servingAgain(kube: KubeCluster, ns: string, want: string, untilMs: number): Promise<number | undefined> {
  while (Date.now() < untilMs) {
    const ready = (await kube.kubectl(['get', 'deployment/web', '-n', ns, '-o', 'jsonpath={.status.readyReplicas}/{.status.updatedReplicas}/{.status.replicas}'])).stdout;
    if (ready === '3/3/3' && (await hash(kube, ns)) === want) return Date.now();
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

interface Figures {
  detectS?: number;
  restoreS?: number;
}

/** Runs the action with the broken manifest written into a temp workspace. */
async function oursFromFile(kube: KubeCluster, ns: string, behaviour: string, want: string): Promise<Figures> {
  const ws = mkdtempSync(join(tmpdir(), 'bench-k8s-'));
  writeFileSync(join(ws, 'web.yaml'), deployment('2.0', behaviour));
  const r = await runBundledAction({
    action: 'k8s-deploy-rollback',
    workspace: ws,
    inputs: { kubeconfig: readFileSync(kube.kubeconfig, 'utf8'), kubectl: toolBin('kube', 'kubectl'), manifests: 'web.yaml', namespace: ns },
    env: { PATH: `${dirname(toolBin('kube', 'kubectl'))}:${process.env.PATH}` },
    timeoutMs: 300_000,
  });
  if (r.outputs.result !== 'rolled-back' || (await hash(kube, ns)) !== want) {
    throw new Error(`bench: the action did not roll ${ns} back (result ${r.outputs.result}): ${r.main.annotations.map((a) => a.message).join(' | ')}`);
  }
  return { detectS: Number(r.outputs['time-to-detect']), restoreS: Number(r.outputs['time-to-restore']) };
}

/** apply → rollout status (capped) → rollout undo → wait until the old template serves again. */
async function peer(kube: KubeCluster, ns: string, behaviour: string, want: string): Promise<Figures> {
  const t0 = Date.now();
  await kube.kubectl(['apply', '-n', ns, '-f', '-'], { input: deployment('2.0', behaviour) });
  const st = await kube.kubectl(['rollout', 'status', 'deployment/web', '-n', ns, `--timeout=${PEER_CAP_S}s`], { timeoutMs: (PEER_CAP_S + 30) * 1000 });
  const detect = (Date.now() - t0) / 1000;
  if (st.code === 0) throw new Error(`bench: rollout status reported success for ${behaviour}`);
  if (detect >= PEER_CAP_S) return { detectS: undefined, restoreS: undefined }; // over the cap
  await kube.kubectl(['rollout', 'undo', 'deployment/web', '-n', ns]);
  const back = await servingAgain(kube, ns, want, Date.now() + 120_000);
  return { detectS: detect, restoreS: back ? (back - t0) / 1000 : undefined };
}

const fmt = (s: number | undefined): string => (s === undefined ? `over ${PEER_CAP_S} s` : `${s.toFixed(1)} s`);

export async function benchK8sDeployRollback(): Promise<boolean> {
  execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { bundle } from './scripts/bundle.mjs'; bundle('actions/k8s-deploy-rollback/src/index.ts', 'dist/k8s-deploy-rollback', 'actions/k8s-deploy-rollback');`,
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const kube = await startKubeCluster();
  try {
    // Healthy v1 everywhere first; then all four broken deploys at once, so both contenders see the same cluster load.
    const [a, b, c, d] = await Promise.all(['ours-pull', 'peer-pull', 'ours-never', 'peer-never'].map((ns) => seed(kube, ns)));
    const [oursPull, peerPull, oursNever, peerNever] = await Promise.all([
      oursFromFile(kube, 'ours-pull', 'image-pull-backoff', a),
      peer(kube, 'peer-pull', 'image-pull-backoff', b),
      oursFromFile(kube, 'ours-never', 'never-ready', c),
      peer(kube, 'peer-never', 'never-ready', d),
    ]);
    console.log(
      `k8s-deploy-rollback bench: Deployment of 3 replicas, default progressDeadlineSeconds (600 s), readiness-grace ${DEFAULT_READINESS_GRACE}; peer = kubectl rollout status --timeout=${PEER_CAP_S}s then rollout undo`,
    );
    console.log(
      `  ImagePullBackOff: apply → rollback start: ours ${fmt(oursPull.detectS)} vs peer ${fmt(peerPull.detectS)}; apply → previous revision serving: ours ${fmt(oursPull.restoreS)} vs peer ${fmt(peerPull.restoreS)}`,
    );
    console.log(
      `  never Ready:      apply → rollback start: ours ${fmt(oursNever.detectS)} vs peer ${fmt(peerNever.detectS)}; apply → previous revision serving: ours ${fmt(oursNever.restoreS)} vs peer ${fmt(peerNever.restoreS)}`,
    );
    const okPull = (oursPull.detectS ?? Infinity) <= 10 && (oursPull.restoreS ?? Infinity) <= 30;
    const graceS = Number.parseInt(DEFAULT_READINESS_GRACE, 10);
    const okNever = (oursNever.detectS ?? Infinity) <= graceS + 10 && (oursNever.restoreS ?? Infinity) <= graceS + 30;
    console.log(
      `  targets: ImagePullBackOff rollback start ≤ 10 s and restored ≤ 30 s ${okPull ? 'OK' : 'MISSED'}; never Ready within grace + 10 s / grace + 30 s ${okNever ? 'OK' : 'MISSED'}`,
    );
    return okPull && okNever;
  } finally {
    await kube.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = (await benchK8sDeployRollback()) ? 0 : 1;
