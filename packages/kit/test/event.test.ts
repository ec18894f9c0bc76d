import { describe, expect, test } from '@jest/globals';
import { commitId, eventFromData, isZeroSha, ZERO_SHA } from '@platform-actions/kit';

// 40-hex commit ids, as GitHub sends them.
const sha = (c: string) => c.repeat(40);
const [B1, H1, A, B] = [sha('b'), sha('e'), sha('a'), sha('c')];

const env = (name: string, extra: Record<string, string> = {}) => ({
  GITHUB_EVENT_NAME: name,
  GITHUB_REPOSITORY: 'acme/web',
  GITHUB_SHA: sha('f'),
  GITHUB_REF: 'refs/heads/main',
  GITHUB_SERVER_URL: 'https://github.example.com',
  GITHUB_API_URL: 'https://github.example.com/api/v3',
  GITHUB_RUN_ID: '77',
  GITHUB_RUN_ATTEMPT: '2',
  ...extra,
});
const pr = (headRepo: string, fork = false) => ({
  number: 12,
  pull_request: {
    number: 12,
    base: { sha: B1, ref: 'main', repo: { full_name: 'acme/web' } },
    head: { sha: H1, ref: 'feature', repo: { full_name: headRepo, fork } },
  },
});

describe('event context', () => {
  test.each([
    ['same-repo PR can write', 'pull_request', pr('acme/web'), {}, { isFork: false, canWrite: true }],
    ['fork PR is read-only', 'pull_request', pr('mallory/web', true), {}, { isFork: true, canWrite: false }],
    ['fork detected by name alone', 'pull_request', pr('mallory/web'), {}, { isFork: true, canWrite: false }],
    ['pull_request_target from a fork can write', 'pull_request_target', pr('mallory/web', true), {}, { isFork: true, canWrite: true }],
    ['dependabot PR is read-only', 'pull_request', pr('acme/web'), { GITHUB_ACTOR: 'dependabot[bot]' }, { isFork: false, canWrite: false }],
  ])('%s', (_t, name, payload, extra, want) => {
    const e = eventFromData(env(name, extra), payload);
    expect(e.pr).toMatchObject({ number: 12, baseSha: B1, headSha: H1, baseRef: 'main', headRef: 'feature', isFork: want.isFork });
    expect(e.canWrite).toBe(want.canWrite);
  });

  test('push: normal, new branch, forced', () => {
    expect(eventFromData(env('push'), { before: A, after: B, commits: [{}, {}] }).push).toEqual({
      before: A,
      after: B,
      created: false,
      deleted: false,
      forced: false,
      commitCount: 2,
    });
    expect(eventFromData(env('push'), { before: ZERO_SHA, after: B, created: true }).push?.created).toBe(true);
    expect(eventFromData(env('push'), { before: A, after: B, forced: true }).push?.forced).toBe(true);
  });

  test('merge_group', () => {
    const e = eventFromData(env('merge_group'), {
      merge_group: { base_sha: B1.toUpperCase(), head_sha: H1, base_ref: 'refs/heads/main', head_ref: 'refs/heads/gh-readonly-queue/main/pr-1' },
    });
    expect(e.kind).toBe('merge_group');
    expect(e.mergeGroup).toEqual({ baseSha: B1, headSha: H1, baseRef: 'refs/heads/main', headRef: 'refs/heads/gh-readonly-queue/main/pr-1' });
  });

  test('URLs follow the server (GHES) and the run attempt', () => {
    const e = eventFromData(env('schedule'), {});
    expect(e.kind).toBe('schedule');
    expect(e.repoUrl).toBe('https://github.example.com/acme/web');
    expect(e.apiUrl).toBe('https://github.example.com/api/v3');
    expect(e.runUrl).toBe('https://github.example.com/acme/web/actions/runs/77/attempts/2');
    expect(eventFromData(env('release'), {}).kind).toBe('other');
  });

  test.each([
    ['--upload-pack=touch /tmp/pwned', ''],
    ['HEAD', ''],
    ['abc123', ''],
    [sha('a').slice(0, 39) + 'g', ''],
    [sha('A'), sha('a')],
    ['a'.repeat(64), 'a'.repeat(64)],
    [42, ''],
  ])('commit ids from a payload: %p → %p (anything else never reaches git)', (value, want) => {
    expect(commitId(value)).toBe(want);
  });

  test('payload SHAs that are not commit ids are dropped; a PR number that is not one is 0', () => {
    const evil = '--upload-pack=touch /tmp/pwned';
    const e = eventFromData(env('pull_request'), { pull_request: { number: 'x', base: { sha: evil }, head: { sha: evil } } });
    expect(e.pr).toMatchObject({ number: 0, baseSha: '', headSha: '' });
    const p = eventFromData(env('push'), { before: evil, after: evil });
    expect(p.push).toMatchObject({ before: '', after: sha('f') });
  });

  test('zero SHA', () => {
    expect(isZeroSha(ZERO_SHA)).toBe(true);
    expect(isZeroSha(undefined)).toBe(true);
    expect(isZeroSha('abc')).toBe(false);
  });
});
