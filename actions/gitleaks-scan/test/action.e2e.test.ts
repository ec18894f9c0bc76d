// gitleaks-scan end to end: the bundled action under Node 24 through the local runner, with the real
// gitleaks, on repositories built here, for every event type. Every run is also searched for the planted
// secrets: log, annotations, outputs, summary, SARIF, the JSON report and the comment sent to the API.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type FakeGitHub, startFakeGitHub } from '../../../test/harness/services/fake-github.js';
import { type ReleaseMirror, startReleaseMirror } from '../../../test/harness/services/release-mirror.js';
import { toolBin } from '../../../test/harness/tools.js';
import { sarifSchemaErrors } from '../../../test/helpers/sarif-schema.js';
import { runBundledAction, type RunBundledActionResult } from '../../../test/runner/runner.js';
import { acmeToken, awsIni, awsKey, customConfig, payloads, Repo, ZERO } from './helpers.js';
import { gitleaksReleaseFiles, RELEASE_PREFIX } from './release.js';

jest.setTimeout(300_000);

let tmp: string;
let gh: FakeGitHub;
let repo: Repo;
let origin: string;
const keys = { old: awsKey(), temp: awsKey(), pr: awsKey(), rewrite: awsKey() };
const planted: string[] = Object.values(keys);
const c: Record<string, string> = {};
const rangeCommits: string[] = [];

/**
 * main: README, legacy/old.ini (old key), 2 more; feature forks there and brings 40 commits: a temp key
 * added then deleted, a side branch merged in, main merged in, config/deploy.ini with the PR key. main
 * moves on; `rewrite` is a force-pushed branch with its own key; `queue` is a merge-queue commit.
 */
async function buildRepo(dir: string): Promise<Repo> {
  const r = await Repo.init(dir);
  const onFeature = (sha: string) => (rangeCommits.push(sha), sha);
  await r.commit('readme', { 'README.md': '# example\n' });
  c.old = await r.commit('legacy settings', { 'legacy/old.ini': awsIni(keys.old) });
  await r.commits(2, 'main-early');
  await r.checkout('feature', { create: true });
  (await r.commits(10, 'f-a')).forEach(onFeature);
  c.temp = onFeature(await r.commit('debug settings', { 'tmp/debug.env': `AWS_ACCESS_KEY_ID=${keys.temp}\n` }));
  (await r.commits(3, 'f-b')).forEach(onFeature);
  c.tempGone = onFeature(await r.commit('drop debug settings', { 'tmp/debug.env': null }));
  await r.checkout('helper', { create: true });
  (await r.commits(5, 'h')).forEach(onFeature);
  await r.checkout('feature');
  (await r.commits(4, 'f-c')).forEach(onFeature);
  onFeature(await r.merge('helper'));
  await r.checkout('main');
  await r.commits(3, 'main-mid');
  await r.checkout('feature');
  c.mergedMain = onFeature(await r.merge('main'));
  c.pr = onFeature(await r.commit('deploy settings', { 'config/deploy.ini': awsIni(keys.pr) }));
  (await r.commits(13, 'f-d')).forEach(onFeature);
  c.feature = await r.sha('feature');
  await r.checkout('main');
  c.main = await r.commit('main moves on', { 'docs/notes.md': 'notes\n' });
  await r.checkout('rewrite', { create: true });
  c.rewrite1 = await r.commit('rewritten 1', { 'rewrite/a.txt': 'a\n' });
  c.rewrite = await r.commit('rewritten 2', { 'rewrite/keys.ini': awsIni(keys.rewrite) });
  await r.checkout('queue', { create: true, from: 'main' });
  c.queue = await r.merge('feature', 'Merge pull request #7');
  await r.checkout('feature');
  await r.git('branch', '-D', 'helper');
  return r;
}

