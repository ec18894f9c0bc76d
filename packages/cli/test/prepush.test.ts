// What a push sends, as the pre-push hook reads it: git's standard input (one line per ref), or the
// PRE_COMMIT_* variables pre-commit passes instead, and which commits of each ref are checked.
import { describe, expect, it } from '@jest/globals';
import { parsePushedRefs, planPushedRef, type PushFacts, ZERO } from '../src/prepush.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const M = 'c'.repeat(40);
const BASE = 'd'.repeat(40);

describe('parsePushedRefs', () => {
  it('reads every "<local ref> <local sha> <remote ref> <remote sha>" line, and nothing else', () => {
    const text = [`refs/heads/leaky ${A} refs/heads/leaky ${ZERO}`, `(delete) ${ZERO} refs/heads/old ${B}`, '', 'garbage', `HEAD~1 ${B} refs/heads/main ${M}`].join('\n');
    expect(parsePushedRefs(text)).toEqual([
      { localRef: 'refs/heads/leaky', localSha: A, remoteRef: 'refs/heads/leaky', remoteSha: ZERO },
      { localRef: '(delete)', localSha: ZERO, remoteRef: 'refs/heads/old', remoteSha: B },
      { localRef: 'HEAD~1', localSha: B, remoteRef: 'refs/heads/main', remoteSha: M },
    ]);
  });
});

describe('planPushedRef', () => {
  const facts = (over: Partial<PushFacts> = {}): PushFacts => ({
    has: (sha) => sha !== 'e'.repeat(40),
    mergeBase: () => BASE,
    count: () => 2,
    defaultBranch: { name: 'main', tip: M },
    ...over,
  });
  it.each([
    [
      'a deleted ref: nothing to check',
      { localRef: '(delete)', localSha: ZERO, remoteRef: 'refs/heads/old', remoteSha: B },
      facts(),
      { kind: 'skip', why: 'deleting old on origin: nothing is sent, nothing to check' },
    ],
    [
      'an update: from where the remote tip and the new tip meet',
      { localRef: 'refs/heads/main', localSha: A, remoteRef: 'refs/heads/main', remoteSha: B },
      facts(),
      { kind: 'check', scope: { ref: 'refs/heads/main', before: BASE, after: A, created: false, label: 'origin/main..main (2 commits)' } },
    ],
    [
      'a new branch: against the remote default branch',
      { localRef: 'refs/heads/leaky', localSha: A, remoteRef: 'refs/heads/leaky', remoteSha: ZERO },
      facts(),
      { kind: 'check', scope: { ref: 'refs/heads/leaky', before: BASE, after: A, created: false, label: 'new branch: origin/main..leaky (2 commits)' } },
    ],
    [
      'a remote tip this clone does not have: against the default branch too',
      { localRef: 'refs/heads/x', localSha: A, remoteRef: 'refs/heads/x', remoteSha: 'e'.repeat(40) },
      facts(),
      {
        kind: 'check',
        scope: { ref: 'refs/heads/x', before: BASE, after: A, created: false, label: 'x whose tip on origin this clone does not have: origin/main..x (2 commits)' },
      },
    ],
    [
      'a first push to an empty remote: every commit',
      { localRef: 'refs/heads/main', localSha: A, remoteRef: 'refs/heads/main', remoteSha: ZERO },
      facts({ defaultBranch: undefined, count: () => 1 }),
      {
        kind: 'check',
        scope: { ref: 'refs/heads/main', before: ZERO, after: A, created: true, label: 'main: every commit (1 commit; origin has no default branch to compare with)' },
      },
    ],
    [
      'a new branch with no history in common with the default branch: every commit',
      { localRef: 'refs/heads/orphan', localSha: A, remoteRef: 'refs/heads/orphan', remoteSha: ZERO },
      facts({ mergeBase: () => undefined }),
      {
        kind: 'check',
        scope: { ref: 'refs/heads/orphan', before: ZERO, after: A, created: true, label: 'orphan: every commit (2 commits; no history in common with origin/main)' },
      },
    ],
  ])('%s', (_n, ref, f, want) => {
    expect(planPushedRef(ref, 'origin', f)).toEqual(want);
  });
});
