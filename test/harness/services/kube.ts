// A real Kubernetes control plane for tests: etcd, kube-apiserver, kube-controller-manager and
// kube-scheduler built from source (provision/kube.sh), run by kwokctl's `binary` runtime, with
// kwok simulating the kubelets of fake nodes. Pod behaviour comes from our Stages in
// ../kube/stages/ (label harness.platform-actions/behaviour: never-ready | image-pull-backoff |
// crash-loop; unlabelled pods become Ready). Everything listens on 127.0.0.1.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinnedVersion, toolBin } from '../tools.js';
import { createServer, type Server } from 'node:net';
import { waitFor } from '../net.js';

const stagesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'kube', 'stages');

interface RunResult {
  stdout: string;
  stderr: string;
  /** Exit code; -1 when the process was killed (e.g. on timeout) or could not start. */
  code: number;
}

interface RunOptions {
  /** Written to stdin, e.g. a manifest for `apply -f -`. */
  input?: string;
  /** Kill the command after this long (default 120 s); kubectl's own --timeout should be shorter. */
  timeoutMs?: number;
}

export interface KubeCluster {
  name: string;
  /** Admin kubeconfig of the cluster (client certificates, https://127.0.0.1:<port>). */
  kubeconfig: string;
  /** Runs the pinned kubectl against this cluster. Never throws on a non-zero exit. */
  kubectl(args: string[], opts?: RunOptions): Promise<RunResult>;
  /** Deletes the cluster, kills its processes and removes its files. Safe to call twice. */
  stop(): Promise<void>;
}

