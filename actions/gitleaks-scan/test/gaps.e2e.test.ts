// gitleaks-scan's silent gaps (issue 13) and its side of the action contract (issue 10), end to end: the
// bundle, built from the current source, under Node 24 through the local runner, with the real gitleaks
// and real git histories built here. Each gap has a case that shows it closed and one that shows the
// fix reports nothing where there is nothing.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { toolBin } from '../../../test/harness/tools.js';
import { runBundledAction, type RunBundledActionResult } from '../../../test/runner/runner.js';
import { acmeToken, awsIni, awsKey, customConfig, payloads, Repo } from './helpers.js';

jest.setTimeout(300_000);

const ROOT = new URL('../../..', import.meta.url).pathname;
const PATH = `${dirname(toolBin('gitleaks'))}:${process.env.PATH}`;
const TOKEN = 'ghs_gapsGitleaksToken000000000000000001';
let tmp: string;
let n = 0;
const planted: string[] = [];
const key = (): string => {
  const k = awsKey();
  planted.push(k);
  return k;
};

beforeAll(() => {
  execFileSync('node', ['scripts/build.mjs', '--only', 'gitleaks-scan'], { cwd: ROOT, stdio: 'ignore' });
  tmp = mkdtempSync(join(tmpdir(), 'gitleaks-gaps-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  workspace: string;
  event?: { name: string; payload?: Record<string, unknown> };
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  runnerTemp?: string;
}
/** Runs the action; nothing it produced may contain a planted secret or the token. */
async function scan(o: Run): Promise<RunBundledActionResult> {
  const r = await runBundledAction({
    action: 'gitleaks-scan',
    workspace: o.workspace,
    event: o.event ?? { name: 'schedule', payload: payloads.schedule() },
    inputs: { version: 'system', comment: 'false', token: TOKEN, ...o.inputs },
    env: { PATH, ...o.env },
    runnerTemp: o.runnerTemp,
  });
  const texts = [r.everything, JSON.stringify(r.main.annotations)];
  for (const k of ['sarif-file', 'report-file']) if (r.outputs[k] && existsSync(r.outputs[k])) texts.push(readFileSync(r.outputs[k], 'utf8'));
  const all = texts.join('\n');
  for (const s of [...planted, TOKEN]) expect(all).not.toContain(s);
  expect(r.main.stdout + r.main.stderr).not.toMatch(/\n\s+at /);
  return r;
}
const found = (r: RunBundledActionResult): string[] => {
  const sarif = JSON.parse(readFileSync(r.outputs['sarif-file'], 'utf8'));
  return sarif.runs[0].results
    .map(
      (x: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>; properties: { commit?: string } }) =>
        `${x.locations[0].physicalLocation.artifactLocation.uri}:${x.locations[0].physicalLocation.region.startLine}@${(x.properties.commit ?? '').slice(0, 7)}`,
    )
    .sort();
};
const at = (file: string, line: number, sha: string): string => `${file}:${line}@${sha.slice(0, 7)}`;
const errors = (r: RunBundledActionResult) => r.main.annotations.filter((a) => a.level === 'error');
const warnings = (r: RunBundledActionResult) => r.main.annotations.filter((a) => a.level === 'warning');
const fresh = (name: string) => Repo.init(join(tmp, `${name}-${n++}`));
const bare = async (src: Repo, ...branches: string[]): Promise<string> => {
  const b = await Repo.init(join(tmp, `origin-${n++}.git`), { bare: true });
  await src.git('push', '-q', b.dir, ...branches);
  return `file://${b.dir}`;
};

describe('1. merge commits: what a merge itself introduces is scanned', () => {
  /** main and feature both edit line 2 of app.ini; feature merges main and resolves the conflict with `resolution`. */
  async function conflictMerge(resolution: string, extra: Record<string, string> = {}) {
    const r = await fresh('merge');
    await r.commit('base', { 'app.ini': '[app]\nname = base\nport = 80\n' });
    await r.checkout('feature', { create: true });
    const f1 = await r.commit('feature edits', { 'app.ini': '[app]\nname = feature\nport = 80\n' });
    await r.checkout('main');
    const m1 = await r.commit('main edits', { 'app.ini': '[app]\nname = main\nport = 80\n' });
    await r.checkout('feature');
    await r.git('merge', '-q', 'main').catch(() => undefined); // conflicts, as intended
    writeFileSync(join(r.dir, 'app.ini'), `[app]\n${resolution}\nport = 80\n`);
    for (const [f, body] of Object.entries(extra)) {
      mkdirSync(dirname(join(r.dir, f)), { recursive: true });
      writeFileSync(join(r.dir, f), body);
    }
    await r.git('add', '-A');
    await r.git('commit', '-q', '--no-edit');
    const merge = await r.sha('HEAD');
    return { r, f1, m1, merge, event: { name: 'pull_request', payload: payloads.pr(3, m1, merge) } };
  }

  test('a secret in a conflict resolution and one added while merging are found, at the merge commit and the right path', async () => {
    const k1 = key();
    const k2 = key();
    const { r, merge, event } = await conflictMerge(`aws_access_key_id = ${k1}`, { 'deploy/creds.ini': awsIni(k2) });
    const res = await scan({ workspace: r.dir, event });
    expect(res.outputs).toMatchObject({ outcome: 'policy-failure', 'findings-count': '2', 'commits-scanned': '2' });
    expect(found(res)).toEqual([at('app.ini', 2, merge), at('deploy/creds.ini', 3, merge)]);
    expect(res.summary).toContain('**Merge commits:** their own changes scanned too');
  });

  test('an honest merge adds nothing, and a secret main brought in (outside the range) is not blamed on the merge', async () => {
    const r = await fresh('honest');
    await r.commit('base', { 'README.md': '# x\n' });
    await r.checkout('feature', { create: true });
    await r.commit('feature work', { 'src/a.py': 'a = 1\n' });
    await r.checkout('main');
    const m1 = await r.commit('main adds a key (already on main: not this PR)', { 'legacy/old.ini': awsIni(key()) });
    await r.checkout('feature');
    const merge = await r.merge('main');
    const { r: r2, event } = await conflictMerge('name = both');
    const res = await scan({ workspace: r.dir, event: { name: 'pull_request', payload: payloads.pr(4, m1, merge) } });
    expect(res.outputs).toMatchObject({ outcome: 'clean', 'findings-count': '0', 'commits-scanned': '2' });
    const res2 = await scan({ workspace: r2.dir, event });
    expect(res2.outputs).toMatchObject({ outcome: 'clean', 'findings-count': '0' });
  });
});

describe('1b. a merge is blamed only for what it introduced (issue 24)', () => {
  const FEATURE_BLOCK = 'region = eu-central-1\nprofile = deploy\noutput = json\nrole = deployer\n';
  /**
   * main adds three keys to the [aws] block of creds.ini; feature rewrites the same block (four lines),
   * then merges main and resolves the conflict by putting main's keys above its own lines (and, in
   * `extra`, a new key of its own). git's line diff of that resolution keeps feature's longer run of lines
   * and shows main's keys as added by the merge.
   */
  async function resolution(extra: string) {
    const r = await fresh('merge-brings');
    await r.commit('base', { 'creds.ini': '[aws]\nregion = eu-west-1\n' });
    await r.checkout('feature', { create: true });
    const f1 = await r.commit('feature edits', { 'creds.ini': `[aws]\n${FEATURE_BLOCK}` });
    await r.checkout('main');
    const mainKeys = [key(), key(), key()];
    const m1 = await r.commit('main adds keys (already on main: not this PR)', {
      'creds.ini': `[aws]\n${mainKeys.map((k, i) => `key_${i} = ${k}`).join('\n')}\nregion = eu-west-1\n`,
    });
    await r.checkout('feature');
    await r.git('merge', '-q', 'main').catch(() => undefined); // conflicts, as intended
    writeFileSync(join(r.dir, 'creds.ini'), `[aws]\n${mainKeys.map((k, i) => `key_${i} = ${k}`).join('\n')}\n${extra}${FEATURE_BLOCK}`);
    await r.git('add', '-A');
    await r.git('commit', '-q', '--no-edit');
    const merge = await r.sha('HEAD');
    return { r, f1, merge, event: { name: 'pull_request', payload: payloads.pr(5, m1, merge) } };
  }

  test("main's keys that the resolution moved are not reported again at the merge; the report file agrees", async () => {
    const { r, event } = await resolution('');
    // The premise: git's remerge-diff of this merge shows main's three keys as added lines.
    const remerge = await r.git('show', '--remerge-diff', '-U0', '--format=', 'HEAD');
    expect(remerge.split('\n').filter((l) => /^\+key_\d = AKIA/.test(l))).toHaveLength(3);
    const res = await scan({ workspace: r.dir, event });
    expect(res.outputs).toMatchObject({ outcome: 'clean', 'findings-count': '0', 'commits-scanned': '2' });
    expect(JSON.parse(readFileSync(res.outputs['report-file'], 'utf8'))).toEqual([]);
    expect(res.summary).toContain('3 findings at merge commits left out: a parent of the merge already had that secret in that file');
  });

  test('a key the resolution itself adds, next to the moved ones, is still reported at the merge', async () => {
    const { r, merge, event } = await resolution(`key_new = ${key()}\n`);
    const res = await scan({ workspace: r.dir, event });
    expect(res.outputs).toMatchObject({ outcome: 'policy-failure', 'findings-count': '1' });
    expect(found(res)).toEqual([at('creds.ini', 5, merge)]);
    const report = JSON.parse(readFileSync(res.outputs['report-file'], 'utf8')) as Array<{ File: string; Commit: string }>;
    expect(report.map((x) => `${x.File}@${x.Commit}`)).toEqual([`b/creds.ini@${merge}`]);
  });
});

describe('2. full mode on a depth-1 single-branch checkout', () => {
  let origin: string;
  let other: string;
  beforeAll(async () => {
    const r = await fresh('full');
    await r.commits(3, 'main');
    await r.checkout('other', { create: true });
    other = await r.commit('a key on another branch', { 'other/keys.ini': awsIni(key()) });
    await r.commits(2, 'other');
    await r.checkout('main');
    await r.git('tag', '-a', 'v1', '-m', 'release');
    origin = await bare(r, 'main', 'other', 'v1');
  });

  test('every branch and tag of origin is fetched and scanned, and the summary names them', async () => {
    // What actions/checkout leaves: one branch at depth 1.
    const ws = await Repo.clone(origin, join(tmp, `co-${n++}`), ['--depth', '1', '--single-branch', '--branch', 'main', '--no-tags']);
    const res = await scan({ workspace: ws.dir, inputs: { mode: 'full' } });
    expect(found(res)).toEqual([at('other/keys.ini', 3, other)]);
    expect(res.outputs['scan-range']).toBe('all refs (2 branches, 1 tag): 6 commits (mode: full scans the whole history of every ref)');
    expect(res.summary).toContain('**Refs:** `main` · `other` · `tag v1` (2 refs fetched from the remote for this scan)');
    expect(warnings(res)).toEqual([]);
  });

  test("when it may not fetch, it scans the clone's refs and says exactly that, and how to scan all", async () => {
    const ws = await Repo.clone(origin, join(tmp, `co-${n++}`), ['--single-branch', '--branch', 'main', '--no-tags']);
    const res = await scan({ workspace: ws.dir, inputs: { mode: 'full', 'deepen-limit': '0' } });
    expect(res.outputs).toMatchObject({ outcome: 'clean', 'findings-count': '0' });
    expect(res.outputs['scan-range']).toBe('all refs in the clone (1 branch, 0 tags): 3 commits (mode: full scans the whole history of every ref)');
    const line =
      'mode: full scanned only the refs in this clone (deepen-limit is 0, so nothing was fetched); branches and tags that exist only on the remote were not scanned. Check out with fetch-depth: 0, or set deepen-limit above 0 with an origin remote, to scan every ref.';
    expect(warnings(res).map((a) => a.message)).toEqual([line]);
    expect(res.summary).toContain('⚠️ **Not scanned:**');
  });
});

describe("3. a pull request that changes the scan's own settings", () => {
  let r: Repo;
  let base: string;
  let silencer: string;
  let quiet: string;
  beforeAll(async () => {
    r = await fresh('settings');
    base = await r.commit('base', { 'README.md': '# x\n' });
    await r.checkout('quiet', { create: true });
    quiet = await r.commit('just code', { 'src/a.py': 'a = 1\n' });
    await r.checkout('silencer', { create: true, from: base });
    const leak = await r.commit('a key', { 'svc/prod.ini': awsIni(key()) });
    silencer = await r.commit('and its .gitleaksignore entry', { '.gitleaksignore': `${leak}:svc/prod.ini:aws-access-token:3\n` });
  });
  const event = (head: string) => ({ name: 'pull_request', payload: payloads.pr(5, base, head) });

  test('warn (default): green, but a warning on the file and a section in the summary', async () => {
    const res = await scan({ workspace: r.dir, event: event(silencer) });
    expect(res.outputs).toMatchObject({ outcome: 'clean', 'findings-count': '0' });
    expect(res.main.exitCode).toBe(0);
    expect(warnings(res)).toEqual([
      expect.objectContaining({
        file: '.gitleaksignore',
        message: expect.stringMatching(
          /^\.gitleaksignore \(ignore file\) is changed by 1 commit in the scanned range \([0-9a-f]{7}\)\. A change to the scan's own settings can hide findings: review it like code\.$/,
        ),
      }),
    ]);
    expect(res.summary).toContain("### ⚠️ The scanned commits change the scan's own settings");
  });

  test('config-change: fail makes it a policy failure, with the reason in the failure line', async () => {
    const res = await scan({ workspace: r.dir, event: event(silencer), inputs: { 'config-change': 'fail' } });
    expect(res.main.exitCode).toBe(1);
    expect(res.outputs).toMatchObject({ outcome: 'policy-failure', 'findings-count': '0' });
    // The reason in words, not "1 finding": a settings change is not a secret.
    expect(errors(res).map((a) => a.message)).toEqual([expect.stringMatching(/^gitleaks-scan: .* is changed by \d+ commits? in the scanned range .*review it like code/)]);
    expect(res.summary).toContain('> [!CAUTION]');
  });

  test('a pull request that does not touch them: no warning, no section, even with config-change: fail', async () => {
    const res = await scan({ workspace: r.dir, event: event(quiet), inputs: { 'config-change': 'fail' } });
    expect(res.outputs.outcome).toBe('clean');
    expect(warnings(res)).toEqual([]);
    expect(res.summary).not.toContain('change the scan');
  });

  test('a bad config-change value is a config error naming the input', async () => {
    const res = await scan({ workspace: r.dir, event: event(quiet), inputs: { 'config-change': 'block' } });
    expect(errors(res).map((a) => a.message)).toEqual(['gitleaks-scan: input "config-change" must be one of warn, fail; got "block"']);
  });
});

describe('4. deepening starts at the commits the event brought', () => {
  test('a force push of a 43-commit branch: one round trip', async () => {
    const r = await fresh('deepen');
    await r.commits(5, 'base');
    await r.checkout('long', { create: true });
    const tip = (await r.commits(43, 'long')).at(-1)!;
    const origin = await bare(r, 'main', 'long');
    const ws = await Repo.clone(origin, join(tmp, `co-${n++}`), ['--depth', '1', '--branch', 'long']);
    const res = await scan({
      workspace: ws.dir,
      event: { name: 'push', payload: payloads.push('f'.repeat(40), tip, { ref: 'refs/heads/long', forced: true, commits: 43 }) },
      env: { GITHUB_REF: 'refs/heads/long' },
    });
    expect(res.outputs['commits-scanned']).toBe('43');
    expect(res.main.log).toContain('Deepened by 44 commits in 1 round trip(s), starting at 44');
  });
});

describe('5. config from RUNNER_TEMP', () => {
  let r: Repo;
  beforeAll(async () => {
    const t = acmeToken();
    planted.push(t);
    r = await fresh('temp-config');
    await r.commit('client', { 'svc/client.py': `TOKEN = "${t}"\n` });
  });

  test('a config an earlier step wrote into RUNNER_TEMP applies', async () => {
    const runnerTemp = mkdtempSync(join(tmp, 'runner-temp-'));
    writeFileSync(join(runnerTemp, 'generated.toml'), customConfig());
    const res = await scan({ workspace: r.dir, runnerTemp, inputs: { config: join(runnerTemp, 'generated.toml') } });
    expect(res.main.log).toContain(`Config: ${join(runnerTemp, 'generated.toml')} (the config input)`);
    expect(res.outputs).toMatchObject({ 'critical-count': '1', outcome: 'policy-failure' });
  });

  test('a config anywhere else is a config error before any work', async () => {
    const elsewhere = mkdtempSync(join(tmp, 'elsewhere-'));
    writeFileSync(join(elsewhere, 'x.toml'), customConfig());
    const res = await scan({ workspace: r.dir, inputs: { config: join(elsewhere, 'x.toml') } });
    expect(res.outputs.outcome).toBe('config-error');
    expect(errors(res).map((a) => a.message)).toEqual([
      `gitleaks-scan: input "config" must be a path inside the workspace (${r.dir}) or RUNNER_TEMP; got "${join(elsewhere, 'x.toml')}"`,
    ]);
  });
});

describe('contract: untrusted text stays data', () => {
  test.each([
    ['pull_request', (m: string) => payloads.pr(9, `--upload-pack=touch ${m}`, 'a'.repeat(40)), 'pull_request.base.sha'],
    ['push', (m: string) => payloads.push('b'.repeat(40), `--upload-pack=touch ${m}`), 'after'],
  ])('a %s payload "SHA" of --upload-pack=… is refused before any git call; nothing runs', async (name, payload, field) => {
    const r = await fresh('inject');
    await r.commit('one', { 'a.txt': 'a\n' });
    const origin = await bare(r, 'main');
    const ws = await Repo.clone(origin, join(tmp, `co-${n++}`), ['--depth', '1']);
    const marker = join(tmp, `pwned-${n++}`);
    const res = await scan({ workspace: ws.dir, event: { name, payload: payload(marker) } });
    expect(existsSync(marker)).toBe(false);
    expect(res.main.exitCode).toBe(1);
    expect(res.outputs.outcome).toBe('config-error');
    expect(errors(res)).toHaveLength(1);
    expect(errors(res)[0].message).toContain(`gitleaks-scan: the ${name} event payload's ${field} must be a commit SHA (40 or 64 hex digits); got "--upload-pack=touch`);
  });

  test('file names that look like a heading or a workflow command stay text in the summary, the log and the annotations', async () => {
    const r = await fresh('names');
    const heading = 'x\n# ✅ no secrets found\n.ini';
    const command = '::error::forged.ini';
    await r.commit('odd names', { [heading]: awsIni(key()), [command]: awsIni(key()), 'pipe|`tick`.ini': awsIni(key()) });
    const res = await scan({ workspace: r.dir });
    expect(res.outputs['findings-count']).toBe('3');
    expect(res.summary).not.toMatch(/^#+ ✅/m);
    expect(res.summary).toContain('`x\\n# ✅ no secrets found\\n.ini:3`');
    // Every error annotation is one of ours: the three findings and the failure line; nothing forged.
    expect(
      errors(res)
        .map((a) => a.message)
        .filter((m) => /forged|no secrets found/.test(m) && !m.includes('aws-access-token') && !m.includes('AWS')),
    ).toEqual([]);
    expect(errors(res)).toHaveLength(4);
    expect(res.main.annotations.filter((a) => a.message.startsWith('forged'))).toEqual([]);
  });

  test("the token never reaches gitleaks' environment", async () => {
    const r = await fresh('env');
    await r.commit('one', { 'a.txt': 'a\n' });
    // A probe in front of the real gitleaks records the environment it was started with, then runs it.
    const probeDir = join(tmp, `probe-${n++}`);
    mkdirSync(probeDir);
    const dump = join(probeDir, 'env.txt');
    writeFileSync(join(probeDir, 'gitleaks'), `#!/bin/sh\nenv >> '${dump}'\nexec '${toolBin('gitleaks')}' "$@"\n`);
    chmodSync(join(probeDir, 'gitleaks'), 0o755);
    const res = await scan({ workspace: r.dir, env: { PATH: `${probeDir}:${process.env.PATH}`, GITHUB_TOKEN: TOKEN } });
    expect(res.outputs.outcome).toBe('clean');
    const env = readFileSync(dump, 'utf8');
    expect(env).toContain('GITHUB_WORKSPACE=');
    expect(env).not.toContain(TOKEN);
    expect(env).not.toMatch(/^INPUT_/m);
  });
});