beforeAll(async () => {
  // Never test a stale bundle: build this action from the current source first.
  execFileSync('node', ['scripts/build.mjs', '--only', 'gitleaks-scan'], { cwd: new URL('../../..', import.meta.url).pathname, stdio: 'ignore' });
  tmp = mkdtempSync(join(tmpdir(), 'gitleaks-e2e-'));
  gh = await startFakeGitHub({ readOnlyTokens: ['fork-token'] });
  repo = await buildRepo(join(tmp, 'repo'));
  const bare = await Repo.init(join(tmp, 'origin.git'), { bare: true });
  await repo.git('push', '-q', bare.dir, 'main', 'feature', 'rewrite', 'queue');
  origin = `file://${bare.dir}`;
});
afterAll(async () => {
  await gh?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const PATH = `${dirname(toolBin('gitleaks'))}:${process.env.PATH}`;
const TOKEN = 'ghs_e2eGitleaksToken0000000000000001';

interface Run {
  event?: { name: string; payload?: Record<string, unknown> };
  inputs?: Record<string, string>;
  workspace?: string;
  env?: Record<string, string>;
}
/** Runs the action and checks that no planted secret (nor the token) reached anything it produced. */
async function scan(o: Run): Promise<RunBundledActionResult> {
  const before = gh.requests.length;
  const r = await runBundledAction({
    action: 'gitleaks-scan',
    workspace: o.workspace ?? repo.dir,
    event: o.event,
    inputs: { version: 'system', comment: 'false', ...o.inputs },
    env: { PATH, GITHUB_API_URL: gh.url, ...o.env },
  });
  const texts = [r.everything, JSON.stringify(r.main.annotations)];
  for (const k of ['sarif-file', 'report-file']) if (r.outputs[k] && existsSync(r.outputs[k])) texts.push(readFileSync(r.outputs[k], 'utf8'));
  for (const q of gh.requests.slice(before)) texts.push(JSON.stringify(q.body ?? ''));
  const all = texts.join('\n');
  for (const s of [...planted, TOKEN]) {
    expect(all).not.toContain(s);
    expect(all).not.toContain(s.slice(4)); // not even the random part
  }
  return r;
}

const found = (r: RunBundledActionResult): string[] => {
  const sarif = JSON.parse(readFileSync(r.outputs['sarif-file'], 'utf8'));
  return sarif.runs[0].results
    .map(
      (x: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }>; properties: { commit?: string } }) =>
        `${x.locations[0].physicalLocation.artifactLocation.uri}@${(x.properties.commit ?? '').slice(0, 7)}`,
    )
    .sort();
};
const at = (file: string, sha: string) => `${file}@${sha.slice(0, 7)}`;

