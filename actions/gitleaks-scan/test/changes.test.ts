// Which of the scan's own settings files the scanned commits change, against real git histories; and the
// config and baseline inputs, which may live in the workspace or in RUNNER_TEMP and nowhere else.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { InputError } from '@platform-actions/kit';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extendedPath, settingsChanges, settingsFiles } from '../src/changes.js';
import type { ConfigChoice } from '../src/gitleaks-config.js';
import { Git } from '../src/git.js';
import { settingsFile } from '../src/settings.js';
import { customConfig, Repo } from './helpers.js';

jest.setTimeout(60_000);
let tmp: string;
let repo: Repo;
let git: Git;
const c: Record<string, string> = {};
const repoConfig = (root: string): ConfigChoice => ({ origin: 'repository', path: `${root}/.gitleaks.toml`, label: '' });
const defaults: ConfigChoice = { origin: 'default', label: '' };

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gitleaks-changes-'));
  repo = await Repo.init(join(tmp, 'repo'));
  c.base = await repo.commit('base', { '.gitleaks.toml': customConfig(), 'app.py': 'x = 1\n' });
  // main changes the config after the fork: merged into the PR, it is still not the PR's change.
  await repo.checkout('quiet', { create: true });
  c.quiet1 = await repo.commit('code only', { 'app.py': 'x = 2\n' });
  await repo.checkout('main');
  c.mainCfg = await repo.commit('main tunes the config', { '.gitleaks.toml': customConfig() + '\n# tuned\n' });
  await repo.checkout('quiet');
  c.quietMerge = await repo.merge('main');
  await repo.checkout('loud', { create: true, from: c.base });
  c.loud1 = await repo.commit('code', { 'svc.py': 'y = 1\n' });
  c.loud2 = await repo.commit('silence it', { '.gitleaksignore': 'abc:svc.py:generic-api-key:1\n' });
  c.loud3 = await repo.commit('and allowlist', { '.gitleaks.toml': customConfig() + '\n[allowlist]\npaths = ["svc.py"]\n' });
  git = await Git.open(repo.dir);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('settingsChanges', () => {
  test('a branch that adds a .gitleaksignore line and an allowlist: both files, with the commits that did it', async () => {
    const changes = await settingsChanges(git, [c.loud3, `^${c.base}`], settingsFiles(repo.dir, repoConfig(repo.dir)), true);
    expect(changes).toEqual([
      { path: '.gitleaks.toml', what: 'gitleaks config', commits: [c.loud3] },
      { path: '.gitleaksignore', what: 'ignore file', commits: [c.loud2] },
    ]);
  });

  test('a branch that changes only code, and merges main (which changed the config): nothing', async () => {
    const [mb] = (await repo.git('merge-base', c.quietMerge, c.mainCfg)).split('\n');
    expect(await settingsChanges(git, [c.quietMerge, `^${mb}`], settingsFiles(repo.dir, repoConfig(repo.dir)), true)).toEqual([]);
  });

  test('an evil merge that edits the config is caught through its remerge diff', async () => {
    await repo.checkout('evil', { create: true, from: c.quiet1 });
    await repo.git('merge', '-q', '--no-ff', '--no-commit', 'main');
    writeFileSync(join(repo.dir, '.gitleaksignore'), 'def:app.py:generic-api-key:1\n');
    await repo.git('add', '-A');
    await repo.git('commit', '-q', '-m', 'merge main (and something else)');
    const evil = await repo.sha('HEAD');
    const changes = await settingsChanges(git, [evil, `^${c.mainCfg}`], settingsFiles(repo.dir, repoConfig(repo.dir)), true);
    expect(changes).toEqual([{ path: '.gitleaksignore', what: 'ignore file', commits: [evil] }]);
  });
});

describe('settingsFiles', () => {
  test('repository configs count even before they exist; the config input and its [extend] file when they are in the repository', () => {
    expect(settingsFiles('/r', defaults).map((f) => f.path)).toEqual(['.gitleaks.toml', 'gitleaks.toml', '.gitleaksignore']);
    expect(settingsFiles('/r', { origin: 'input', path: '/tmp/runner/leaks.toml', label: '' }, '/r/ci/baseline.json')).toEqual([
      { path: '.gitleaksignore', what: 'ignore file' },
      { path: 'ci/baseline.json', what: 'baseline' },
    ]);
  });

  test('[extend] path', () => {
    expect(extendedPath('title = "x"\n[extend]\npath = "ci/base.toml"\n\n[[rules]]\nid = "a"\n')).toBe('ci/base.toml');
    expect(extendedPath('[extend]\nuseDefault = true\n')).toBeUndefined();
    expect(extendedPath('[[rules]]\npath = "x"\n')).toBeUndefined();
  });
});

describe('config and baseline paths: the workspace or RUNNER_TEMP', () => {
  let ws: string;
  let temp: string;
  let outside: string;
  const saved = { ws: process.env.GITHUB_WORKSPACE, temp: process.env.RUNNER_TEMP };
  beforeAll(() => {
    ws = join(tmp, 'ws');
    temp = join(tmp, 'runner-temp');
    outside = join(tmp, 'elsewhere');
    for (const d of [ws, temp, outside]) mkdirSync(d, { recursive: true });
    writeFileSync(join(ws, 'leaks.toml'), customConfig());
    writeFileSync(join(temp, 'generated.toml'), customConfig());
    writeFileSync(join(outside, 'secret.toml'), 'not yours\n');
    symlinkSync(join(outside, 'secret.toml'), join(ws, 'link.toml'));
    process.env.GITHUB_WORKSPACE = ws;
    process.env.RUNNER_TEMP = temp;
  });
  afterAll(() => {
    process.env.GITHUB_WORKSPACE = saved.ws;
    process.env.RUNNER_TEMP = saved.temp;
  });

  test('in the workspace, relative or absolute; in RUNNER_TEMP', () => {
    expect(settingsFile('config', 'leaks.toml')).toBe(join(ws, 'leaks.toml'));
    expect(settingsFile('config', join(temp, 'generated.toml'))).toBe(join(temp, 'generated.toml'));
    expect(settingsFile('config', undefined)).toBeUndefined();
  });

  test.each([
    ['outside both', () => join(outside, 'secret.toml'), 'input "config" must be a path inside the workspace'],
    ['a committed symlink pointing outside', () => 'link.toml', '(it is a symlink that leads outside); got "link.toml"'],
    ['a directory', () => '.', 'input "config" must name a file; got "."'],
    ['missing', () => 'nope.toml', 'input "config" must name an existing path; got "nope.toml"'],
  ])('%s is refused', (_t, value, message) => {
    let err: unknown;
    try {
      settingsFile('config', value());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain(message);
    expect((err as Error).message).not.toContain('not yours');
  });
});
