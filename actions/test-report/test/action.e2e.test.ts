// test-report end to end: the bundle under Node 24 through the local runner, on reports pytest writes
// here, for the flow the README documents: a push to main writes the report file that actions/cache
// saves; a pull request restores it as base-report, and the sticky comment shows coverage and its change
// (updated in place on the next push). Everything each run produced (log, annotations, outputs, summary,
// report file, the comment sent to the API) is searched for the secrets the tests printed and the token.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeGitHub, startFakeGitHub } from '../../../test/harness/services/fake-github.js';
import { runBundledAction, type RunBundledActionResult } from '../../../test/runner/runner.js';
import { PYTEST_COVERAGE, runPytest, writeProject } from './fixtures.js';

jest.setTimeout(300_000);

const TOKEN = 'ghs_e2eTestReportToken00000000000001';
// Printed by a failing test; it has no credential shape, so only the redact input can catch it.
const OPAQUE = 'opaque-Zq81x7Lw-value';
const REPO = 'acme/example';

let tmp: string;
let ws: string;
let gh: FakeGitHub;
let mainSha: string;
const cache = () => join(tmp, 'actions-cache', 'test-report-backend.json');

const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...a], { cwd: ws, encoding: 'utf8' }).trim();

beforeAll(() => {
  execFileSync('node', ['scripts/build.mjs', '--only', 'test-report'], { cwd: new URL('../../..', import.meta.url).pathname, stdio: 'ignore' });
  tmp = mkdtempSync(join(tmpdir(), 'test-report-e2e-'));
  ws = join(tmp, 'repo');
  mkdirSync(ws);
  writeProject(ws, 'backend/');
  writeFileSync(join(ws, '.gitignore'), 'reports/\n.flaky-*\n');
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'init');
  mainSha = git('rev-parse', 'HEAD');
});
beforeAll(async () => {
  gh = await startFakeGitHub({ readOnlyTokens: ['fork-token'] });
});
afterAll(async () => {
  await gh?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const prPayload = (headSha: string, fork = false) => ({
  number: 7,
  pull_request: {
    number: 7,
    head: { sha: headSha, ref: 'feature', repo: { full_name: fork ? 'someone/example' : REPO, fork } },
    base: { sha: mainSha, ref: 'main', repo: { full_name: REPO } },
  },
  repository: { full_name: REPO, default_branch: 'main' },
});

/** Runs the action; asserts that nothing it produced carries a secret the tests printed, or the token. */
async function report(o: {
  event: { name: string; payload?: Record<string, unknown> };
  inputs: Record<string, string>;
  runnerTemp: string;
  ref?: string;
}): Promise<RunBundledActionResult> {
  const before = gh.requests.length;
  const r = await runBundledAction({
    action: 'test-report',
    workspace: ws,
    event: o.event,
    runnerTemp: o.runnerTemp,
    ref: o.ref,
    repository: REPO,
    inputs: { name: 'backend', junit: 'backend/reports/junit.xml', coverage: 'backend/reports/coverage.xml', redact: OPAQUE, token: TOKEN, ...o.inputs },
    env: { GITHUB_API_URL: gh.url },
  });
  const texts = [r.everything, JSON.stringify(r.main.annotations), JSON.stringify(r.outputs)];
  if (r.outputs['report-file'] && existsSync(r.outputs['report-file'])) texts.push(readFileSync(r.outputs['report-file'], 'utf8'));
  for (const q of gh.requests.slice(before)) texts.push(JSON.stringify(q.body ?? ''));
  const all = texts.join('\n');
  for (const s of [TOKEN, OPAQUE, 'S3cr3tPassw0rd-xyz']) expect(all).not.toContain(s);
  return r;
}

const coverageOf = () => {
  const t = JSON.parse(readFileSync(join(ws, 'backend/reports/coverage.json'), 'utf8')).totals;
  return Math.round((t.covered_lines / t.num_statements) * 10000) / 100;
};
const prComments = () => gh.state.comments.filter((c) => c.issue_number === 7 && String(c.body).includes('<!-- platform-actions:test-report:backend -->'));

describe('the base branch and a pull request', () => {
  let baseCoverage: number;
  test('a push to main: clean, and the report file actions/cache saves', async () => {
    runPytest(ws, ['--junitxml=reports/junit.xml', ...PYTEST_COVERAGE, '-k', 'not secret and not wrong and not broken'], { DATABASE_URL: OPAQUE });
    baseCoverage = coverageOf();
    const job = join(tmp, 'job-main');
    // add, div_zero (fails), skipped, xfail, flaky: 2 of 3 that ran passed.
    const r = await report({
      event: { name: 'push', payload: { ref: 'refs/heads/main', after: mainSha } },
      inputs: { 'min-pass-rate': '60' },
      runnerTemp: job,
      ref: 'refs/heads/main',
    });
    expect(r.outputs).toMatchObject({ outcome: 'clean', tests: '5', failed: '1', 'pass-rate': '66.67', coverage: baseCoverage.toFixed(2), 'coverage-delta': '' });
    expect(r.outputs['report-file']).toBe(join(job, 'test-report-backend.json'));
    const file = JSON.parse(readFileSync(r.outputs['report-file'], 'utf8'));
    expect(file).toMatchObject({ schema: 'platform-actions/test-report/v1', name: 'backend', ref: 'refs/heads/main', commit: mainSha });
    expect(Object.keys(file.coverage.files)).toEqual(['backend/src/calc/__init__.py']);
    // actions/cache saves it under a key with the commit; a later job restores it by prefix.
    mkdirSync(join(tmp, 'actions-cache'), { recursive: true });
    copyFileSync(r.outputs['report-file'], cache());
    expect(prComments()).toHaveLength(0); // a push has no pull request to comment on
  });

  test('a pull request that lowers coverage: the change in outputs, summary and the sticky comment; fail-on-decrease fails it', async () => {
    runPytest(ws, ['--junitxml=reports/junit.xml', ...PYTEST_COVERAGE, '-k', 'not div_zero'], { DATABASE_URL: OPAQUE });
    const now = coverageOf();
    expect(now).toBeLessThan(baseCoverage);
    const job = join(tmp, 'job-pr-1');
    mkdirSync(join(job, 'base'), { recursive: true });
    copyFileSync(cache(), join(job, 'base', 'test-report-backend.json'));
    const r = await report({
      event: { name: 'pull_request', payload: prPayload('b'.repeat(40)) },
      inputs: { 'base-report': join(job, 'base', 'test-report-backend.json'), 'fail-on-decrease': 'true', 'min-pass-rate': '0' },
      runnerTemp: job,
    });
    const delta = (Math.round((now - baseCoverage) * 100) / 100).toFixed(2);
    expect(r.outputs).toMatchObject({ outcome: 'policy-failure', coverage: now.toFixed(2), 'coverage-delta': delta });
    expect(r.main.exitCode).toBe(1);
    expect(r.main.annotations.at(-1)?.message).toBe(
      `test-report: lines coverage fell by ${Math.abs(Number(delta)).toFixed(2)} points against the base, from ${baseCoverage.toFixed(2)} % to ${now.toFixed(2)} % (fail-on-decrease) (see the annotations and the job summary)`,
    );
    const comments = prComments();
    expect(comments).toHaveLength(1);
    const body = String(comments[0].body);
    expect(body).toContain(`| Coverage | This run | Base (main @ ${mainSha.slice(0, 7)}) | Change | Minimum |`);
    expect(body).toContain(`🔻 −${Math.abs(Number(delta)).toFixed(2)}`);
    expect(body).toMatch(/### ❌ Failed tests \(3\)/);
    // Failed tests link to the line at the PR's head commit.
    expect(body).toContain(`https://github.com/${REPO}/blob/${'b'.repeat(40)}/backend/tests/test_calc.py#L`);
    expect(r.summary).toContain('## Tests and coverage: backend');
  });

  test('the next push to the pull request updates the same comment', async () => {
    const job = join(tmp, 'job-pr-2');
    mkdirSync(join(job, 'base'), { recursive: true });
    copyFileSync(cache(), join(job, 'base', 'test-report-backend.json'));
    const first = prComments()[0];
    await report({
      event: { name: 'pull_request', payload: prPayload('c'.repeat(40)) },
      inputs: { 'base-report': join(job, 'base', 'test-report-backend.json'), 'min-pass-rate': '0' },
      runnerTemp: job,
    });
    const after = prComments();
    expect(after).toHaveLength(1);
    expect(after[0].id).toBe(first.id);
    expect(String(after[0].body)).toContain(`/blob/${'c'.repeat(40)}/`);
  });

  test('no cached base yet (first run, expired cache): a notice; the change is unknown and fail-on-decrease passes', async () => {
    const job = join(tmp, 'job-pr-nobase');
    const r = await report({
      event: { name: 'pull_request', payload: prPayload('d'.repeat(40)) },
      inputs: { 'base-report': join(job, 'base', 'test-report-backend.json'), 'fail-on-decrease': 'true', 'min-pass-rate': '0', comment: 'false' },
      runnerTemp: job,
    });
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'coverage-delta': '' });
    expect(r.main.annotations).toContainEqual(
      expect.objectContaining({ level: 'notice', message: expect.stringMatching(/^No base report at .*: the coverage change is not known this time\.$/) }),
    );
    expect(r.summary).toContain('`fail-on-decrease` had no base to compare with, so it passed.');
  });

  test('a fork pull request: the comment is skipped with a notice; the verdict is the same', async () => {
    const r = await report({ event: { name: 'pull_request', payload: prPayload('e'.repeat(40), true) }, inputs: { 'min-pass-rate': '0' }, runnerTemp: join(tmp, 'job-fork') });
    expect(r.outputs.outcome).toBe('clean');
    expect(r.main.annotations).toContainEqual(expect.objectContaining({ level: 'notice', message: expect.stringMatching(/PR comment skipped: this is a fork PR/) }));
  });
});

describe('what the test step left behind', () => {
  test('a report cut off mid-write and a pattern that matched nothing: tool-error, and the readable report is still reported', async () => {
    const xml = readFileSync(join(ws, 'backend/reports/junit.xml'), 'utf8');
    const tests = /<testsuite [^>]*tests="(\d+)"/.exec(xml)![1];
    writeFileSync(join(ws, 'backend/reports/junit-cut.xml'), xml.slice(0, Math.floor(xml.length / 2)));
    const r = await report({
      event: { name: 'push' },
      inputs: { junit: 'backend/reports/junit.xml\nbackend/reports/junit-cut.xml\nfrontend/reports/*.xml', coverage: '', 'min-pass-rate': '0' },
      runnerTemp: join(tmp, 'job-cut'),
    });
    expect(r.outputs).toMatchObject({ outcome: 'tool-error', tests });
    const failure = r.main.annotations.at(-1)!.message;
    expect(failure).toMatch(/^test-report: /);
    expect(failure).toMatch(
      /JUnit report backend\/reports\/junit-cut\.xml ends before its last element is closed \(unclosed tag: \w+\): the tool that wrote it was probably stopped while writing/,
    );
    expect(failure).toMatch(/no JUnit report matched "frontend\/reports\/\*\.xml" \(input junit\): the test step did not write one there/);
    expect(r.summary).toMatch(/> \[!WARNING\]/);
    expect(r.summary).toContain(`| ${tests} |`);
  });

  test('a JUnit report given as coverage: config-error, one line, nothing written', async () => {
    const job = join(tmp, 'job-config');
    const r = await report({ event: { name: 'push' }, inputs: { junit: '', coverage: 'backend/reports/junit.xml' }, runnerTemp: job });
    expect(r.outputs.outcome).toBe('config-error');
    expect(r.main.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      'test-report: input "coverage" must name coverage reports; backend/reports/junit.xml is a JUnit report (give it to the junit input)',
    ]);
    expect(existsSync(join(job, 'test-report-backend.json'))).toBe(false);
  });
});
