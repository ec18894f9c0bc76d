// Which commits each event scans, as a table over plain event data and git facts.
import { describe, expect, test } from '@jest/globals';
import { eventFromData, InputError, ToolError } from '@platform-actions/kit';
import { type Facts, logOpts, type Mode, planScan, revListArgs } from '../src/scope.js';
import { cutOff, deepenStep } from '../src/resolve.js';
import { payloads, ZERO } from './helpers.js';

const [B, H, M, M2, BEFORE, AFTER, D, HEAD] = ['b', 'c', 'd', 'e', '1', '2', '3', '4'].map((c) => c.repeat(40));
const ev = (name: string, payload: object, ref = 'refs/heads/feature') =>
  eventFromData({ GITHUB_EVENT_NAME: name, GITHUB_REPOSITORY: 'acme/example', GITHUB_REF: ref, GITHUB_SHA: HEAD }, payload);
const facts = (f: Partial<Facts> = {}): Facts => ({ shallow: false, present: {}, mergeBases: {}, ancestor: {}, ...f });
const all = (...shas: string[]) => Object.fromEntries(shas.map((s) => [s, true]));
const range = (tips: string[], excludes: string[], label: string, complete = true) => ({ kind: 'range' as const, tips, excludes, label, complete });

const pr = ev('pull_request', payloads.pr(7, B, H));
const prt = ev('pull_request_target', payloads.pr(7, B, H, { fork: true }));
const mg = ev('merge_group', payloads.mergeGroup(B, H));
const push = ev('push', payloads.push(BEFORE, AFTER));
const created = ev('push', payloads.push(ZERO, AFTER));
const createdMain = ev('push', payloads.push(ZERO, AFTER, { ref: 'refs/heads/main' }), 'refs/heads/main');
const forced = ev('push', payloads.push(BEFORE, AFTER, { forced: true }));
const forcedMain = ev('push', payloads.push(BEFORE, AFTER, { ref: 'refs/heads/main', forced: true }), 'refs/heads/main');
const deleted = ev('push', payloads.push(BEFORE, ZERO, { deleted: true }));
const schedule = ev('schedule', payloads.schedule(), 'refs/heads/main');
const dispatch = ev('workflow_dispatch', payloads.dispatch(), 'refs/heads/topic');
const release = ev('release', {}, 'refs/tags/v1');
const main = { name: 'main', tip: D };

