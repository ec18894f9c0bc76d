// kubectl, driven with argument arrays and a timeout on every call. Each method is one cluster
// operation the action needs; the decisions about what the answers mean live in classify.ts/plan.ts.
import { core, describeExit, exec, type ExecResult, expectExit, expectNotKilled, redactUrl, tail, ToolError, UserError } from '@platform-actions/kit';
import type { WorkloadRef } from './manifests.js';
import { type Snapshot, toSnapshot } from './classify.js';

export interface KubectlOptions {
  bin: string;
  /** KUBECONFIG for every call (a 0600 temp file written from the input, or the caller's). */
  env: NodeJS.ProcessEnv;
  fieldManager: string;
  serverSide: boolean;
  /** Server-side apply takes over fields another manager set (e.g. an earlier client-side apply). */
  forceConflicts: boolean;
}

/** Seconds kubectl itself waits for one API request; our process timeout is a little longer. */
const REQUEST_TIMEOUT_S = 15;
const CALL_TIMEOUT_MS = 60_000;

export class Kubectl {
  constructor(readonly o: KubectlOptions) {}

  run(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    return exec(this.o.bin, [`--request-timeout=${REQUEST_TIMEOUT_S}s`, ...args], {
      env: this.o.env,
      input: opts.input,
      timeoutMs: opts.timeoutMs ?? CALL_TIMEOUT_MS,
      killGraceMs: 2_000,
    });
  }

  async ok(args: string[], opts: { input?: string; timeoutMs?: number; what?: string } = {}): Promise<string> {
    return expectExit(await this.run(args, opts), [0], opts.what ?? `kubectl ${args.slice(0, 2).join(' ')}`).stdout;
  }

