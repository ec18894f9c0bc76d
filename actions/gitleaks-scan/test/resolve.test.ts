// Resolving the scope against real git: a local bare "origin" and shallow clones of it over file://, as
// actions/checkout leaves them (depth 1, one branch). The range must come out exact after deepening, and
// a range that cannot be read must be a tool error.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { eventFromData, ToolError } from '@platform-actions/kit';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Git } from '../src/git.js';
import { commitsBrought, firstDeepenStep } from '../src/payload.js';
import { resolveScope } from '../src/resolve.js';
import { payloads, Repo, ZERO } from './helpers.js';

jest.setTimeout(180_000);
let tmp: string;
let url: string;
let src: Repo;
const sha: Record<string, string> = {};
let featureCommits: string[];
let rewritten: string[];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gitleaks-resolve-'));
  src = await Repo.init(join(tmp, 'src'));
  await src.commits(20, 'early');
  sha.fork = await src.sha('HEAD');
  await src.checkout('feature', { create: true });
  featureCommits = (await src.commits(5, 'feature')).reverse();
  sha.feature = featureCommits[0];
  await src.checkout('main');
  await src.commits(12, 'later');
  sha.main = await src.sha('HEAD');
  // A rebased copy of the feature on today's main, as a force push would bring.
  await src.checkout('rebased', { create: true });
  rewritten = (await src.commits(2, 'rebased')).reverse();
  await src.checkout('main');
  const origin = await Repo.init(join(tmp, 'origin.git'), { bare: true });
  await src.git('push', '-q', origin.dir, 'main', 'feature', 'rebased');
  url = `file://${origin.dir}`;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ev = (name: string, payload: object, ref = 'refs/heads/feature') => eventFromData({ GITHUB_EVENT_NAME: name, GITHUB_REPOSITORY: 'acme/example', GITHUB_REF: ref }, payload);
let n = 0;
const shallow = async (branch: string, depth = 1) => Git.open((await Repo.clone(url, join(tmp, `ws${n++}`), ['--depth', String(depth), '--branch', branch])).dir);
const opts = { remote: 'origin', deepenLimit: 1000, firstStep: 4 };

