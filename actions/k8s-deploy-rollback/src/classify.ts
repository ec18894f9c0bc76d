// The decisions, over plain object JSON as `kubectl get -o json` returns it: which revision a workload is
// at, which pods belong to its new revision, and whether its rollout is done, still going, or failed
// for a reason that will not heal by waiting. No I/O here, so every rule is tested with tables.
import type { WorkloadKind, WorkloadRef } from './manifests.js';

export interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  ownerReferences?: Array<{ kind: string; name: string; uid: string; controller?: boolean }>;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
}

export interface Workload {
  kind: string;
  metadata: Meta;
  spec: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    template?: { metadata?: { labels?: Record<string, string> }; spec?: { containers?: Array<{ name: string; readinessProbe?: Probe; startupProbe?: Probe }> } };
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
    paused?: boolean;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
    numberReady?: number;
    conditions?: Condition[];
  };
}

export interface Probe {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  failureThreshold?: number;
}

export interface ContainerStatus {
  name: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  image?: string;
  state?: { waiting?: { reason?: string; message?: string }; running?: { startedAt?: string }; terminated?: { reason?: string; exitCode?: number; message?: string } };
  lastState?: { terminated?: { reason?: string; exitCode?: number; message?: string; finishedAt?: string } };
}

export interface Pod {
  kind?: string;
  metadata: Meta;
  spec?: { nodeName?: string; containers?: Array<{ name: string; readinessProbe?: Probe; startupProbe?: Probe }> };
  status?: {
    phase?: string;
    startTime?: string;
    reason?: string;
    message?: string;
    conditions?: Condition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

export interface ReplicaSet {
  kind?: string;
  metadata: Meta;
  spec?: { replicas?: number };
  status?: { replicas?: number; readyReplicas?: number };
}

export interface ControllerRevision {
  kind?: string;
  metadata: Meta;
  revision: number;
}

/** Everything in one namespace the watcher reads in one call. */
export interface Snapshot {
  workloads: Workload[];
  replicaSets: ReplicaSet[];
  controllerRevisions: ControllerRevision[];
  pods: Pod[];
}

/** Splits a `kubectl get a,b,c -o json` List into a Snapshot. */
export function toSnapshot(list: { items?: Array<{ kind?: string }> }): Snapshot {
  const s: Snapshot = { workloads: [], replicaSets: [], controllerRevisions: [], pods: [] };
  for (const item of list.items ?? []) {
    if (item.kind === 'Deployment' || item.kind === 'StatefulSet' || item.kind === 'DaemonSet') s.workloads.push(item as Workload);
    else if (item.kind === 'ReplicaSet') s.replicaSets.push(item as ReplicaSet);
    else if (item.kind === 'ControllerRevision') s.controllerRevisions.push(item as ControllerRevision);
    else if (item.kind === 'Pod') s.pods.push(item as Pod);
  }
  return s;
}

export const findWorkload = (s: Snapshot, ref: WorkloadRef): Workload | undefined => s.workloads.find((w) => w.kind === ref.kind && w.metadata.name === ref.name);

const ownedBy = (m: Meta, owner: Meta): boolean => (m.ownerReferences ?? []).some((o) => o.uid === owner.uid && o.controller !== false);

/** The hash suffix of a ControllerRevision name (`<owner>-<hash>`), which pods carry as controller-revision-hash. */
const crHash = (cr: ControllerRevision, owner: string): string => (cr.metadata.name.startsWith(`${owner}-`) ? cr.metadata.name.slice(owner.length + 1) : cr.metadata.name);

export interface RevisionRecord {
  /** Deployment: deployment.kubernetes.io/revision; StatefulSet/DaemonSet: the ControllerRevision's revision. 0 = unknown/none. */
  revision: number;
  /** Deployment: pod-template-hash of that ReplicaSet; StatefulSet/DaemonSet: the controller-revision-hash. */
  templateHash: string;
  /** The controller has seen the latest spec (status.observedGeneration ≥ metadata.generation). */
  observed: boolean;
}

/** The revision a workload is at now, as its controller last recorded it. */
export function currentRevision(w: Workload, s: Snapshot): RevisionRecord {
  const observed = (w.status?.observedGeneration ?? 0) >= (w.metadata.generation ?? 1);
  if (w.kind === 'Deployment') {
    const revision = Number(w.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0) || 0;
    const rs = s.replicaSets.find((r) => ownedBy(r.metadata, w.metadata) && Number(r.metadata.annotations?.['deployment.kubernetes.io/revision']) === revision);
    return { revision, templateHash: rs?.metadata.labels?.['pod-template-hash'] ?? '', observed };
  }
  const crs = s.controllerRevisions.filter((c) => ownedBy(c.metadata, w.metadata));
  if (w.kind === 'StatefulSet') {
    const cr = crs.find((c) => c.metadata.name === w.status?.updateRevision);
    return { revision: cr?.revision ?? 0, templateHash: cr ? crHash(cr, w.metadata.name) : '', observed: observed && !!cr };
  }
  // DaemonSet: the newest ControllerRevision is the one its pods are being moved to.
  const newest = crs.reduce<ControllerRevision | undefined>((a, c) => (!a || c.revision > a.revision ? c : a), undefined);
  return { revision: newest?.revision ?? 0, templateHash: newest ? crHash(newest, w.metadata.name) : '', observed: observed && !!newest };
}

/**
 * Every revision the cluster still records for a workload, oldest first: a Deployment's ReplicaSets (as
 * many as revisionHistoryLimit keeps), a StatefulSet's or DaemonSet's ControllerRevisions. These are the
 * revisions `kubectl rollout history` lists and `rollout undo --to-revision` accepts.
 */
export function recordedRevisions(w: Workload, s: Snapshot): RevisionRecord[] {
  const out =
    w.kind === 'Deployment'
      ? s.replicaSets
          .filter((r) => ownedBy(r.metadata, w.metadata))
          .map((r) => ({
            revision: Number(r.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0) || 0,
            templateHash: r.metadata.labels?.['pod-template-hash'] ?? '',
            observed: true,
          }))
      : s.controllerRevisions.filter((c) => ownedBy(c.metadata, w.metadata)).map((c) => ({ revision: c.revision, templateHash: crHash(c, w.metadata.name), observed: true }));
  return out.filter((r) => r.revision > 0).sort((a, b) => a.revision - b.revision);
}

function selectorMatches(sel: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  return Object.entries(sel).every(([k, v]) => labels?.[k] === v);
}

/** Pods of the workload's current revision (the ones whose health decides the rollout). */
export function newPods(w: Workload, s: Snapshot, rev: RevisionRecord): Pod[] {
  if (w.kind === 'Deployment') {
    const rs = s.replicaSets.find((r) => ownedBy(r.metadata, w.metadata) && r.metadata.labels?.['pod-template-hash'] === rev.templateHash);
    return rs ? s.pods.filter((p) => ownedBy(p.metadata, rs.metadata)) : [];
  }
  return s.pods.filter((p) => ownedBy(p.metadata, w.metadata) && (!rev.templateHash || atRevision(p, w.metadata.name, rev.templateHash)));
}

/**
 * Whether a pod of a StatefulSet/DaemonSet belongs to the revision with this hash. Its
 * controller-revision-hash label is the hash for DaemonSet pods but the whole ControllerRevision name
 * (`<owner>-<hash>`) for StatefulSet pods.
 */
export function atRevision(p: Pod, owner: string, hash: string): boolean {
  const label = p.metadata.labels?.['controller-revision-hash'];
  return label === hash || label === `${owner}-${hash}`;
}

/** All pods the workload owns (directly or through its ReplicaSets), for diagnostics. */
export function allPods(w: Workload, s: Snapshot): Pod[] {
  if (w.kind !== 'Deployment') return s.pods.filter((p) => ownedBy(p.metadata, w.metadata));
  const rss = s.replicaSets.filter((r) => ownedBy(r.metadata, w.metadata));
  return s.pods.filter(
    (p) => rss.some((r) => ownedBy(p.metadata, r.metadata)) || (!p.metadata.ownerReferences && selectorMatches(w.spec.selector?.matchLabels, p.metadata.labels)),
  );
}

export interface Thresholds {
  /** CrashLoopBackOff counts as failed once a container restarted this many times. */
  crashLoopRestarts: number;
  /** A running pod that is not Ready (or a pod that cannot be scheduled) fails after this long. */
  readinessGraceMs: number;
}

export type Phase = 'waiting' | 'ready' | 'failed';

export interface Verdict {
  phase: Phase;
  /** Short machine reason: ImagePullBackOff, CrashLoopBackOff, ProgressDeadlineExceeded, ReadinessTimeout, … */
  reason?: string;
  /** One line a person can act on, naming the pod and container. */
  message?: string;
  progress: { desired: number; updated: number; ready: number; available: number };
  /** Names of the pods that show the failure. */
  failingPods: string[];
}

/** The fail-fast rules, as documented in the README (its table is generated from this list: `npm run docs`). */
export const RULES: ReadonlyArray<{ reason: string; signal: string; when: string }> = [
  {
    reason: 'ImagePullBackOff, ErrImagePull, InvalidImageName, ErrImageNeverPull, RegistryUnavailable',
    signal: 'a container of a new pod waits with this reason',
    when: 'at once: a missing image or registry does not heal by waiting',
  },
  {
    reason: 'CreateContainerConfigError, CreateContainerError, RunContainerError',
    signal: 'a container of a new pod waits with this reason (missing Secret/ConfigMap key, bad command)',
    when: 'at once',
  },
  { reason: 'CrashLoopBackOff', signal: 'a container of a new pod is crash-looping (or terminated non-zero)', when: 'once it restarted `crashloop-restarts` times (default 3)' },
  { reason: 'ProgressDeadlineExceeded', signal: "the Deployment's Progressing condition", when: 'at once (the controller gave up after progressDeadlineSeconds)' },
  { reason: 'Unschedulable', signal: 'a new pod cannot be scheduled', when: 'after `readiness-grace` (an autoscaler may still add a node)' },
  { reason: 'ReadinessTimeout', signal: 'a new pod runs but is not Ready', when: "after `readiness-grace` (default 60 s), or the pod's own probe budget if longer" },
  { reason: 'PodFailed / Evicted', signal: 'a new pod is in phase Failed', when: 'at once' },
  { reason: 'Paused', signal: 'the Deployment is paused', when: 'at once (it cannot progress)' },
  { reason: 'Timeout', signal: 'none of the above, but not ready', when: 'at `timeout` minus the time kept back for a rollback' },
];

const IMAGE_REASONS = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull', 'RegistryUnavailable']);
const CONFIG_REASONS = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

const ms = (t: string | undefined): number | undefined => (t ? Date.parse(t) : undefined);

/** Worst case time a healthy container may take to pass its probes, so the grace never cuts a slow-but-configured start short. */
export function probeBudgetMs(containers: Array<{ readinessProbe?: Probe; startupProbe?: Probe }> = []): number {
  const budget = (p?: Probe): number => (p ? ((p.initialDelaySeconds ?? 0) + (p.periodSeconds ?? 10) * (p.failureThreshold ?? 3)) * 1000 : 0);
  return Math.max(0, ...containers.map((c) => budget(c.startupProbe) + budget(c.readinessProbe)));
}

type Problem = { reason: string; message: string };

/** Why one pod of the new revision will not become healthy, or undefined while it may still get there. */
export function podProblem(p: Pod, now: number, t: Thresholds): Problem | undefined {
  const statuses = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
  for (const c of statuses) {
    const problem = containerProblem(p.metadata.name, c, t);
    if (problem) return problem;
  }
  const sched = condition(p, 'PodScheduled');
  if (sched?.status === 'False' && sched.reason === 'Unschedulable') return unschedulable(p, sched, now, t);
  if (p.status?.phase === 'Failed') return podFailed(p.metadata.name, p.status);
  return readinessTimeout(p, now, t);
}

const condition = (p: Pod, type: string): Condition | undefined => p.status?.conditions?.find((c) => c.type === type);

/** A container that waits for an image or a config that will not come, or crash-loops past the threshold. */
function containerProblem(pod: string, c: ContainerStatus, t: Thresholds): Problem | undefined {
  const w = c.state?.waiting;
  const detail = w?.message ? ` (${firstLine(w.message)})` : '';
  if (w?.reason && IMAGE_REASONS.has(w.reason))
    return { reason: w.reason, message: `pod ${pod} container ${c.name}: ${w.reason}${c.image ? ` for image ${c.image}` : ''}${detail}` };
  if (w?.reason && CONFIG_REASONS.has(w.reason)) return { reason: w.reason, message: `pod ${pod} container ${c.name}: ${w.reason}${detail}` };
  return crashLoop(pod, c, t);
}

function crashLoop(pod: string, c: ContainerStatus, t: Thresholds): Problem | undefined {
  const restarts = c.restartCount ?? 0;
  const crashing = c.state?.waiting?.reason === 'CrashLoopBackOff' || (c.state?.terminated && c.state.terminated.exitCode !== 0);
  if (!crashing || restarts < t.crashLoopRestarts) return undefined;
  const last = c.lastState?.terminated ?? c.state?.terminated;
  const exit = last ? `, last exit code ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}` : '';
  return { reason: 'CrashLoopBackOff', message: `pod ${pod} container ${c.name}: CrashLoopBackOff after ${restarts} restarts${exit}` };
}

function unschedulable(p: Pod, sched: Condition, now: number, t: Thresholds): Problem | undefined {
  const since = ms(sched.lastTransitionTime) ?? ms(p.metadata.creationTimestamp) ?? now;
  // A cluster autoscaler may still add a node, so unschedulable gets the readiness grace too.
  if (now - since >= t.readinessGraceMs)
    return { reason: 'Unschedulable', message: `pod ${p.metadata.name} cannot be scheduled for ${Math.round((now - since) / 1000)}s: ${firstLine(sched.message ?? '')}` };
  return undefined;
}

const podFailed = (pod: string, st: NonNullable<Pod['status']>): Problem => ({
  reason: st.reason ?? 'PodFailed',
  message: `pod ${pod} failed: ${firstLine(st.message ?? st.reason ?? '')}`,
});

/** A running pod that is not Ready after the grace (or its own probe budget, if longer). */
function readinessTimeout(p: Pod, now: number, t: Thresholds): Problem | undefined {
  if (p.status?.phase !== 'Running' || condition(p, 'Ready')?.status === 'True') return undefined;
  const containers = p.status.containerStatuses ?? [];
  const started = Math.max(...containers.map((c) => ms(c.state?.running?.startedAt) ?? 0), ms(p.status.startTime) ?? 0);
  const grace = Math.max(t.readinessGraceMs, probeBudgetMs(p.spec?.containers));
  if (started > 0 && now - started >= grace) {
    const notReady = containers.filter((c) => !c.ready).map((c) => c.name);
    return {
      reason: 'ReadinessTimeout',
      message: `pod ${p.metadata.name}: running but not Ready after ${Math.round((now - started) / 1000)}s (grace ${Math.round(grace / 1000)}s; containers not ready: ${notReady.join(', ') || '?'})`,
    };
  }
  return undefined;
}

const firstLine = (s: string): string => s.split('\n')[0].slice(0, 300);

/** Is this workload's rollout done, still going, or failed (and why)? */
export function classify(w: Workload, s: Snapshot, now: number, t: Thresholds): Verdict {
  const rev = currentRevision(w, s);
  const progress = progressOf(w);
  const verdict = (phase: Phase, reason?: string, message?: string, failingPods: string[] = []): Verdict => ({ phase, reason, message, progress, failingPods });

  if (!rev.observed) return verdict('waiting', undefined, 'waiting for the controller to observe the new spec');

  const stopped = w.kind === 'Deployment' ? deploymentStopped(w, s, rev, t) : undefined;
  if (stopped) return verdict('failed', stopped.reason, stopped.message, stopped.failingPods);

  // Fail fast on the first pod of the new revision that will not heal.
  for (const p of newPods(w, s, rev)) {
    const problem = podProblem(p, now, t);
    if (problem) return verdict('failed', problem.reason, problem.message, [p.metadata.name]);
  }
  return verdict(rolledOut(w, progress) ? 'ready' : 'waiting');
}

/** Desired, updated, ready and available replicas (a DaemonSet counts scheduled nodes). */
function progressOf(w: Workload): Verdict['progress'] {
  const st = w.status ?? {};
  const kind = w.kind as WorkloadKind;
  if (kind === 'DaemonSet') {
    return { desired: st.desiredNumberScheduled ?? 0, updated: st.updatedNumberScheduled ?? 0, ready: st.numberReady ?? 0, available: st.numberAvailable ?? 0 };
  }
  return {
    desired: w.spec.replicas ?? 1,
    updated: st.updatedReplicas ?? 0,
    ready: st.readyReplicas ?? 0,
    available: kind === 'StatefulSet' ? (st.availableReplicas ?? st.readyReplicas ?? 0) : (st.availableReplicas ?? 0),
  };
}

/** A Deployment fails as a whole when its controller gave up (progress deadline) or it is paused. */
function deploymentStopped(w: Workload, s: Snapshot, rev: RevisionRecord, t: Thresholds): (Problem & { failingPods: string[] }) | undefined {
  const progressing = w.status?.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    const pods = newPods(w, s, rev);
    const detail = pods.map((p) => podProblem(p, Number.MAX_SAFE_INTEGER / 2, { ...t, readinessGraceMs: 0 })).find(Boolean);
    return {
      reason: 'ProgressDeadlineExceeded',
      message: `${firstLine(progressing.message ?? 'progress deadline exceeded')}${detail ? `; ${detail.message}` : ''}`,
      failingPods: pods.map((p) => p.metadata.name),
    };
  }
  if (w.spec.paused) return { reason: 'Paused', message: 'the Deployment is paused, so the rollout cannot progress', failingPods: [] };
  return undefined;
}

/** Every replica (or node) runs the new revision and is available, and no old replica is left. */
function rolledOut(w: Workload, p: Verdict['progress']): boolean {
  const kind = w.kind as WorkloadKind;
  if (kind === 'Deployment') return p.updated >= p.desired && (w.status?.replicas ?? 0) <= p.updated && p.available >= p.desired;
  if (kind === 'StatefulSet') return statefulSetRolledOut(w, p);
  return p.updated >= p.desired && p.available >= p.desired;
}

/**
 * With OnDelete or a partition, currentRevision does not catch up with updateRevision while pods are held
 * back, so the counts decide; a partition keeps that many pods at the old revision on purpose.
 */
function statefulSetRolledOut(w: Workload, p: Verdict['progress']): boolean {
  const st = w.status ?? {};
  const partition = w.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  const settled = w.spec.updateStrategy?.type === 'OnDelete' || st.updateRevision === st.currentRevision || partition > 0;
  return settled && p.updated >= p.desired - partition && p.ready >= p.desired;
}