describe('events', () => {
  test('pull_request of 40 commits with merges: exactly its commits, a secret added and deleted in it, everything reported', async () => {
    const r = await scan({
      event: { name: 'pull_request', payload: payloads.pr(7, c.main, c.feature) },
      inputs: { comment: 'true', token: TOKEN },
    });
    expect(rangeCommits).toHaveLength(40);
    expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'findings-count': '2', 'high-count': '2', 'commits-scanned': '40', 'scan-mode': 'range' });
    expect(r.outputs['scan-range']).toBe('merge-base(main, feature)..feature: 40 commits (pull_request #7: the commits the pull request adds to its base)');
    expect(found(r)).toEqual([at('config/deploy.ini', c.pr), at('tmp/debug.env', c.temp)].sort());
    expect(r.main.exitCode).toBe(1);
    expect(r.main.annotations.at(-1)?.message).toBe('gitleaks-scan: 2 findings at or above "info" (see the annotations and the job summary)');
    expect(r.main.annotations).toContainEqual(expect.objectContaining({ level: 'error', file: 'config/deploy.ini', line: 3 }));
    // SARIF: valid, with rule help and the remediation.
    const sarif = JSON.parse(readFileSync(r.outputs['sarif-file'], 'utf8'));
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    expect(sarif.runs[0].tool.driver.rules[0].help.markdown).toContain('Rotate the credential — deleting it from history is not enough.');
    expect(sarif.runs[0].automationDetails.id).toBe('gitleaks-scan/');
    // Summary: range, count, commit links, links at the commit that added each secret, fingerprints.
    expect(r.summary).toContain('**Scanned:** `merge-base(main, feature)..feature`, 40 commits');
    expect(r.summary).toContain(`[${c.feature.slice(0, 7)}](https://github.com/acme/example/commit/${c.feature})`);
    expect(r.summary).toContain('… and 20 more');
    expect(r.summary).toContain(`(https://github.com/acme/example/blob/${c.pr}/config/deploy.ini#L3)`);
    expect(r.summary).toContain(`${c.pr}:config/deploy.ini:aws-access-token:3\n`);
    expect(r.summary).toContain(`${c.temp}:tmp/debug.env:aws-access-token:1\n`);
    // The gitleaks report is redacted and has both findings.
    const report = JSON.parse(readFileSync(r.outputs['report-file'], 'utf8'));
    expect(report).toHaveLength(2);
    expect(report[0]).toMatchObject({ Secret: 'REDACTED', Match: 'REDACTED' });
    // One sticky comment on PR 7, with the same report.
    const comments = gh.state.comments.filter((x) => x.issue_number === 7 && String(x.body).includes('<!-- platform-actions:gitleaks-scan:default -->'));
    expect(comments).toHaveLength(1);
    expect(String(comments[0].body)).toContain('merge-base(main, feature)..feature');
  });

  test('a secret outside the PR range: range mode does not report it, full mode does', async () => {
    const event = { name: 'pull_request', payload: payloads.pr(7, c.main, c.feature) };
    const range = await scan({ event, inputs: { mode: 'range' } });
    expect(found(range)).not.toContain(at('legacy/old.ini', c.old));
    const full = await scan({ event, inputs: { mode: 'full' } });
    expect(full.outputs['scan-mode']).toBe('full');
    expect(found(full)).toEqual([at('config/deploy.ini', c.pr), at('legacy/old.ini', c.old), at('rewrite/keys.ini', c.rewrite), at('tmp/debug.env', c.temp)].sort());
  });

  test('pull_request_target: the same range; the comment is written with the base repository token', async () => {
    const r = await scan({
      event: { name: 'pull_request_target', payload: payloads.pr(8, c.main, c.feature, { fork: true }) },
      inputs: { comment: 'true', token: TOKEN },
    });
    expect(r.outputs['commits-scanned']).toBe('40');
    expect(gh.state.comments.filter((x) => x.issue_number === 8)).toHaveLength(1);
  });

  test('push: before..after', async () => {
    const r = await scan({ event: { name: 'push', payload: payloads.push(c.mergedMain, c.feature, { commits: 14 }) }, env: { GITHUB_REF: 'refs/heads/feature' } });
    expect(r.outputs['commits-scanned']).toBe('14');
    expect(r.outputs['scan-range']).toMatch(new RegExp(`^${c.mergedMain.slice(0, 7)}\\.\\.${c.feature.slice(0, 7)}: 14 commits`));
    expect(found(r)).toEqual([at('config/deploy.ini', c.pr)]);
  });

  test('push of a new branch: the commits not on the default branch', async () => {
    const r = await scan({ event: { name: 'push', payload: payloads.push(ZERO, c.feature) }, env: { GITHUB_REF: 'refs/heads/feature' } });
    expect(r.outputs['scan-range']).toMatch(/^main\.\.feature: 40 commits \(push of the new ref feature: the commits not on the default branch main\)$/);
    expect(found(r)).toEqual([at('config/deploy.ini', c.pr), at('tmp/debug.env', c.temp)].sort());
  });

  test('force push: before is not an ancestor, so what is new relative to the default branch', async () => {
    const r = await scan({
      event: { name: 'push', payload: payloads.push(c.feature, c.rewrite, { forced: true, ref: 'refs/heads/rewrite' }) },
      env: { GITHUB_REF: 'refs/heads/rewrite' },
    });
    expect(r.outputs['scan-range']).toMatch(/^main\.\.rewrite: 2 commits \(force push to rewrite/);
    expect(found(r)).toEqual([at('rewrite/keys.ini', c.rewrite)]);
  });

  test('push that deletes a branch: nothing to scan, and it says so', async () => {
    const r = await scan({ event: { name: 'push', payload: payloads.push(c.feature, ZERO) }, env: { GITHUB_REF: 'refs/heads/feature' } });
    expect(r.main.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'commits-scanned': '0' });
    expect(r.summary).toContain('**Scanned:** nothing — the push deleted refs/heads/feature, so it brought no commits.');
  });

  test('merge_group: base..head of the group', async () => {
    const r = await scan({ event: { name: 'merge_group', payload: payloads.mergeGroup(c.main, c.queue) } });
    expect(r.outputs['commits-scanned']).toBe('41');
    expect(found(r)).toEqual([at('config/deploy.ini', c.pr), at('tmp/debug.env', c.temp)].sort());
  });

  test.each(['schedule', 'workflow_dispatch'])('%s: the full history of every ref', async (name) => {
    const r = await scan({ event: { name, payload: name === 'schedule' ? payloads.schedule() : payloads.dispatch() } });
    expect(r.outputs['scan-mode']).toBe('full');
    // This repository has no remote, so "every ref" is every ref of the clone, and the range says so.
    expect(r.outputs['scan-range']).toMatch(new RegExp(`^all refs in the clone \\(4 branches, 0 tags\\): \\d+ commits \\(${name} carries no commit range`));
    expect(found(r)).toHaveLength(4);
  });

  test('a shallow clone (depth 1) is deepened just enough, and the PR range is exact', async () => {
    const ws = await Repo.clone(origin, join(tmp, 'shallow'), ['--depth', '1', '--branch', 'feature']);
    const r = await scan({ workspace: ws.dir, event: { name: 'pull_request', payload: payloads.pr(7, c.main, c.feature) } });
    expect(r.outputs['commits-scanned']).toBe('40');
    expect(found(r)).toEqual([at('config/deploy.ini', c.pr), at('tmp/debug.env', c.temp)].sort());
    expect(r.main.log).toMatch(/Shallow clone: the history connecting main\.\.feature is cut off; deepening by 50 commits/);
    expect(r.summary).toMatch(/\*\*Clone:\*\* fetched 1 missing commit; deepened the shallow clone by \d+ commits\./);
  });

  test("actions/checkout's default for a PR (the merge commit, depth 1): base and head are fetched, the range is exact", async () => {
    // What actions/checkout runs: init, fetch the merge commit by SHA at depth 1, check it out.
    const ws = await Repo.init(join(tmp, 'merge-checkout'));
    await ws.git('remote', 'add', 'origin', origin);
    await ws.git('fetch', '--no-tags', '--depth=1', 'origin', `+${c.queue}:refs/remotes/pull/7/merge`);
    await ws.git('checkout', '-q', '--force', 'refs/remotes/pull/7/merge');
    const r = await scan({ workspace: ws.dir, event: { name: 'pull_request', payload: payloads.pr(7, c.main, c.feature) } });
    expect(r.outputs).toMatchObject({ 'commits-scanned': '40', 'findings-count': '2' });
    expect(r.summary).toContain('**Clone:** fetched 2 missing commits; deepened the shallow clone by');
  });

  test('a shallow clone that may not be deepened is a tool error, never clean', async () => {
    const ws = await Repo.clone(origin, join(tmp, 'shallow-nofetch'), ['--depth', '1', '--branch', 'feature']);
    const r = await scan({ workspace: ws.dir, event: { name: 'pull_request', payload: payloads.pr(7, c.main, c.feature) }, inputs: { 'deepen-limit': '0' } });
    expect(r.main.exitCode).toBe(1);
    expect(r.outputs.outcome).toBe('tool-error');
    expect(r.main.annotations.at(-1)?.message).toMatch(
      /^gitleaks-scan: the base commit [0-9a-f]{7} is not in the clone and could not be fetched from origin, so it cannot be scanned \(with persist-credentials: false on actions\/checkout, check out with fetch-depth: 0\)$/,
    );
    expect(r.summary).toContain('⚠️ **Tool error**');
  });
});