type Row = [string, ReturnType<typeof ev>, Mode, Facts, Record<string, unknown>];
const rows: Row[] = [
  // pull requests: first the commits, then the merge base, then the range
  ['PR asks for base and head first', pr, 'auto', facts(), { needs: [{ fact: 'present', commits: [B, H] }] }],
  ['PR then asks for the merge base', pr, 'auto', facts({ present: all(B, H) }), { needs: [{ fact: 'merge-base', a: B, b: H }] }],
  ['PR: merge-base(base, head)..head', pr, 'auto', facts({ present: all(B, H), mergeBases: { [`${B} ${H}`]: [M] } }), range([H], [M], 'merge-base(main, feature)..feature')],
  [
    'PR with criss-cross merge bases excludes all of them',
    pr,
    'range',
    facts({ present: all(B, H), mergeBases: { [`${B} ${H}`]: [M, M2] } }),
    range([H], [M, M2], 'merge-base(main, feature)..feature'),
  ],
  [
    'PR in a shallow clone without a merge base: incomplete',
    pr,
    'auto',
    facts({ shallow: true, present: all(B, H), mergeBases: { [`${B} ${H}`]: [] } }),
    range([H], [B], 'main..feature', false),
  ],
  [
    'PR of unrelated histories in a full clone: head minus base',
    pr,
    'auto',
    facts({ present: all(B, H), mergeBases: { [`${B} ${H}`]: [] } }),
    range([H], [B], 'main..feature', true),
  ],
  [
    'pull_request_target (fork) scans the same range',
    prt,
    'auto',
    facts({ present: all(B, H), mergeBases: { [`${B} ${H}`]: [M] } }),
    range([H], [M], 'merge-base(main, feature)..feature'),
  ],
  ['merge_group: base..head', mg, 'auto', facts({ present: all(B, H), mergeBases: { [`${B} ${H}`]: [B] } }), range([H], [B], `main..gh-readonly-queue/main/pr-7-${H.slice(0, 8)}`)],
  [
    'merge_group in a shallow clone, not yet connected',
    mg,
    'auto',
    facts({ shallow: true, present: all(B, H), mergeBases: { [`${B} ${H}`]: [] } }),
    range([H], [B], `main..gh-readonly-queue/main/pr-7-${H.slice(0, 8)}`, false),
  ],
  // pushes
  ['push asks for after and before', push, 'auto', facts(), { needs: [{ fact: 'present', commits: [AFTER, BEFORE] }] }],
  [
    'push: before..after',
    push,
    'auto',
    facts({ present: all(AFTER, BEFORE), ancestor: { [`${BEFORE} ${AFTER}`]: true }, mergeBases: { [`${BEFORE} ${AFTER}`]: [BEFORE] } }),
    range([AFTER], [BEFORE], `${BEFORE.slice(0, 7)}..${AFTER.slice(0, 7)}`),
  ],
  ['new branch asks for the default branch', created, 'auto', facts({ present: all(AFTER) }), { needs: [{ fact: 'default-branch' }] }],
  [
    'new branch: the commits not on the default branch',
    created,
    'auto',
    facts({ present: all(AFTER, D), defaultBranch: main, mergeBases: { [`${D} ${AFTER}`]: [M] } }),
    range([AFTER], [D], 'main..feature'),
  ],
  ['new default branch (first push): all its history', createdMain, 'auto', facts({ present: all(AFTER, D), defaultBranch: main }), range([AFTER], [], 'all history of main')],
  ['new branch, default branch unknown: all its history', created, 'auto', facts({ present: all(AFTER), defaultBranch: null }), range([AFTER], [], 'all history of feature')],
  [
    'force push (before not an ancestor): new relative to the default branch',
    push,
    'auto',
    facts({
      present: all(AFTER, BEFORE, D),
      ancestor: { [`${BEFORE} ${AFTER}`]: false },
      mergeBases: { [`${BEFORE} ${AFTER}`]: [M], [`${D} ${AFTER}`]: [M] },
      defaultBranch: main,
    }),
    range([AFTER], [D], 'main..feature'),
  ],
  [
    'push in a shallow clone, before and after not connected yet: before..after, incomplete (deepen first)',
    push,
    'auto',
    facts({ shallow: true, present: all(AFTER, BEFORE), ancestor: { [`${BEFORE} ${AFTER}`]: false }, mergeBases: { [`${BEFORE} ${AFTER}`]: [] } }),
    range([AFTER], [BEFORE], `${BEFORE.slice(0, 7)}..${AFTER.slice(0, 7)}`, false),
  ],
  [
    'push GitHub marks forced: straight to the default branch, no ancestry question',
    forced,
    'auto',
    facts({ present: all(AFTER, BEFORE, D), defaultBranch: main, mergeBases: { [`${D} ${AFTER}`]: [M] } }),
    { ...range([AFTER], [D], 'main..feature'), reason: 'force push to feature: the commits not on the default branch main' },
  ],
  [
    'forced push, shallow, default branch not connected yet: incomplete',
    forced,
    'auto',
    facts({ shallow: true, present: all(AFTER, BEFORE, D), defaultBranch: main, mergeBases: { [`${D} ${AFTER}`]: [] } }),
    range([AFTER], [D], 'main..feature', false),
  ],
  [
    'push whose before is gone: new relative to the default branch',
    push,
    'auto',
    facts({ present: { [AFTER]: true, [BEFORE]: false, [D]: true }, mergeBases: { [`${D} ${AFTER}`]: [M] }, defaultBranch: main }),
    range([AFTER], [D], 'main..feature'),
  ],
  [
    'force push to the default branch: what the old tip lacked',
    forcedMain,
    'auto',
    facts({ present: all(AFTER, BEFORE, D), ancestor: { [`${BEFORE} ${AFTER}`]: false }, mergeBases: { [`${BEFORE} ${AFTER}`]: [M] }, defaultBranch: main }),
    range([AFTER], [BEFORE], `${BEFORE.slice(0, 7)}..main`),
  ],
  ['deleted branch: nothing', deleted, 'auto', facts(), { kind: 'nothing' }],
  // events without a range, and the mode input
  ['schedule: full history', schedule, 'auto', facts(), { kind: 'full', label: 'all refs' }],
  ['workflow_dispatch: full history', dispatch, 'auto', facts(), { kind: 'full' }],
  ['any other event: full history', release, 'auto', facts(), { kind: 'full' }],
  ['mode full on a PR', pr, 'full', facts(), { kind: 'full', reason: 'mode: full scans the whole history of every ref' }],
  ['mode dir on a push', push, 'dir', facts(), { kind: 'dir' }],
  ['mode range on dispatch asks for HEAD and the default branch', dispatch, 'range', facts(), { needs: [{ fact: 'head' }, { fact: 'default-branch' }] }],
  [
    'mode range on dispatch: HEAD relative to the default branch',
    dispatch,
    'range',
    facts({ head: HEAD, present: all(HEAD, D), defaultBranch: main, mergeBases: { [`${D} ${HEAD}`]: [M] } }),
    range([HEAD], [D], 'main..HEAD'),
  ],
  [
    'mode range on schedule on the default branch: relative to it (empty)',
    schedule,
    'range',
    facts({ head: D, present: all(D), defaultBranch: main, mergeBases: { [`${D} ${D}`]: [D] } }),
    range([D], [D], 'main..HEAD'),
  ],
];

