// The local runner runs a bundled action under Node 24 the way GitHub's runner does, and the kit's
// reporters reach a PR author: annotations, outputs, summary, SARIF and the sticky comment.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeGitHub, type FakeGitHub } from '../harness/services/fake-github.js';
import { sarifSchemaErrors } from '../helpers/sarif-schema.js';
import { runBundledAction } from '../runner/runner.js';

const SEVS = ['critical', 'high', 'medium', 'low', 'info'];
const findings = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    tool: 'kit-probe',
    ruleId: `R${i % 7}`,
    severity: SEVS[i % 5],
    title: `Rule ${i % 7}`,
    message: `finding ${i}`,
    location: { path: `src/f${i}.yaml`, startLine: i + 1 },
    fingerprint: `fp${i}`,
  }));

let gh: FakeGitHub;
let dir: string;
beforeAll(async () => {
  expect(existsSync('.build/test-actions/kit-probe/index.js')).toBe(true); // built by `npm run build`
  gh = await startFakeGitHub({ readOnlyTokens: ['fork-token'] });
  dir = mkdtempSync(join(tmpdir(), 'e2e-runner-'));
});
afterAll(async () => gh?.stop());

const prPayload = (fork: boolean) => ({
  number: 5,
  pull_request: {
    number: 5,
    base: { sha: 'a'.repeat(40), ref: 'main', repo: { full_name: 'acme/example' } },
    head: { sha: 'b'.repeat(40), ref: 'feat', repo: { full_name: fork ? 'someone/example' : 'acme/example', fork } },
  },
});

describe('kit-probe through the local runner', () => {
  test('under Node 24: outputs, capped annotations, summary, SARIF, post step, failure line', async () => {
    const file = join(dir, 'many.json');
    writeFileSync(file, JSON.stringify(findings(60)));
    const r = await runBundledAction({ action: 'kit-probe', inputs: { 'findings-file': file } });
    expect(r.main.log).toMatch(/first line of work: 60 findings \(node v24\./);
    expect(r.main.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'findings-count': '60', 'critical-count': '12', 'high-count': '12' });
    // 9 finding errors + the failure line (GitHub keeps 10 errors, so the failure line is never the one
    // dropped), 10 warnings, 9 notices + 1 closing notice.
    const levels = r.main.annotations.map((a) => a.level);
    expect(levels.filter((l) => l === 'error')).toHaveLength(10);
    expect(levels.filter((l) => l === 'warning')).toHaveLength(10);
    expect(levels.filter((l) => l === 'notice')).toHaveLength(10);
    expect(r.main.annotations.find((a) => a.message.startsWith('32 more findings are not annotated'))).toBeDefined();
    expect(r.main.annotations.at(-1)?.message).toBe('kit-probe: 24 findings at or above "high" (see the annotations and the job summary)');
    expect(r.summary).toContain('❌ **Failed**: 24 findings at or above the threshold.');
    const sarif = JSON.parse(readFileSync(r.outputs['sarif-file'], 'utf8'));
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    expect(sarif.runs[0].results).toHaveLength(60);
    expect(r.post?.log).toContain('post step ran; main saved probe-started=yes');
  });

  test('a bad input is one line naming the input, with no stack trace, and post still runs', async () => {
    const file = join(dir, 'one.json');
    writeFileSync(file, JSON.stringify(findings(1)));
    const r = await runBundledAction({ action: 'kit-probe', inputs: { 'findings-file': file, 'fail-on': 'severe' } });
    expect(r.main.exitCode).toBe(1);
    expect(r.main.annotations).toEqual([{ level: 'error', message: 'kit-probe: input "fail-on" must be one of critical, high, medium, low, info, none; got "severe"' }]);
    expect(r.main.stdout + r.main.stderr).not.toMatch(/\n\s+at /);
    expect(r.post?.exitCode).toBe(0);
  });

  test('the sticky PR comment is created once and then updated in place; the token never shows', async () => {
    const file = join(dir, 'two.json');
    writeFileSync(file, JSON.stringify(findings(2)));
    const token = 'ghs_e2eTokenValue123';
    const opts = {
      action: 'kit-probe',
      inputs: { 'findings-file': file, comment: 'true', token, 'fail-on': 'none' },
      event: { name: 'pull_request', payload: prPayload(false) },
      env: { GITHUB_API_URL: gh.url },
    };
    const first = await runBundledAction(opts);
    expect(first.main.exitCode).toBe(0);
    const second = await runBundledAction(opts);
    expect(second.main.exitCode).toBe(0);
    const mine = gh.state.comments.filter((c) => String(c.body).includes('<!-- platform-actions:kit-probe:default -->'));
    expect(mine).toHaveLength(1);
    const methods = gh.requests.filter((q) => q.path.includes('/comments')).map((q) => q.method);
    expect(methods).toEqual(['GET', 'POST', 'GET', 'PATCH']);
    for (const r of [first, second]) expect(r.everything).not.toContain(token);
  });

  test('on a fork PR the comment is skipped with a notice, and the step still passes', async () => {
    const file = join(dir, 'fork.json');
    writeFileSync(file, JSON.stringify(findings(1)));
    const before = gh.requests.length;
    const r = await runBundledAction({
      action: 'kit-probe',
      inputs: { 'findings-file': file, comment: 'true', token: 'fork-token', 'fail-on': 'none' },
      event: { name: 'pull_request', payload: prPayload(true) },
      env: { GITHUB_API_URL: gh.url },
    });
    expect(r.main.exitCode).toBe(0);
    expect(r.main.annotations.some((a) => a.level === 'notice' && a.message.startsWith('PR comment skipped: this is a fork PR'))).toBe(true);
    expect(gh.requests.length).toBe(before);
  });

  test('a read-only token that is not a fork gets a notice, not a failure', async () => {
    const file = join(dir, 'ro.json');
    writeFileSync(file, JSON.stringify(findings(1)));
    const r = await runBundledAction({
      action: 'kit-probe',
      inputs: { 'findings-file': file, comment: 'true', token: 'fork-token', 'fail-on': 'none' },
      event: { name: 'pull_request', payload: { ...prPayload(false), number: 9, pull_request: { ...prPayload(false).pull_request, number: 9 } } },
      env: { GITHUB_API_URL: gh.url },
    });
    expect(r.main.exitCode).toBe(0);
    expect(r.main.annotations.some((a) => a.message.startsWith('PR comment skipped: the token cannot write comments here'))).toBe(true);
  });
});