describe('config, ignore file and baseline', () => {
  let n = 0;
  /** A small repository: one file per commit from `files`, HEAD on main. */
  async function small(files: Array<Record<string, string | null>>): Promise<Repo> {
    const r = await Repo.init(join(tmp, `small-${n++}`));
    for (const [i, f] of files.entries()) await r.commit(`change ${i}`, f);
    return r;
  }
  const full = { name: 'schedule', payload: payloads.schedule() };

  test('a custom rule in .gitleaks.toml (extending the defaults), with severity from its tag', async () => {
    const token = acmeToken();
    planted.push(token);
    const r0 = await small([{ '.gitleaks.toml': customConfig() }, { 'svc/client.py': `TOKEN = "${token}"\n` }, { 'svc/aws.ini': awsIni(awsKey()) }]);
    const r = await scan({ workspace: r0.dir, event: full });
    expect(r.main.log).toContain('Config: .gitleaks.toml (repository)');
    expect(r.outputs).toMatchObject({ 'critical-count': '1', 'high-count': '1' });
    const sarif = JSON.parse(readFileSync(r.outputs['sarif-file'], 'utf8'));
    expect(sarif.runs[0].tool.driver.rules.map((x: { id: string }) => x.id).sort()).toEqual(['acme-internal-token', 'aws-access-token']);
  });

  test('gitleaks.toml and the config input are found too; fail-on critical lets a high finding through', async () => {
    const token = acmeToken();
    planted.push(token);
    const r0 = await small([{ 'gitleaks.toml': customConfig(), 'ci/leaks.toml': customConfig() }, { 'a.txt': `${token}\n` }]);
    const plain = await scan({ workspace: r0.dir, event: full });
    expect(plain.main.log).toContain('Config: gitleaks.toml (repository)');
    expect(plain.outputs['critical-count']).toBe('1');
    const input = await scan({ workspace: r0.dir, event: full, inputs: { config: 'ci/leaks.toml', 'fail-on': 'critical' } });
    expect(input.main.log).toContain('Config: ci/leaks.toml (the config input)');
    expect(input.main.exitCode).toBe(1);
  });

  test('.gitleaksignore suppresses by fingerprint, and the summary says it applied', async () => {
    const k = awsKey();
    planted.push(k);
    const r0 = await small([{ 'a.ini': awsIni(k) }]);
    const sha = await r0.sha('HEAD');
    await r0.commit('ignore it', { '.gitleaksignore': `# test fixture, not a secret\n${sha}:a.ini:aws-access-token:3\n` });
    const r = await scan({ workspace: r0.dir, event: full });
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'findings-count': '0' });
    expect(r.summary).toContain('**Ignore file:** `.gitleaksignore` (1 entry)');
  });

  test('baseline: an earlier report accepts its findings; a new secret is still reported', async () => {
    const k1 = awsKey();
    const k2 = awsKey();
    planted.push(k1, k2);
    const r0 = await small([{ 'a.ini': awsIni(k1) }]);
    const first = await scan({ workspace: r0.dir, event: full });
    expect(first.outputs['findings-count']).toBe('1');
    writeFileSync(join(r0.dir, 'baseline.json'), readFileSync(first.outputs['report-file']));
    const accepted = await scan({ workspace: r0.dir, event: full, inputs: { 'baseline-path': 'baseline.json' } });
    expect(accepted.outputs).toMatchObject({ outcome: 'clean', 'findings-count': '0' });
    expect(accepted.summary).toContain('1 finding(s) suppressed');
    expect(accepted.summary).toContain('**Baseline:**');
    await r0.commit('another', { 'b.ini': awsIni(k2) });
    const next = await scan({ workspace: r0.dir, event: full, inputs: { 'baseline-path': 'baseline.json' } });
    expect(found(next)).toEqual([at('b.ini', await r0.sha('HEAD'))]);
  });

  test('dir mode scans the working tree only, and needs no git', async () => {
    const dir = join(tmp, 'plain-dir');
    mkdirSync(join(dir, 'cfg'), { recursive: true });
    const k = awsKey();
    planted.push(k);
    writeFileSync(join(dir, 'cfg', 'prod.ini'), awsIni(k));
    const r = await scan({ workspace: dir, inputs: { mode: 'dir' } });
    expect(r.outputs).toMatchObject({ 'scan-mode': 'dir', 'commits-scanned': '0', 'findings-count': '1' });
    expect(found(r)).toEqual(['cfg/prod.ini@']);
    expect(r.main.annotations).toContainEqual(expect.objectContaining({ level: 'error', file: 'cfg/prod.ini', line: 3 }));
    expect(r.summary).toContain('\ncfg/prod.ini:aws-access-token:3\n');
  });
});

