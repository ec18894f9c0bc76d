// Shared pieces of the end-to-end tests on the harness's real control plane: manifests generated here,
// a workspace per test, the action run through the local runner with the cluster's kubeconfig as a
// secret input, and kubectl helpers for the assertions.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { KubeCluster } from '../../../test/harness/services/kube.js';
import { runBundledAction, type RunBundledActionResult } from '../../../test/runner/runner.js';
import { kubectlBin } from './helpers.js';

export const BEHAVIOUR = 'harness.platform-actions/behaviour';

export interface WorkloadOpts {
  kind?: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  image?: string;
  behaviour?: string;
  replicas?: number;
  namespace?: string;
}

/** A workload whose pods the kwok Stages treat according to `behaviour` (none = Ready). */
export function workload(name: string, o: WorkloadOpts = {}): Record<string, unknown> {
  const kind = o.kind ?? 'Deployment';
  const labels = { app: name, ...(o.behaviour ? { [BEHAVIOUR]: o.behaviour } : {}) };
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, ...(o.namespace ? { namespace: o.namespace } : {}) },
    spec: {
      ...(kind === 'DaemonSet' ? {} : { replicas: o.replicas ?? 2 }),
      ...(kind === 'StatefulSet' ? { serviceName: name } : {}),
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: o.image ?? `registry.example.com/${name}:1.0` }] } },
    },
  };
}

export const yamlStream = (objs: Array<Record<string, unknown>>): string => objs.map((o) => JSON.stringify(o, null, 1)).join('\n---\n') + '\n';

export function workspace(files: Record<string, string>): string {
  const ws = mkdtempSync(join(tmpdir(), 'k8s-e2e-ws-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(ws, p)), { recursive: true });
    writeFileSync(join(ws, p), text);
  }
  return ws;
}

export async function deploy(kube: KubeCluster, ws: string, inputs: Record<string, string>, env: Record<string, string> = {}): Promise<RunBundledActionResult> {
  return runBundledAction({
    action: 'k8s-deploy-rollback',
    workspace: ws,
    inputs: { kubeconfig: readFileSync(kube.kubeconfig, 'utf8'), kubectl: kubectlBin(), ...inputs },
    env: { PATH: `${dirname(kubectlBin())}:${process.env.PATH}`, ...env },
    timeoutMs: 240_000,
  });
}

export async function kjson<T = Record<string, unknown>>(kube: KubeCluster, args: string[]): Promise<T> {
  const r = await kube.kubectl([...args, '-o', 'json']);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export async function ok(kube: KubeCluster, args: string[], input?: string): Promise<string> {
  const r = await kube.kubectl(args, { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

export async function namespace(kube: KubeCluster, name: string): Promise<string> {
  await ok(kube, ['create', 'namespace', name]);
  return name;
}

interface Dep {
  metadata: { annotations?: Record<string, string>; uid: string };
  status?: { readyReplicas?: number };
  spec: { template: { spec: { containers: Array<{ image: string }> } } };
}

/** Revision, live template hash (of the ReplicaSet at that revision), ready replicas and image of a Deployment. */
export async function deploymentState(kube: KubeCluster, ns: string, name: string): Promise<{ revision: number; hash: string; ready: number; image: string }> {
  const d = await kjson<Dep>(kube, ['get', 'deployment', name, '-n', ns]);
  const revision = Number(d.metadata.annotations?.['deployment.kubernetes.io/revision']);
  const rss = await kjson<{ items: Array<{ metadata: { labels: Record<string, string>; annotations: Record<string, string>; ownerReferences?: Array<{ uid: string }> } }> }>(kube, [
    'get',
    'replicasets',
    '-n',
    ns,
  ]);
  const rs = rss.items.find(
    (r) => r.metadata.ownerReferences?.some((o) => o.uid === d.metadata.uid) && Number(r.metadata.annotations['deployment.kubernetes.io/revision']) === revision,
  );
  return { revision, hash: rs?.metadata.labels['pod-template-hash'] ?? '', ready: d.status?.readyReplicas ?? 0, image: d.spec.template.spec.containers[0].image };
}

export async function rolloutOk(kube: KubeCluster, ns: string, ref: string): Promise<void> {
  await ok(kube, ['rollout', 'status', ref, '-n', ns, '--timeout=90s']);
}