describe('resolveScope on real clones', () => {
  test('PR in a depth-1 clone: fetches the base, deepens just enough, and gets exactly the PR commits', async () => {
    const git = await shallow('feature');
    const r = await resolveScope(git, ev('pull_request', payloads.pr(3, sha.main, sha.feature)), 'auto', opts);
    expect(r.scope).toMatchObject({ kind: 'range', tips: [sha.feature], excludes: [sha.fork], label: 'merge-base(main, feature)..feature' });
    expect(r.commits).toEqual(featureCommits);
    expect(r.fetched).toEqual([sha.main]);
    // main moved 12 commits past the fork point: 4 + 8 = 12 deepens both sides far enough, and no further.
    expect(r.deepenedBy).toBe(12);
    expect(await git.isShallow()).toBe(true);
  });

  test('a full clone needs no fetching', async () => {
    const git = await Git.open((await Repo.clone(url, join(tmp, 'full'))).dir);
    const r = await resolveScope(git, ev('pull_request', payloads.pr(3, sha.main, sha.feature)), 'auto', opts);
    expect(r).toMatchObject({ commits: featureCommits, deepenedBy: 0, fetched: [] });
  });

  test('a deepen-limit too small for the range is a tool error, not a clean scan', async () => {
    const git = await shallow('feature');
    const err = await resolveScope(git, ev('pull_request', payloads.pr(3, sha.main, sha.feature)), 'auto', { ...opts, deepenLimit: 6 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as Error).message).toMatch(
      /^the clone is shallow and the history connecting main\.\.feature is cut off after deepening by 6 commits \(deepen-limit 6\); nothing was scanned/,
    );
  });

  test('deepen-limit 0 fetches nothing: the missing base is a tool error', async () => {
    const git = await shallow('feature');
    await expect(resolveScope(git, ev('pull_request', payloads.pr(3, sha.main, sha.feature)), 'auto', { ...opts, deepenLimit: 0 })).rejects.toThrow(
      /the base commit [0-9a-f]{7} is not in the clone and could not be fetched/,
    );
  });

  test('push: before..after, deepened until before is reached', async () => {
    const git = await shallow('feature');
    const r = await resolveScope(git, ev('push', payloads.push(featureCommits[3], sha.feature, { commits: 3 })), 'auto', opts);
    expect(r.scope).toMatchObject({ label: `${featureCommits[3].slice(0, 7)}..${sha.feature.slice(0, 7)}` });
    expect(r.commits).toEqual(featureCommits.slice(0, 3));
  });

  test('new branch in a single-branch clone: the default branch tip comes from the remote', async () => {
    const git = await shallow('feature');
    const r = await resolveScope(git, ev('push', payloads.push(ZERO, sha.feature)), 'auto', opts);
    expect(r.scope).toMatchObject({ label: 'main..feature', excludes: [sha.main] });
    expect(r.commits).toEqual(featureCommits);
  });

  test('force push not flagged as one: the old tip is fetched, found not to be an ancestor, so the commits not on main', async () => {
    const git = await shallow('rebased');
    const r = await resolveScope(git, ev('push', payloads.push(sha.feature, rewritten[0], { ref: 'refs/heads/rebased' }), 'refs/heads/rebased'), 'auto', opts);
    expect(r.scope).toMatchObject({
      label: 'main..rebased',
      reason: expect.stringContaining(`force push to rebased (the previous tip ${sha.feature.slice(0, 7)} is not an ancestor)`),
    });
    expect(r.commits).toEqual(rewritten);
  });

  test('full mode in a shallow single-branch clone: every branch of origin fetched, then deepened until the whole history is here', async () => {
    const git = await shallow('feature', 2);
    const r = await resolveScope(git, ev('schedule', payloads.schedule(), 'refs/heads/main'), 'auto', opts);
    expect(r.scope.kind).toBe('full');
    expect(await git.isShallow()).toBe(false);
    // 20 early + 5 feature + 12 later + 2 rebased: every branch, not only the 25 commits of feature.
    expect(r.commitCount).toBe(39);
    expect(r.refs).toEqual({ branches: ['feature', 'main', 'rebased'], tags: [], fetched: 2 });
  });

  test("full mode that may not fetch: only the clone's refs, and it says why", async () => {
    const git = await Git.open((await Repo.clone(url, join(tmp, `single${n++}`), ['--single-branch', '--branch', 'feature'])).dir);
    const r = await resolveScope(git, ev('schedule', payloads.schedule(), 'refs/heads/main'), 'full', { ...opts, deepenLimit: 0 });
    expect(r.commitCount).toBe(25);
    expect(r.refs).toEqual({ branches: ['feature'], tags: [], fetched: 0, notFetched: 'deepen-limit is 0, so nothing was fetched' });
  });

  test('a payload "SHA" that is an option never reaches git as one (--end-of-options)', async () => {
    const git = await shallow('feature');
    const marker = join(tmp, 'pwned');
    const r = await git.fetch('origin', [`--upload-pack=touch ${marker}`]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain("invalid refspec '--upload-pack=touch");
    expect(existsSync(marker)).toBe(false);
    // The same call with a real commit works: the separator costs nothing.
    expect((await git.fetch('origin', [sha.main], ['--depth=1'])).exitCode).toBe(0);
    expect(await git.has(`--output=${marker}`)).toBe(false);
    expect(existsSync(marker)).toBe(false);
  });

  test('not a git repository: one line naming the folder', async () => {
    await expect(Git.open(mkdtempSync(join(tmp, 'plain-')))).rejects.toThrow(/is not a git repository \(not a git repository .*\); check the code out with actions\/checkout/);
  });
});

describe('deepening starts at what the event brought', () => {
  let longUrl: string;
  let tip: string;
  beforeAll(async () => {
    const r = await Repo.init(join(tmp, 'long-src'));
    await r.commits(10, 'base');
    await r.checkout('long', { create: true });
    tip = (await r.commits(43, 'long')).at(-1)!;
    const bare = await Repo.init(join(tmp, 'long.git'), { bare: true });
    await r.git('push', '-q', bare.dir, 'main', 'long');
    longUrl = `file://${bare.dir}`;
  });
  const forcePush = (commits: number) => ev('push', payloads.push('e'.repeat(40), tip, { forced: true, ref: 'refs/heads/long', commits }), 'refs/heads/long');
  const run = async (commits: number) => {
    const git = await Git.open((await Repo.clone(longUrl, join(tmp, `long${n++}`), ['--depth', '1', '--branch', 'long'])).dir);
    const event = forcePush(commits);
    return resolveScope(git, event, 'auto', {
      remote: 'origin',
      deepenLimit: 1000,
      firstStep: firstDeepenStep(commitsBrought('push', event.push ? { commits: Array(commits).fill({}) } : {})),
    });
  };

  test('a force push of a 43-commit branch whose payload lists its 43 commits: one round trip', async () => {
    const r = await run(43);
    expect(r.commitCount).toBe(43);
    expect(r).toMatchObject({ rounds: 1, deepenedBy: 44 });
  });

  test('a payload that understates the count still converges by doubling, in more round trips', async () => {
    const r = await run(1);
    expect(r.commitCount).toBe(43);
    // 8 + 16 + 32: three round trips (starting at 2, as before, took five).
    expect(r).toMatchObject({ rounds: 3, deepenedBy: 56 });
  });
});