describe('dir mode with path: a folder of the repository (issue 24)', () => {
  const notify = (k: string) => `import os\n\nTOKEN = "${k}"\n`;
  test('in a git checkout: app/notify.py, relative to the repository root, in SARIF, annotations, summary and report', async () => {
    const k = awsKey();
    planted.push(k);
    const r = await Repo.init(join(tmp, 'dir-in-repo'));
    await r.commit('app', { 'app/notify.py': notify(k), 'README.md': '# x\n' });
    const res = await scan({ workspace: r.dir, inputs: { mode: 'dir', path: 'app' } });
    expect(res.outputs).toMatchObject({ 'scan-mode': 'dir', 'findings-count': '1' });
    expect(found(res)).toEqual(['app/notify.py@']);
    expect(res.main.annotations).toContainEqual(expect.objectContaining({ level: 'error', file: 'app/notify.py', line: 3 }));
    expect(res.summary).toContain('\napp/notify.py:aws-access-token:3\n');
    expect(JSON.parse(readFileSync(res.outputs['report-file'], 'utf8'))[0].File).toBe('app/notify.py');
    // The fingerprint the summary offers works in the repository's .gitleaksignore.
    writeFileSync(join(r.dir, '.gitleaksignore'), 'app/notify.py:aws-access-token:3\n');
    const ignored = await scan({ workspace: r.dir, inputs: { mode: 'dir', path: 'app' } });
    expect(ignored.outputs).toMatchObject({ outcome: 'clean', 'findings-count': '0' });
    expect(ignored.summary).toContain('**Ignore file:** `.gitleaksignore` (1 entry)');
  });

  test('without git: relative to the workspace; a .gitleaks.toml in the scanned folder is named as the config', async () => {
    const t = acmeToken();
    planted.push(t);
    const ws = join(tmp, 'dir-no-git');
    mkdirSync(join(ws, 'svc', 'api'), { recursive: true });
    writeFileSync(join(ws, 'svc', 'api', 'client.py'), `TOKEN = "${t}"\n`);
    writeFileSync(join(ws, 'svc', '.gitleaks.toml'), customConfig());
    const res = await scan({ workspace: ws, inputs: { mode: 'dir', path: 'svc' } });
    expect(found(res)).toEqual(['svc/api/client.py@']);
    expect(res.summary).toContain('**Config:** `svc/.gitleaks.toml` (the scanned folder)');
  });
});

