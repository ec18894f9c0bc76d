// The fail-fast rules and revision bookkeeping, over object JSON shaped like `kubectl get -o json`.
import { describe, expect, test } from '@jest/globals';
import { atRevision, classify, currentRevision, newPods, type Pod, podProblem, probeBudgetMs, type Snapshot, toSnapshot, type Verdict, type Workload } from '../src/classify.js';
import { planRollback, lastDeployed, isPending, latest } from '../src/plan.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (s: number): string => new Date(T0 + s * 1000).toISOString();
const t = { crashLoopRestarts: 3, readinessGraceMs: 60_000 };

const dep = (over: Partial<Workload['status']> & { generation?: number; revision?: string; paused?: boolean } = {}): Workload => ({
  kind: 'Deployment',
  metadata: { name: 'web', uid: 'd1', generation: over.generation ?? 2, annotations: { 'deployment.kubernetes.io/revision': over.revision ?? '2' } },
  spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, paused: over.paused },
  status: { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, ...over },
});
const rs = (name: string, hash: string, revision: number) => ({
  kind: 'ReplicaSet',
  metadata: {
    name,
    uid: `u-${name}`,
    labels: { 'pod-template-hash': hash },
    annotations: { 'deployment.kubernetes.io/revision': String(revision) },
    ownerReferences: [{ kind: 'Deployment', name: 'web', uid: 'd1', controller: true }],
  },
});
const pod = (name: string, owner: string, status: Pod['status'], labels: Record<string, string> = {}): Pod => ({
  kind: 'Pod',
  metadata: { name, labels, creationTimestamp: iso(0), ownerReferences: [{ kind: 'ReplicaSet', name: owner, uid: `u-${owner}`, controller: true }] },
  status,
});
const snap = (w: Workload, pods: Pod[]): Snapshot => toSnapshot({ items: [w, rs('web-old', 'old', 1), rs('web-new', 'new', 2), ...pods] });

const running = (ready: boolean, startedS = 0) => ({
  phase: 'Running',
  startTime: iso(startedS),
  conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
  containerStatuses: [{ name: 'app', ready, restartCount: 0, state: { running: { startedAt: iso(startedS) } } }],
});
const waiting = (reason: string, restarts = 0, phase = 'Pending') => ({
  phase,
  containerStatuses: [
    {
      name: 'app',
      ready: false,
      restartCount: restarts,
      image: 'x:1',
      state: { waiting: { reason, message: `${reason} happened` } },
      lastState: restarts ? { terminated: { exitCode: 1, reason: 'Error' } } : undefined,
    },
  ],
});