  /**
   * Checks the API server answers, with a bounded number of attempts (1 s, then 2 s apart): a cluster
   * that is briefly busy passes, a wrong address fails in seconds with one clear line.
   */
  async reachable(attempts = 3): Promise<string> {
    let last = '';
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 1000 * 2 ** (i - 1)));
      const r = await exec(this.o.bin, ['--request-timeout=5s', 'version', '-o', 'json'], { env: this.o.env, timeoutMs: 10_000, killGraceMs: 1_000 });
      // kubectl itself hung past its own request timeout, or was killed: that is kubectl, not the server.
      expectNotKilled(r, 'kubectl version (checking the API server)');
      if (r.exitCode === 0) {
        const v = JSON.parse(r.stdout) as { serverVersion?: { gitVersion?: string } };
        if (v.serverVersion?.gitVersion) return v.serverVersion.gitVersion;
      }
      last = tail(r.stderr || r.stdout, 1) || describeExit(r);
    }
    const server = await this.serverUrl();
    throw new UserError(`kubeconfig: the Kubernetes API server${server ? ` ${server}` : ''} did not answer after ${attempts} attempts (last error: ${last})`);
  }

  async serverUrl(): Promise<string | undefined> {
    const r = await exec(this.o.bin, ['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'], { env: this.o.env, timeoutMs: 10_000 });
    // Shown in messages: never with the user:password@ a server URL may carry.
    return r.exitCode === 0 && r.stdout.trim() ? redactUrl(r.stdout.trim()) : undefined;
  }

  /** The kubeconfig context's namespace, else "default". */
  async contextNamespace(): Promise<string> {
    const r = await exec(this.o.bin, ['config', 'view', '--minify', '-o', 'jsonpath={..namespace}'], { env: this.o.env, timeoutMs: 10_000 });
    return (r.exitCode === 0 && r.stdout.trim()) || 'default';
  }

  /** Kinds the server says are cluster-scoped (CRDs included), for placing objects in a namespace. */
  async clusterScopedKinds(): Promise<Set<string>> {
    const out = await this.ok(['api-resources', '--namespaced=false', '--no-headers'], { what: 'kubectl api-resources' });
    return new Set(
      out
        .split('\n')
        .map((l) => l.trim().split(/\s+/).pop() ?? '')
        .filter(Boolean),
    );
  }

  async kustomize(dir: string): Promise<string> {
    const r = expectNotKilled(await this.run(['kustomize', dir], { timeoutMs: 120_000 }), 'kubectl kustomize');
    if (r.exitCode !== 0) throw new UserError(`manifests: kustomize could not build ${dir}: ${tail(r.stderr, 1)}`);
    return r.stdout;
  }

  private applyArgs(): string[] {
    if (!this.o.serverSide) return ['apply', `--field-manager=${this.o.fieldManager}`, '-f', '-'];
    return ['apply', '--server-side', `--field-manager=${this.o.fieldManager}`, ...(this.o.forceConflicts ? ['--force-conflicts'] : []), '-f', '-'];
  }

  /** Server-side dry run of everything: validation, admission and schema checks, nothing persisted. */
  async dryRun(stream: string): Promise<ExecResult> {
    // Killed or timed out: kubectl's failure (a tool error), not a rejection of the manifests.
    return expectNotKilled(await this.run([...this.applyArgs(), '--dry-run=server', '--validate=strict'], { input: stream, timeoutMs: 180_000 }), 'kubectl apply --dry-run=server');
  }

  /** The real apply; kubectl applies every object it can and reports the ones it could not. */
  apply(stream: string): Promise<ExecResult> {
    return this.run([...this.applyArgs(), '--validate=strict'], { input: stream, timeoutMs: 300_000 });
  }

  /** Workloads, their ReplicaSets/ControllerRevisions and pods in one namespace, in one request. */
  async snapshot(namespace: string): Promise<Snapshot> {
    const out = await this.ok(['get', 'deployments.apps,statefulsets.apps,daemonsets.apps,replicasets.apps,controllerrevisions.apps,pods', '-n', namespace, '-o', 'json'], {
      what: 'kubectl get',
    });
    return toSnapshot(JSON.parse(out) as { items?: Array<{ kind?: string }> });
  }

  async events(namespace: string): Promise<
    Array<{
      type?: string;
      reason?: string;
      message?: string;
      count?: number;
      involvedObject?: { kind?: string; name?: string };
      lastTimestamp?: string;
      eventTime?: string;
      metadata?: { creationTimestamp?: string };
    }>
  > {
    const r = await this.run(['get', 'events', '-n', namespace, '-o', 'json'], { timeoutMs: 20_000 });
    if (r.exitCode !== 0) return [];
    return (JSON.parse(r.stdout) as { items?: [] }).items ?? [];
  }

  async logs(namespace: string, pod: string, container: string, lines: number, previous: boolean): Promise<string | undefined> {
    // Short bounds: logs are a nice-to-have and a node that does not serve them must not delay anything.
    const r = await exec(this.o.bin, ['--request-timeout=5s', 'logs', '-n', namespace, pod, '-c', container, `--tail=${lines}`, ...(previous ? ['--previous'] : [])], {
      env: this.o.env,
      timeoutMs: 8_000,
      killGraceMs: 1_000,
    });
    return r.exitCode === 0 ? r.stdout : undefined;
  }

  /** `rollout undo --to-revision=N`: the exact recorded revision, never "previous". */
  async undo(ref: WorkloadRef, toRevision: number): Promise<string> {
    const r = await this.run(['rollout', 'undo', `${ref.kind.toLowerCase()}/${ref.name}`, '-n', ref.namespace, `--to-revision=${toRevision}`], { timeoutMs: 60_000 });
    if (r.exitCode !== 0)
      throw new ToolError(
        `kubectl rollout undo ${ref.kind}/${ref.namespace}/${ref.name} --to-revision=${toRevision} failed: ${tail(r.stderr || r.stdout, 1)}`,
        tail(r.stderr || r.stdout, 20),
      );
    return r.stdout.trim();
  }

  async deletePods(namespace: string, names: string[]): Promise<void> {
    if (names.length === 0) return;
    const r = await this.run(['delete', 'pod', '-n', namespace, '--wait=false', ...names], { timeoutMs: 30_000 });
    if (r.exitCode !== 0) core.warning(`could not delete pods ${names.join(', ')}: ${tail(r.stderr, 1)}`);
  }

  /** Best effort: never fails or hangs a deploy (short timeout, a warning at most). */
  async annotate(ref: WorkloadRef, annotations: Record<string, string>): Promise<void> {
    const pairs = Object.entries(annotations).map(([k, v]) => `${k}=${v}`);
    const r = await this.run(['annotate', '--overwrite', `${ref.kind.toLowerCase()}/${ref.name}`, '-n', ref.namespace, ...pairs], { timeoutMs: 10_000 });
    if (r.exitCode !== 0) core.warning(`could not record the change cause on ${ref.kind}/${ref.namespace}/${ref.name} (ignored): ${tail(r.stderr, 1) || 'timed out'}`);
  }
}