describe('bad input: one line naming what is wrong, no stack trace', () => {
  const cases: Array<[string, Record<string, string>, string | undefined, RegExp]> = [
    ['unknown mode', { mode: 'fast' }, undefined, /^gitleaks-scan: input "mode" must be one of auto, range, full, dir; got "fast"$/],
    ['missing config file', { config: 'nope.toml' }, undefined, /^gitleaks-scan: input "config" must name an existing path; got "nope.toml"$/],
    [
      'invalid TOML config',
      { config: 'bad.toml' },
      'title = "x"\n[[rules]\n',
      /^gitleaks-scan: input "config" is not a valid gitleaks config: unable to load gitleaks config, err: While parsing config: toml: /,
    ],
    [
      'baseline that is not a gitleaks report',
      { 'baseline-path': 'bad.toml' },
      '{"version": "2.1.0", "runs": []}',
      /^gitleaks-scan: input "baseline-path" must be a gitleaks JSON report/,
    ],
    ['bad deepen-limit', { 'deepen-limit': '-1' }, undefined, /^gitleaks-scan: input "deepen-limit" must be a whole number in 0\.\.1000000; got "-1"$/],
  ];
  test.each(cases)('%s', async (_t, inputs, file, want) => {
    const ws = join(tmp, `bad-${Math.random().toString(36).slice(2)}`);
    const r0 = await Repo.init(ws);
    await r0.commit('one', { 'README.md': 'x\n' });
    if (file !== undefined) writeFileSync(join(ws, 'bad.toml'), file);
    const r = await scan({ workspace: ws, event: { name: 'schedule', payload: payloads.schedule() }, inputs });
    expect(r.main.exitCode).toBe(1);
    const errors = r.main.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(want);
    expect(r.main.stdout + r.main.stderr).not.toMatch(/\n\s+at /);
  });

  test('not a git repository', async () => {
    const ws = mkdtempSync(join(tmp, 'not-git-'));
    const r = await scan({ workspace: ws, event: { name: 'schedule', payload: payloads.schedule() } });
    expect(r.main.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      expect.stringMatching(
        /^gitleaks-scan: \/.* is not a git repository \(not a git repository .*\); check the code out with actions\/checkout before this step, or set mode: dir$/,
      ),
    ]);
  });
});

describe('installing gitleaks', () => {
  let mirror: ReleaseMirror;
  beforeAll(async () => {
    mirror = await startReleaseMirror({ files: gitleaksReleaseFiles().files });
  });
  afterAll(async () => mirror?.stop());

  test('a pinned release from a mirror, checksum-verified, cached for the next run', async () => {
    const cache = join(tmp, 'tool-cache');
    const opts = {
      event: { name: 'pull_request', payload: payloads.pr(7, c.main, c.feature) },
      inputs: { version: '8.30.1', mirror: mirror.baseUrl + RELEASE_PREFIX },
      env: { RUNNER_TOOL_CACHE: cache, PATH: process.env.PATH! },
    };
    const first = await scan(opts);
    expect(first.main.log).toContain('gitleaks 8.30.1: downloading gitleaks_8.30.1_linux_x64.tar.gz from the mirror');
    expect(first.main.log).toMatch(/gitleaks 8\.30\.1: sha256 verified/);
    expect(first.outputs['findings-count']).toBe('2');
    const second = await scan(opts);
    expect(second.main.log).toMatch(/gitleaks 8\.30\.1: using the tool cache/);
  });
});