describe('planScan', () => {
  test.each(rows)('%s', (_t, event, mode, f, want) => {
    expect(planScan(event, mode, f)).toMatchObject(want);
  });

  test('a head commit that cannot be had is a tool error, never an empty scan', () => {
    expect(() => planScan(pr, 'auto', facts({ present: { [B]: true, [H]: false } }))).toThrow(ToolError);
    expect(() => planScan(push, 'auto', facts({ present: { [AFTER]: false, [BEFORE]: true } }))).toThrow(/pushed commit 2222222 is not in the clone/);
  });

  test('mode range needs a range or a default branch', () => {
    expect(() => planScan(dispatch, 'range', facts({ head: HEAD, defaultBranch: null }))).toThrow(InputError);
    const bare = ev('pull_request', { number: 1 });
    expect(() => planScan(bare, 'range', facts())).toThrow('input "mode" is range, but the pull_request event payload has no commit range');
    expect(planScan(bare, 'auto', facts())).toMatchObject({ kind: 'full' });
  });

  // The whole plan, reason included, for each way planRange itself decides (before it hands over to pushes and ranges).
  test.each<[string, ReturnType<typeof ev>, Mode, Facts, unknown]>([
    ['mode dir', pr, 'dir', facts(), { kind: 'dir', label: 'working tree', reason: 'mode: dir scans the files in the working tree, not history' }],
    ['mode full', dispatch, 'full', facts(), { kind: 'full', label: 'all refs', reason: 'mode: full scans the whole history of every ref' }],
    [
      'auto on an event without a range',
      release,
      'auto',
      facts(),
      { kind: 'full', label: 'all refs', reason: 'release carries no commit range, so the whole history of every ref' },
    ],
    [
      'a pull request',
      pr,
      'range',
      facts({ present: all(B, H), mergeBases: { [`${B} ${H}`]: [M] } }),
      { ...range([H], [M], 'merge-base(main, feature)..feature'), reason: 'pull_request #7: the commits the pull request adds to its base' },
    ],
    [
      'a pull request without branch names',
      ev('pull_request', { number: 3, pull_request: { number: 3, base: { sha: B }, head: { sha: H } } }),
      'auto',
      facts({ present: all(B, H), mergeBases: { [`${B} ${H}`]: [M] } }),
      { ...range([H], [M], `merge-base(${B.slice(0, 7)}, ${H.slice(0, 7)})..${H.slice(0, 7)}`), reason: 'pull_request #3: the commits the pull request adds to its base' },
    ],
    [
      'a merge group',
      mg,
      'auto',
      facts({ present: all(B, H), mergeBases: { [`${B} ${H}`]: [B] } }),
      { ...range([H], [B], `main..gh-readonly-queue/main/pr-7-${H.slice(0, 8)}`), reason: 'merge_group: the commits the merge queue group adds to its base' },
    ],
    [
      'a merge group without branch refs',
      ev('merge_group', { merge_group: { base_sha: B, head_sha: H } }),
      'auto',
      facts({ present: all(B, H), mergeBases: { [`${B} ${H}`]: [B] } }),
      { ...range([H], [B], `${B.slice(0, 7)}..${H.slice(0, 7)}`), reason: 'merge_group: the commits the merge queue group adds to its base' },
    ],
    ['a deleted ref', deleted, 'range', facts(), { kind: 'nothing', label: 'deleted refs/heads/feature', reason: 'the push deleted refs/heads/feature, so it brought no commits' }],
    [
      'a range event without its range, auto',
      ev('merge_group', {}),
      'auto',
      facts(),
      { kind: 'full', label: 'all refs', reason: 'the merge_group payload has no commit range, so the whole history of every ref' },
    ],
    ['mode range on dispatch asks whether HEAD is here', dispatch, 'range', facts({ head: HEAD, defaultBranch: main }), { needs: [{ fact: 'present', commits: [HEAD] }] }],
    [
      'mode range on dispatch',
      dispatch,
      'range',
      facts({ head: HEAD, present: all(HEAD, D), defaultBranch: main, mergeBases: { [`${D} ${HEAD}`]: [M] } }),
      { ...range([HEAD], [D], 'main..HEAD'), reason: 'mode: range on workflow_dispatch: the commits not on the default branch main' },
    ],
  ])('the whole plan: %s', (_t, event, mode, f, want) => {
    expect(planScan(event, mode, f)).toEqual(want);
  });

  test('mode range without a range or a default branch tip names both ways out', () => {
    expect(() => planScan(dispatch, 'range', facts({ head: HEAD, defaultBranch: { name: 'main' } }))).toThrow(
      'input "mode" is range, but workflow_dispatch carries no commit range and the default branch could not be found; use full or dir',
    );
  });

  test('every reason says why, for the summary', () => {
    const p = planScan(created, 'auto', facts({ present: all(AFTER, D), defaultBranch: main, mergeBases: { [`${D} ${AFTER}`]: [M] } }));
    expect(p).toMatchObject({ reason: 'push of the new ref feature: the commits not on the default branch main' });
  });
});

