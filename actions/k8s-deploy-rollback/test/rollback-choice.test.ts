// Rollback on demand, the pure parts: which workloads (the `workloads` input), which revisions the cluster
// records for each, and which one a rollback goes to — given, or the one before the current.
import { describe, expect, test } from '@jest/globals';
import { recordedRevisions, toSnapshot, type Workload } from '../src/classify.js';
import { parseWorkloads } from '../src/manifests.js';
import { chooseReleaseRevision, chooseRevision } from '../src/plan.js';

describe('parseWorkloads', () => {
  test('kubectl kind names and short names; one Helm release', () => {
    expect(parseWorkloads(['deployment/ml-api', 'deploy/worker', 'sts/db', 'daemonset.apps/agent'], undefined)).toEqual({
      kind: 'workloads',
      workloads: [
        { kind: 'Deployment', name: 'ml-api' },
        { kind: 'Deployment', name: 'worker' },
        { kind: 'StatefulSet', name: 'db' },
        { kind: 'DaemonSet', name: 'agent' },
      ],
    });
    expect(parseWorkloads(['release/trading'], 3)).toEqual({ kind: 'release', release: 'trading' });
  });
  test.each<[string[], number | undefined, RegExp]>([
    [[], undefined, /input "workloads" is required with mode: rollback/],
    [['ml-api'], undefined, /input "workloads" entries must look like deployment\/<name>/],
    [['pod/ml-api'], undefined, /entries must look like/],
    [['deployment/ML_API'], undefined, /entries must look like/],
    [['deployment/a', 'deployment/b'], 4, /names 2 workloads, but a revision number belongs to one/],
    [['release/a', 'deployment/b'], undefined, /names a Helm release with other entries/],
    [['release/a.b'], undefined, /not a Helm release name/],
  ])('%j (revision %s) is an input error', (lines, rev, re) => expect(() => parseWorkloads(lines, rev)).toThrow(re));
});

const owner = { kind: 'Deployment', name: 'api', uid: 'd1', controller: true };
const deployment: Workload = { kind: 'Deployment', metadata: { name: 'api', uid: 'd1', annotations: { 'deployment.kubernetes.io/revision': '4' } }, spec: {} };
const rs = (hash: string, revision: number) => ({
  kind: 'ReplicaSet',
  metadata: { name: `api-${hash}`, labels: { 'pod-template-hash': hash }, annotations: { 'deployment.kubernetes.io/revision': String(revision) }, ownerReferences: [owner] },
});

test('recordedRevisions: a Deployment’s ReplicaSets and a StatefulSet’s ControllerRevisions, oldest first', () => {
  const s = toSnapshot({
    items: [deployment, rs('ddd', 4), rs('aaa', 1), rs('ccc', 3), { ...rs('zzz', 9), metadata: { ...rs('zzz', 9).metadata, ownerReferences: [{ ...owner, uid: 'other' }] } }],
  });
  expect(recordedRevisions(deployment, s).map((r) => `${r.revision}:${r.templateHash}`)).toEqual(['1:aaa', '3:ccc', '4:ddd']);
  const sts: Workload = { kind: 'StatefulSet', metadata: { name: 'db', uid: 's1' }, spec: {} };
  const cr = (hash: string, revision: number) => ({
    kind: 'ControllerRevision',
    revision,
    metadata: { name: `db-${hash}`, ownerReferences: [{ kind: 'StatefulSet', name: 'db', uid: 's1' }] },
  });
  expect(recordedRevisions(sts, toSnapshot({ items: [sts, cr('b2', 2), cr('a1', 1)] })).map((r) => `${r.revision}:${r.templateHash}`)).toEqual(['1:a1', '2:b2']);
});

describe('chooseRevision', () => {
  const rec = (revision: number, templateHash: string) => ({ revision, templateHash, observed: true });
  const recorded = [rec(1, 'aaa'), rec(3, 'ccc'), rec(4, 'ddd')];
  test('the given revision, when recorded', () => expect(chooseRevision('Deployment/ml/api', recorded, rec(4, 'ddd'), 1)).toEqual({ to: rec(1, 'aaa'), already: false }));
  test('empty: the newest recorded before the current', () =>
    expect(chooseRevision('Deployment/ml/api', recorded, rec(4, 'ddd'), undefined)).toEqual({ to: rec(3, 'ccc'), already: false }));
  test('the current revision: nothing to do', () => expect(chooseRevision('Deployment/ml/api', recorded, rec(4, 'ddd'), 4)).toEqual({ to: rec(4, 'ddd'), already: true }));
  test('a revision no longer recorded, or none before the current: one line listing what is recorded', () => {
    expect(chooseRevision('Deployment/ml/api', recorded, rec(4, 'ddd'), 2)).toEqual({
      error: 'revision 2 is not recorded for Deployment/ml/api (recorded: 1, 3, 4; revisionHistoryLimit decides how many are kept)',
    });
    expect(chooseRevision('Deployment/ml/api', [rec(1, 'aaa')], rec(1, 'aaa'), undefined)).toEqual({
      error: 'Deployment/ml/api has no recorded revision before its current one (1) to go back to (recorded: 1)',
    });
  });
});

describe('chooseReleaseRevision', () => {
  const history = [
    { revision: 1, status: 'superseded' },
    { revision: 2, status: 'failed' },
    { revision: 3, status: 'superseded' },
    { revision: 4, status: 'deployed' },
  ];
  test('empty: the newest once-deployed revision before the current (a failed one is skipped)', () => {
    expect(chooseReleaseRevision('release/ml/api', history, undefined)).toEqual({ to: history[2], already: false });
    expect(chooseReleaseRevision('release/ml/api', history.slice(0, 2).concat({ revision: 3, status: 'deployed' }), undefined)).toEqual({ to: history[0], already: false });
  });
  test('the given revision; the deployed current one is nothing to do', () => {
    expect(chooseReleaseRevision('release/ml/api', history, 1)).toEqual({ to: history[0], already: false });
    expect(chooseReleaseRevision('release/ml/api', history, 4)).toEqual({ to: history[3], already: true });
  });
  test('errors name the history', () => {
    expect(chooseReleaseRevision('release/ml/api', history, 9)).toEqual({
      error: 'revision 9 is not in the history of release/ml/api (history: 1 superseded, 2 failed, 3 superseded, 4 deployed; helm keeps --history-max revisions)',
    });
    expect(chooseReleaseRevision('release/ml/api', [], undefined)).toEqual({ error: 'release/ml/api does not exist: there is no release history to roll back in' });
  });
});