describe('podProblem', () => {
  test.each<[string, Pod['status'], number, string | undefined]>([
    ['image pull back-off fails at once', waiting('ImagePullBackOff'), 1, 'ImagePullBackOff'],
    ['ErrImagePull fails at once', waiting('ErrImagePull'), 1, 'ErrImagePull'],
    ['config error fails at once', waiting('CreateContainerConfigError'), 1, 'CreateContainerConfigError'],
    ['crash loop below the threshold waits', waiting('CrashLoopBackOff', 2, 'Running'), 1, undefined],
    ['crash loop at the threshold fails', waiting('CrashLoopBackOff', 3, 'Running'), 1, 'CrashLoopBackOff'],
    ['ContainerCreating waits', waiting('ContainerCreating'), 1, undefined],
    ['running, not ready within the grace waits', running(false), 59, undefined],
    ['running, not ready past the grace fails', running(false), 60, 'ReadinessTimeout'],
    ['running and ready is fine', running(true), 600, undefined],
    [
      'unschedulable within the grace waits',
      { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available', lastTransitionTime: iso(0) }] },
      30,
      undefined,
    ],
    [
      'unschedulable past the grace fails',
      { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available', lastTransitionTime: iso(0) }] },
      61,
      'Unschedulable',
    ],
    ['a failed pod fails', { phase: 'Failed', reason: 'Evicted', message: 'low on memory' }, 1, 'Evicted'],
  ])('%s', (_name, status, atS, want) => {
    expect(podProblem(pod('p', 'web-new', status), T0 + atS * 1000, t)?.reason).toBe(want);
  });

  test('the message names pod, container, reason and image', () => {
    expect(podProblem(pod('web-new-abc', 'web-new', waiting('ImagePullBackOff')), T0, t)?.message).toBe(
      'pod web-new-abc container app: ImagePullBackOff for image x:1 (ImagePullBackOff happened)',
    );
    expect(podProblem(pod('p', 'web-new', waiting('CrashLoopBackOff', 4, 'Running')), T0, t)?.message).toBe(
      'pod p container app: CrashLoopBackOff after 4 restarts, last exit code 1 (Error)',
    );
  });

  test('probes that allow longer than the grace extend it', () => {
    const containers = [{ name: 'app', readinessProbe: { initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 6 } }];
    expect(probeBudgetMs(containers)).toBe(90_000);
    const p = { ...pod('p', 'web-new', running(false)), spec: { containers } };
    expect(podProblem(p, T0 + 80_000, t)).toBeUndefined();
    expect(podProblem(p, T0 + 90_000, t)?.reason).toBe('ReadinessTimeout');
  });
});

describe('classify a Deployment', () => {
  test('ready when all replicas are updated and available and old ones are gone', () => {
    const w = dep();
    expect(classify(w, snap(w, [pod('a', 'web-new', running(true))]), T0, t)).toMatchObject({ phase: 'ready', progress: { desired: 2, updated: 2, ready: 2, available: 2 } });
  });
  test('waiting while old replicas remain', () => {
    const w = dep({ replicas: 3, updatedReplicas: 2 });
    expect(classify(w, snap(w, []), T0, t).phase).toBe('waiting');
  });
  test('waiting until the controller observed the new generation (revision not moved yet)', () => {
    const w = dep({ generation: 3 });
    expect(classify(w, snap(w, [pod('a', 'web-new', waiting('ImagePullBackOff'))]), T0, t).phase).toBe('waiting');
  });
  test('only pods of the new ReplicaSet count: an old pod in back-off does not fail the rollout', () => {
    const w = dep({ updatedReplicas: 1, availableReplicas: 1, replicas: 3 });
    const s = snap(w, [pod('old-1', 'web-old', waiting('ImagePullBackOff')), pod('new-1', 'web-new', running(true))]);
    expect(newPods(w, s, currentRevision(w, s)).map((p) => p.metadata.name)).toEqual(['new-1']);
    expect(classify(w, s, T0, t).phase).toBe('waiting');
  });
  test('fails fast on a new pod in ImagePullBackOff, naming it', () => {
    const w = dep({ updatedReplicas: 1, availableReplicas: 2, replicas: 3 });
    expect(classify(w, snap(w, [pod('new-1', 'web-new', waiting('ImagePullBackOff'))]), T0, t)).toMatchObject({
      phase: 'failed',
      reason: 'ImagePullBackOff',
      failingPods: ['new-1'],
    });
  });
  test('ProgressDeadlineExceeded fails, with the pod reason appended', () => {
    const w = dep({
      updatedReplicas: 1,
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-new" has timed out progressing.' }],
    });
    const v = classify(w, snap(w, [pod('new-1', 'web-new', running(false))]), T0, t);
    expect(v.phase).toBe('failed');
    expect(v.reason).toBe('ProgressDeadlineExceeded');
    expect(v.message).toMatch(/^ReplicaSet "web-new" has timed out progressing\.; pod new-1: running but not Ready/);
  });
  test('a paused Deployment cannot progress', () => {
    const w = dep({ paused: true, updatedReplicas: 0 });
    expect(classify(w, snap(w, []), T0, t)).toMatchObject({ phase: 'failed', reason: 'Paused' });
  });
  test('currentRevision reads the annotation and the ReplicaSet hash', () => {
    const w = dep();
    expect(currentRevision(w, snap(w, []))).toEqual({ revision: 2, templateHash: 'new', observed: true });
  });
});

describe('StatefulSet and DaemonSet revisions come from ControllerRevisions', () => {
  const cr = (owner: string, uid: string, hash: string, revision: number) => ({
    kind: 'ControllerRevision',
    revision,
    metadata: { name: `${owner}-${hash}`, ownerReferences: [{ kind: 'X', name: owner, uid, controller: true }] },
  });
  test('StatefulSet: updateRevision, rolling update done when current = update and all ready', () => {
    const w: Workload = {
      kind: 'StatefulSet',
      metadata: { name: 'db', uid: 's1', generation: 2 },
      spec: { replicas: 2 },
      status: { observedGeneration: 2, currentRevision: 'db-aaa', updateRevision: 'db-bbb', updatedReplicas: 1, readyReplicas: 2 },
    };
    const s = toSnapshot({ items: [w, cr('db', 's1', 'aaa', 1), cr('db', 's1', 'bbb', 2)] });
    expect(currentRevision(w, s)).toEqual({ revision: 2, templateHash: 'bbb', observed: true });
    expect(classify(w, s, T0, t).phase).toBe('waiting');
    const done = { ...w, status: { ...w.status, currentRevision: 'db-bbb', updatedReplicas: 2 } };
    expect(classify(done, s, T0, t).phase).toBe('ready');
  });
  test('DaemonSet: the newest ControllerRevision; a crash-looping new pod fails', () => {
    const w: Workload = {
      kind: 'DaemonSet',
      metadata: { name: 'agent', uid: 'ds1', generation: 3 },
      spec: {},
      status: { observedGeneration: 3, desiredNumberScheduled: 2, updatedNumberScheduled: 1, numberAvailable: 1, numberReady: 1 },
    };
    const bad: Pod = {
      kind: 'Pod',
      metadata: { name: 'agent-x', labels: { 'controller-revision-hash': 'ccc' }, ownerReferences: [{ kind: 'DaemonSet', name: 'agent', uid: 'ds1', controller: true }] },
      status: waiting('CrashLoopBackOff', 5, 'Running'),
    };
    const s = toSnapshot({ items: [w, cr('agent', 'ds1', 'aaa', 1), cr('agent', 'ds1', 'ccc', 3), bad] });
    expect(currentRevision(w, s)).toEqual({ revision: 3, templateHash: 'ccc', observed: true });
    expect(classify(w, s, T0, t)).toMatchObject({ phase: 'failed', reason: 'CrashLoopBackOff' });
  });
});

test('StatefulSet pods carry the whole ControllerRevision name, DaemonSet pods only the hash', () => {
  const p = (label: string): Pod => ({ metadata: { name: 'x', labels: { 'controller-revision-hash': label } } });
  expect(atRevision(p('db-86bf6dfdfb'), 'db', '86bf6dfdfb')).toBe(true);
  expect(atRevision(p('bd6f6988f'), 'agent', 'bd6f6988f')).toBe(true);
  expect(atRevision(p('db-849b598d4b'), 'db', '86bf6dfdfb')).toBe(false);
});

describe('planRollback', () => {
  const ref = (name: string) => ({ kind: 'Deployment' as const, namespace: 'ns', name });
  const rec = (revision: number, templateHash = `h${revision}`) => ({ revision, templateHash, observed: true });
  test.each([
    ['moved: undo to exactly the recorded revision', rec(3), rec(4), { action: 'undo', toRevision: 3, fromRevision: 4, templateHash: 'h3' }],
    ['unchanged: never touched (a plain undo would go to an older revision)', rec(3), rec(3), { action: 'keep', why: 'unchanged by this deploy (still revision 3)' }],
    ['moved back to an old template (new revision number): undo to the recorded one', rec(5), rec(6, 'h2'), { action: 'undo', toRevision: 5 }],
    ['new workload: nothing to restore', undefined, rec(1), { action: 'keep', why: expect.stringMatching(/created by this deploy/) }],
    ['gone after the deploy', rec(2), undefined, { action: 'keep', why: 'not found after the deploy' }],
  ])('%s', (_n, before, after, want) => {
    const steps = planRollback([{ ref: ref('a'), record: before }], new Map([['Deployment/ns/a', after]]));
    expect(steps[0]).toMatchObject(want);
  });
});

describe('helm history', () => {
  const h = [
    { revision: 1, status: 'superseded' },
    { revision: 2, status: 'deployed' },
    { revision: 3, status: 'failed' },
    { revision: 4, status: 'pending-upgrade' },
  ];
  test('the last deployed revision, and pending detection', () => {
    expect(lastDeployed(h)?.revision).toBe(2);
    expect(isPending(latest(h))).toBe(true);
    expect(isPending(latest(h.slice(0, 3)))).toBe(false);
    expect(lastDeployed([{ revision: 1, status: 'failed' }])).toBeUndefined();
  });
});

// Every branch of podProblem with its whole answer (reason and message), pinned before it was split.
describe('podProblem: reason and message per rule', () => {
  const unschedulable = (extra: Record<string, string> = {}): Pod['status'] => ({
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', ...extra }],
  });
  const app = (over: Record<string, unknown>): Pod['status'] => ({ phase: 'Running', containerStatuses: [{ name: 'app', ready: false, ...over }] });
  const PODS: Array<[string, Pod['status'], number, ReturnType<typeof podProblem>]> = [
    [
      'image pull, no image or message',
      { containerStatuses: [{ name: 'app', state: { waiting: { reason: 'ErrImageNeverPull' } } }] },
      0,
      { reason: 'ErrImageNeverPull', message: 'pod p container app: ErrImageNeverPull' },
    ],
    [
      'an init container is checked first',
      {
        initContainerStatuses: [{ name: 'init', image: 'i:1', state: { waiting: { reason: 'InvalidImageName', message: 'bad\nname' } } }],
        containerStatuses: [{ name: 'app', state: { waiting: { reason: 'CreateContainerError' } } }],
      },
      0,
      { reason: 'InvalidImageName', message: 'pod p container init: InvalidImageName for image i:1 (bad)' },
    ],
    [
      'config error with a message',
      app({ state: { waiting: { reason: 'RunContainerError', message: 'exec: "x": not found\nmore' } } }),
      0,
      { reason: 'RunContainerError', message: 'pod p container app: RunContainerError (exec: "x": not found)' },
    ],
    [
      'config error without a message',
      app({ state: { waiting: { reason: 'CreateContainerConfigError' } } }),
      0,
      { reason: 'CreateContainerConfigError', message: 'pod p container app: CreateContainerConfigError' },
    ],
    [
      'terminated non-zero at the threshold',
      app({ restartCount: 3, state: { terminated: { exitCode: 2, reason: 'Error' } } }),
      0,
      { reason: 'CrashLoopBackOff', message: 'pod p container app: CrashLoopBackOff after 3 restarts, last exit code 2 (Error)' },
    ],
    ['terminated non-zero below the threshold', app({ restartCount: 2, state: { terminated: { exitCode: 2 } } }), 0, undefined],
    ['terminated zero is not a crash', { phase: 'Succeeded', containerStatuses: [{ name: 'app', restartCount: 9, state: { terminated: { exitCode: 0 } } }] }, 0, undefined],
    [
      'crash loop with no last state',
      app({ restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }),
      0,
      { reason: 'CrashLoopBackOff', message: 'pod p container app: CrashLoopBackOff after 3 restarts' },
    ],
    [
      'crash loop, last state without a reason',
      app({ restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 137 } } }),
      0,
      { reason: 'CrashLoopBackOff', message: 'pod p container app: CrashLoopBackOff after 3 restarts, last exit code 137' },
    ],
    [
      'unschedulable since its transition',
      unschedulable({ message: '0/2 nodes\ndetail', lastTransitionTime: iso(10) }),
      75,
      { reason: 'Unschedulable', message: 'pod p cannot be scheduled for 65s: 0/2 nodes' },
    ],
    ['unschedulable since its creation (no transition time), no message', unschedulable(), 61, { reason: 'Unschedulable', message: 'pod p cannot be scheduled for 61s: ' }],
    ['unschedulable just short of the grace', unschedulable({ lastTransitionTime: iso(10) }), 69, undefined],
    [
      'not scheduled for another reason falls through to the phase',
      { phase: 'Failed', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] },
      0,
      { reason: 'PodFailed', message: 'pod p failed: ' },
    ],
    ['failed with no reason or message', { phase: 'Failed' }, 0, { reason: 'PodFailed', message: 'pod p failed: ' }],
    ['failed with a reason only', { phase: 'Failed', reason: 'Evicted' }, 0, { reason: 'Evicted', message: 'pod p failed: Evicted' }],
    [
      'running, not ready: the message names the grace and the containers',
      running(false, 5),
      70,
      { reason: 'ReadinessTimeout', message: 'pod p: running but not Ready after 65s (grace 60s; containers not ready: app)' },
    ],
    [
      'running without a Ready condition, every container ready',
      { phase: 'Running', startTime: iso(0), containerStatuses: [{ name: 'app', ready: true }] },
      60,
      { reason: 'ReadinessTimeout', message: 'pod p: running but not Ready after 60s (grace 60s; containers not ready: ?)' },
    ],
    ['running, no start time known', { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] }, 600, undefined],
    [
      'running, the latest container start counts',
      {
        ...running(false, 0),
        containerStatuses: [
          { name: 'app', ready: false, state: { running: { startedAt: iso(30) } } },
          { name: 'side', ready: true },
        ],
      },
      90,
      { reason: 'ReadinessTimeout', message: 'pod p: running but not Ready after 60s (grace 60s; containers not ready: app)' },
    ],
    ['pending with no statuses', { phase: 'Pending' }, 600, undefined],
  ];
  test.each(PODS)('%s', (_name, status, atS, want) => {
    expect(podProblem(pod('p', 'web-new', status), T0 + atS * 1000, t)).toEqual(want);
  });
});