describe('log options and rev-list arguments', () => {
  test('a range becomes tips and ^excludes after --end-of-options; full is every ref; merges by their remerge diff', () => {
    expect(logOpts({ kind: 'range', tips: [H], excludes: [M, M2], label: '', reason: '', complete: true })).toBe(
      `--full-history --diff-filter=tuxdb --remerge-diff --end-of-options ${H} ^${M} ^${M2}`,
    );
    expect(logOpts({ kind: 'full' })).toBe('--full-history --diff-filter=tuxdb --remerge-diff --all --end-of-options');
    expect(logOpts({ kind: 'full' }, { remergeDiff: false })).toBe('--full-history --diff-filter=tuxdb --all --end-of-options');
    expect(revListArgs({ kind: 'range', tips: [H], excludes: [M], label: '', reason: '', complete: true })).toEqual([H, `^${M}`]);
  });

  test('nothing but SHAs reaches --log-opts (gitleaks splits it on spaces)', () => {
    expect(() => logOpts({ kind: 'range', tips: ['main --all'], excludes: [], label: '', reason: '', complete: true })).toThrow(/non-SHA/);
  });
});

describe('deepening', () => {
  test.each([
    [50, 0, 0, 1000, 50],
    [50, 1, 50, 1000, 100],
    [50, 4, 750, 1000, 250],
    [50, 5, 1000, 1000, 0],
    [10, 0, 0, 0, 0],
  ])('first %i, round %i, done %i, limit %i → %i', (first, round, done, limit, want) => {
    expect(deepenStep(first, round, done, limit)).toBe(want);
  });

  test('only boundary commits inside the scan set matter', () => {
    expect(cutOff([H, M], new Set([M, B]))).toEqual([M]);
    expect(cutOff([H], new Set([B]))).toEqual([]);
  });
});