export interface KubeClusterOptions {
  /** Number of fake nodes (default 2). */
  nodes?: number;
  /** Upper bound for the whole start-up (default 180 s). */
  timeoutMs?: number;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[harness] ${cmd} killed after ${opts.timeoutMs ?? 120_000} ms`;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ stdout, stderr: stderr + String(e), code: -1 });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code: code ?? -1 });
    });
    child.stdin.on('error', () => undefined); // the child may exit before reading stdin
    child.stdin.end(opts.input ?? '');
  });
}

// Component pids of every live cluster (pid -> its cluster folder), so an interrupted test run
// still kills them.
const livePids = new Map<number, string>();
process.once('exit', () => {
  for (const [pid, clusterDir] of livePids) killComponent(pid, clusterDir);
});

/**
 * kwokctl starts each component with setsid, so its pid is also its process group. Only kill it
 * while its command line still names our cluster folder (guards against a reused pid).
 */
function killComponent(pid: number, clusterDir: string): void {
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(clusterDir)) return;
  } catch {
    return; // already gone
  }
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function readPids(clusterDir: string): number[] {
  try {
    const dir = join(clusterDir, 'pids');
    return readdirSync(dir)
      .map((f) => Number.parseInt(readFileSync(join(dir, f), 'utf8').trim(), 10))
      .filter((p) => Number.isInteger(p) && p > 0);
  } catch {
    return [];
  }
}

/** `n` distinct free loopback ports: all are held open together so the OS cannot hand one out twice. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Server>((resolve, reject) => {
          const srv = createServer();
          srv.on('error', reject);
          srv.listen(0, '127.0.0.1', () => resolve(srv));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const a = s.address();
    return typeof a === 'object' && a ? a.port : 0;
  });
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kill clusters left behind by test runs that died without stop() (e.g. SIGKILL, Ctrl-C). */
function sweepOrphans(): void {
  for (const d of readdirSync(tmpdir()).filter((f) => f.startsWith('pa-kwok-'))) {
    const workdir = join(tmpdir(), d);
    let owner = 0;
    try {
      owner = Number.parseInt(readFileSync(join(workdir, 'owner.pid'), 'utf8'), 10);
    } catch {
      continue; // being created right now, or not ours
    }
    if (owner === process.pid || alive(owner)) continue;
    let clusters: string[] = [];
    try {
      clusters = readdirSync(join(workdir, 'clusters'));
    } catch {
      // never got as far as creating a cluster
    }
    for (const c of clusters) {
      const clusterDir = join(workdir, 'clusters', c);
      for (const pid of readPids(clusterDir)) killComponent(pid, clusterDir);
    }
    rmSync(workdir, { recursive: true, force: true });
  }
}

export async function startKubeCluster(opts: KubeClusterOptions = {}): Promise<KubeCluster> {
  const nodes = opts.nodes ?? 2;
  const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
  const left = (): number => Math.max(1_000, deadline - Date.now());
  const kubectlBin = toolBin('kube', 'kubectl');
  const kwokctl = toolBin('kwok', 'kwokctl');

  // A private KWOK_WORKDIR keeps parallel runs apart and never touches ~/.kwok or ~/.kube.
  sweepOrphans();
  const workdir = mkdtempSync(join(tmpdir(), 'pa-kwok-'));
  writeFileSync(join(workdir, 'owner.pid'), String(process.pid));
  const name = `pa-${randomBytes(4).toString('hex')}`;
  const clusterDir = join(workdir, 'clusters', name);
  const kubeconfig = join(clusterDir, 'kubeconfig.yaml');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // kwokctl runs the first `kubectl` on PATH (ignoring KWOK_KUBECTL_BINARY when one exists): ours.
    PATH: `${dirname(kubectlBin)}${delimiter}${process.env.PATH ?? ''}`,
    KUBECONFIG: kubeconfig,
    KUBECACHEDIR: join(workdir, 'kube-cache'), // kubectl's discovery cache, instead of ~/.kube/cache
    KWOK_WORKDIR: workdir,
    KWOK_RUNTIME: 'binary',
    KWOK_KUBE_VERSION: `v${pinnedVersion('kube').replace(/^v/, '')}`,
    KWOK_ETCD_VERSION: pinnedVersion('etcd').replace(/^v/, ''),
    KWOK_KUBE_APISERVER_BINARY: toolBin('kube', 'kube-apiserver'),
    KWOK_KUBE_CONTROLLER_MANAGER_BINARY: toolBin('kube', 'kube-controller-manager'),
    KWOK_KUBE_SCHEDULER_BINARY: toolBin('kube', 'kube-scheduler'),
    KWOK_KUBECTL_BINARY: kubectlBin,
    KWOK_ETCD_BINARY: toolBin('etcd', 'etcd'),
    KWOK_CONTROLLER_BINARY: toolBin('kwok', 'kwok'),
  };

  let stopped = false;
  const kubectl = (args: string[], o?: RunOptions): Promise<RunResult> => run(kubectlBin, ['--kubeconfig', kubeconfig, ...args], env, o);
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    const pids = readPids(clusterDir);
    await run(kwokctl, ['delete', 'cluster', '--name', name], env, { timeoutMs: 60_000 });
    for (const pid of pids) {
      killComponent(pid, clusterDir);
      livePids.delete(pid);
    }
    rmSync(workdir, { recursive: true, force: true });
  };

  try {
    // kwokctl binds 0.0.0.0 by default and counts ports down from 32767, so two clusters
    // created at once could pick the same ones: bind loopback and take OS-chosen free ports.
    const [kubeApiserverPort, etcdPort, etcdPeerPort, kubeControllerManagerPort, kubeSchedulerPort, kwokControllerPort] = await freePorts(6);
    const ports = { kubeApiserverPort, etcdPort, etcdPeerPort, kubeControllerManagerPort, kubeSchedulerPort, kwokControllerPort };
    const ctlConfig = join(workdir, 'kwokctl.yaml');
    writeFileSync(
      ctlConfig,
      JSON.stringify({
        apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
        kind: 'KwokctlConfiguration',
        options: { bindAddress: '127.0.0.1', ...ports },
      }),
    );
    const stageFiles = readdirSync(stagesDir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(stagesDir, f));
    const create = await run(
      kwokctl,
      ['create', 'cluster', '--name', name, '--kubeconfig=', ...[ctlConfig, ...stageFiles].flatMap((f) => ['--config', f]), '--wait', `${Math.floor(left() / 2000)}s`],
      env,
      { timeoutMs: left() },
    );
    for (const pid of readPids(clusterDir)) livePids.set(pid, clusterDir);
    if (create.code !== 0) throw new Error(`kwokctl create cluster failed (${create.code}): ${create.stderr.trim().slice(-2000)}`);

    const scale = await run(kwokctl, ['scale', 'node', '--name', name, '--replicas', String(nodes)], env, { timeoutMs: left() });
    if (scale.code !== 0) throw new Error(`kwokctl scale node failed (${scale.code}): ${scale.stderr.trim().slice(-2000)}`);

    // Ready when the nodes are Ready and the service-account controller made `default` (pods need it).
    await waitFor(
      `${nodes} Ready kwok nodes`,
      async () => {
        const r = await kubectl(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
        return r.code === 0 && r.stdout.split('\n').filter((s) => s === 'True').length === nodes;
      },
      left(),
      500,
    );
    await waitFor('default service account', async () => (await kubectl(['get', 'serviceaccount', 'default'])).code === 0, left(), 500);
  } catch (e) {
    const logs = await run(kwokctl, ['logs', 'kube-apiserver', '--name', name], env, { timeoutMs: 10_000 });
    await stop();
    throw new Error(`test harness: kube cluster did not start: ${(e as Error).message}\n${logs.stdout.slice(-2000)}`);
  }
  return { name, kubeconfig, kubectl, stop };
}