// classify's whole verdict per kind and rule, pinned before it was split.
describe('classify: the whole verdict per kind', () => {
  const owned = (uid: string) => [{ kind: 'X', name: 'o', uid, controller: true }];
  const cr = (owner: string, uid: string, hash: string, revision: number) => ({
    kind: 'ControllerRevision',
    revision,
    metadata: { name: `${owner}-${hash}`, ownerReferences: owned(uid) },
  });
  const sts = (spec: Partial<Workload['spec']>, status: Workload['status']): Workload => ({
    kind: 'StatefulSet',
    metadata: { name: 'db', uid: 's1', generation: 2 },
    spec: { replicas: 3, ...spec },
    status: { observedGeneration: 2, currentRevision: 'db-aaa', updateRevision: 'db-bbb', ...status },
  });
  const stsSnap = (w: Workload, pods: Pod[] = []) => toSnapshot({ items: [w, cr('db', 's1', 'aaa', 1), cr('db', 's1', 'bbb', 2), ...pods] });
  const ds = (status: Workload['status']): Workload => ({
    kind: 'DaemonSet',
    metadata: { name: 'agent', uid: 'ds1', generation: 1 },
    spec: {},
    status: { observedGeneration: 1, ...status },
  });
  const dsSnap = (w: Workload) => toSnapshot({ items: [w, cr('agent', 'ds1', 'ccc', 4)] });
  const pde = (message?: string) => [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message }];
  const CASES: Array<[string, Workload, Snapshot, Verdict]> = [
    [
      'Deployment not observed yet',
      dep({ generation: 5 }),
      snap(dep({ generation: 5 }), []),
      { phase: 'waiting', message: 'waiting for the controller to observe the new spec', progress: { desired: 2, updated: 2, ready: 2, available: 2 }, failingPods: [] },
    ],
    [
      'Deployment past its deadline, no pods, no message',
      dep({ conditions: pde() }),
      snap(dep({ conditions: pde() }), []),
      { phase: 'failed', reason: 'ProgressDeadlineExceeded', message: 'progress deadline exceeded', progress: { desired: 2, updated: 2, ready: 2, available: 2 }, failingPods: [] },
    ],
    [
      'Deployment past its deadline, every new pod listed, the first problem appended',
      dep({ conditions: pde('timed out') }),
      snap(dep({ conditions: pde('timed out') }), [
        pod('n1', 'web-new', { phase: 'Pending' }),
        pod('n2', 'web-new', waiting('ErrImagePull')),
        pod('o1', 'web-old', waiting('ErrImagePull')),
      ]),
      {
        phase: 'failed',
        reason: 'ProgressDeadlineExceeded',
        message: 'timed out; pod n2 container app: ErrImagePull for image x:1 (ErrImagePull happened)',
        progress: { desired: 2, updated: 2, ready: 2, available: 2 },
        failingPods: ['n1', 'n2'],
      },
    ],
    [
      'Deployment paused',
      dep({ paused: true }),
      snap(dep({ paused: true }), []),
      {
        phase: 'failed',
        reason: 'Paused',
        message: 'the Deployment is paused, so the rollout cannot progress',
        progress: { desired: 2, updated: 2, ready: 2, available: 2 },
        failingPods: [],
      },
    ],
    [
      'Deployment without replicas wants one',
      { ...dep({ updatedReplicas: 1, availableReplicas: 1, replicas: 1 }), spec: { selector: {} } },
      snap(dep(), []),
      { phase: 'ready', progress: { desired: 1, updated: 1, ready: 2, available: 1 }, failingPods: [] },
    ],
    [
      'Deployment with an extra old replica waits',
      dep({ replicas: 3 }),
      snap(dep(), []),
      { phase: 'waiting', progress: { desired: 2, updated: 2, ready: 2, available: 2 }, failingPods: [] },
    ],
    [
      'Deployment short of available waits',
      dep({ availableReplicas: 1 }),
      snap(dep(), []),
      { phase: 'waiting', progress: { desired: 2, updated: 2, ready: 2, available: 1 }, failingPods: [] },
    ],
    [
      'StatefulSet rolling: available falls back to ready',
      sts({}, { currentRevision: 'db-bbb', updatedReplicas: 3, readyReplicas: 3 }),
      stsSnap(sts({}, {})),
      { phase: 'ready', progress: { desired: 3, updated: 3, ready: 3, available: 3 }, failingPods: [] },
    ],
    [
      'StatefulSet rolling, revisions differ',
      sts({}, { updatedReplicas: 3, readyReplicas: 3, availableReplicas: 2 }),
      stsSnap(sts({}, {})),
      { phase: 'waiting', progress: { desired: 3, updated: 3, ready: 3, available: 2 }, failingPods: [] },
    ],
    [
      'StatefulSet OnDelete is done once all ready',
      sts({ updateStrategy: { type: 'OnDelete' } }, { updatedReplicas: 3, readyReplicas: 3 }),
      stsSnap(sts({}, {})),
      { phase: 'ready', progress: { desired: 3, updated: 3, ready: 3, available: 3 }, failingPods: [] },
    ],
    [
      'StatefulSet partition: only the pods above it must update',
      sts({ updateStrategy: { rollingUpdate: { partition: 2 } } }, { updatedReplicas: 1, readyReplicas: 3 }),
      stsSnap(sts({}, {})),
      { phase: 'ready', progress: { desired: 3, updated: 1, ready: 3, available: 3 }, failingPods: [] },
    ],
    [
      'StatefulSet partition, not all ready',
      sts({ updateStrategy: { rollingUpdate: { partition: 2 } } }, { updatedReplicas: 1, readyReplicas: 2 }),
      stsSnap(sts({}, {})),
      { phase: 'waiting', progress: { desired: 3, updated: 1, ready: 2, available: 2 }, failingPods: [] },
    ],
    [
      'StatefulSet without its update revision recorded waits',
      sts({}, { updateRevision: 'db-zzz' }),
      stsSnap(sts({}, {})),
      { phase: 'waiting', message: 'waiting for the controller to observe the new spec', progress: { desired: 3, updated: 0, ready: 0, available: 0 }, failingPods: [] },
    ],
    [
      'DaemonSet ready',
      ds({ desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2, numberReady: 2 }),
      dsSnap(ds({})),
      { phase: 'ready', progress: { desired: 2, updated: 2, ready: 2, available: 2 }, failingPods: [] },
    ],
    [
      'DaemonSet short of available',
      ds({ desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 1, numberReady: 2 }),
      dsSnap(ds({})),
      { phase: 'waiting', progress: { desired: 2, updated: 2, ready: 2, available: 1 }, failingPods: [] },
    ],
    ['DaemonSet with no status counts', ds({}), dsSnap(ds({})), { phase: 'ready', progress: { desired: 0, updated: 0, ready: 0, available: 0 }, failingPods: [] }],
  ];
  test.each(CASES)('%s', (_name, w, s, want) => expect(classify(w, s, T0, t)).toEqual(want));
});
