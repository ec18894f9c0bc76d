// test-report on reports the real tools wrote (fixtures.ts runs pytest, jest and go test here): the
// counts agree with each tool's own, every failure is annotated at the line the tool reported it, flaky
// tests are told apart, and coverage equals coverage.py's and istanbul's own totals in every format.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Fixtures, buildFixtures, marked, SECRET_URL } from './fixtures.js';
import { type MainRun, runMain } from './helpers.js';

jest.setTimeout(300_000);

let fx: Fixtures;
beforeAll(() => {
  fx = buildFixtures(mkdtempSync(join(tmpdir(), 'test-report-tools-')));
}, 300_000);
afterAll(() => rmSync(fx.root, { recursive: true, force: true }));

const errorsAt = (r: MainRun) =>
  r.log.annotations
    .filter((a) => a.level === 'error' && a.file)
    .map((a) => `${a.file}:${a.line}`)
    .sort();
const at = (name: string) => {
  const m = marked(name);
  return `${m.path}:${m.startLine}`;
};

describe('pytest', () => {
  let xunit2: MainRun;
  let xunit1: MainRun;
  beforeAll(async () => {
    xunit2 = await runMain(fx.root, { junit: 'backend/reports/junit.xml', 'min-pass-rate': '0' });
    xunit1 = await runMain(fx.root, { junit: 'backend/reports/junit-xunit1.xml', 'min-pass-rate': '0' });
  });

  test.each(['xunit2', 'xunit1'])('%s: the counts pytest itself reports (3 failed, 2 passed, 1 skipped, 1 xfailed, 1 error, 1 rerun)', (family) => {
    const r = family === 'xunit2' ? xunit2 : xunit1;
    const file = family === 'xunit2' ? 'junit.xml' : 'junit-xunit1.xml';
    // pytest's own suite attributes: tests counts each test once, re-runs included once.
    const attrs = /<testsuite [^>]*errors="(\d+)" failures="(\d+)" skipped="(\d+)" tests="(\d+)"/.exec(readFileSync(join(fx.root, 'backend/reports', file), 'utf8'))!;
    expect(r.outputs).toMatchObject({ tests: attrs[4], failed: String(Number(attrs[1]) + Number(attrs[2])), skipped: attrs[3], passed: '2', flaky: '1', 'pass-rate': '33.33' });
    expect(r.outputs.tests).toBe('8');
  });

  test.each(['xunit2', 'xunit1'])('%s: each failure annotated at the line pytest reported, in the repository (pytest ran in backend/)', (family) => {
    const r = family === 'xunit2' ? xunit2 : xunit1;
    expect(errorsAt(r)).toEqual([at('py-add-wrong'), at('py-div-zero'), at('py-fixture'), at('py-secret')].sort());
  });

  test('the flaky test (failed, passed on the re-run) is a notice on its file, not an error', () => {
    const n = xunit2.log.annotations.filter((a) => a.level === 'notice' && a.title?.includes('flaky-test'));
    expect(n).toHaveLength(1);
    expect(n[0].file).toBe('backend/tests/test_calc.py');
    expect(xunit2.summary).toMatch(/Flaky tests \(1\)/);
  });

  test('the database password the failing test printed is nowhere: not in annotations, summary or outputs', () => {
    for (const r of [xunit1, xunit2]) {
      expect(r.stdout + r.summary + JSON.stringify(r.outputs)).not.toContain('S3cr3tPassw0rd');
      expect(r.stdout).toContain('postgresql://app:***@db/app');
    }
    expect(SECRET_URL).toContain('S3cr3tPassw0rd');
  });

  test.each(['coverage.xml', 'coverage.json', 'coverage.lcov'])('coverage from %s equals coverage.py’s own totals, under the repository path', async (file) => {
    const t = fx.coveragePy;
    const lines = await runMain(fx.root, { coverage: `backend/reports/${file}` });
    expect(lines.outputs.coverage).toBe(((t.covered_lines / t.num_statements) * 100).toFixed(2));
    const branches = await runMain(fx.root, { coverage: `backend/reports/${file}`, 'coverage-metric': 'branches' });
    expect(branches.outputs.coverage).toBe(((t.covered_branches / t.num_branches) * 100).toFixed(2));
    const combined = await runMain(fx.root, { coverage: `backend/reports/${file}`, 'coverage-metric': 'combined' });
    expect(combined.outputs.coverage).toBe(t.percent_covered.toFixed(2));
    const report = JSON.parse(readFileSync(join(lines.dir, 'test-report.json'), 'utf8'));
    expect(Object.keys(report.coverage.files)).toEqual(['backend/src/calc/__init__.py']);
  });

  test('the three formats of one run merge into the same numbers (nothing counted twice)', async () => {
    const r = await runMain(fx.root, { coverage: 'backend/reports/coverage.*' });
    expect(r.outputs.coverage).toBe(((fx.coveragePy.covered_lines / fx.coveragePy.num_statements) * 100).toFixed(2));
  });
});

describe('jest with jest-junit', () => {
  let r: MainRun;
  beforeAll(async () => {
    r = await runMain(fx.root, { junit: 'frontend/reports/junit.xml', coverage: 'frontend/coverage/cobertura-coverage.xml', 'min-pass-rate': '0' });
  });
  test("the counts jest reports (a todo test is a plain passing case in jest-junit's XML)", () => {
    const j = fx.jestResults;
    expect(r.outputs).toMatchObject({
      tests: String(j.numTotalTests),
      passed: String(j.numPassedTests + j.numTodoTests),
      failed: String(j.numFailedTests),
      skipped: String(j.numPendingTests),
    });
  });
  test('each failure annotated at the expect() line in the test file, with its column, not in calc.js or node_modules', () => {
    expect(errorsAt(r)).toEqual([at('js-add-wrong'), at('js-div-zero')].sort());
    const cols = r.log.annotations.filter((a) => a.level === 'error' && a.file).map((a) => a.col);
    expect(cols.every((c) => typeof c === 'number' && c > 1)).toBe(true);
  });
  test.each(['cobertura-coverage.xml', 'lcov.info'])("coverage from %s equals istanbul's own json-summary", async (file) => {
    const s = fx.jestSummary;
    const lines = await runMain(fx.root, { coverage: `frontend/coverage/${file}` });
    expect(lines.outputs.coverage).toBe(((s.lines.covered / s.lines.total) * 100).toFixed(2));
    const branches = await runMain(fx.root, { coverage: `frontend/coverage/${file}`, 'coverage-metric': 'branches' });
    expect(branches.outputs.coverage).toBe(((s.branches.covered / s.branches.total) * 100).toFixed(2));
  });
});

describe('go test', () => {
  test('gotestsum --rerun-fails: the flaky test passed on its re-run; a test that failed every time is failed once', async () => {
    const r = await runMain(fx.root, { junit: 'gosvc/reports/gotestsum.xml', 'min-pass-rate': '0' });
    // TestAdd, TestAddWrong, TestSkip, TestFlaky, TestSub, TestSub/ok, TestSub/bad
    expect(r.outputs).toMatchObject({ tests: '7', passed: '3', failed: '3', skipped: '1', flaky: '1' });
    expect(errorsAt(r)).toEqual(expect.arrayContaining([at('go-add-wrong'), at('go-sub')]));
    const flaky = r.log.annotations.find((a) => a.level === 'notice' && a.title?.includes('flaky-test'));
    expect(`${flaky?.file}:${flaky?.line}`).toBe(at('go-flaky'));
    expect(r.summary).toMatch(/TestAddWrong<\/code> \(3 attempts\)/);
  });
  test("go-junit-report: a panic is located from the suite's output; t.Error lines from the case", async () => {
    const r = await runMain(fx.root, { junit: 'gosvc/reports/go-junit-report.xml', 'min-pass-rate': '0' });
    expect(errorsAt(r)).toEqual(expect.arrayContaining([at('go-add-wrong'), at('go-flaky'), at('go-sub'), at('go-panic')]));
  });
});

test('every report at once: one summary, counts added up, one failure line naming the gate', async () => {
  const r = await runMain(fx.root, {
    junit: 'backend/reports/junit.xml\nfrontend/reports/junit.xml\ngosvc/reports/*.xml',
    coverage: 'backend/reports/coverage.xml, frontend/coverage/lcov.info',
    'min-coverage': '95',
  });
  // go-junit-report ran every package: the 7 tests gotestsum ran and the panicking one.
  expect(r.outputs.tests).toBe(String(8 + fx.jestResults.numTotalTests + 7 + 8));
  expect(r.outputs.outcome).toBe('policy-failure');
  expect(r.failure).toMatch(/^test-report: pass rate \d+\.\d\d % is below min-pass-rate 100 %: \d+ of \d+ tests failed .*; lines coverage \d+\.\d\d % is below min-coverage 95 %/);
  // 14 failures; GitHub keeps ten error annotations per step: nine failures and the failure line, then a
  // notice that says how many more there are.
  expect(r.log.annotations.filter((a) => a.level === 'error')).toHaveLength(10);
  expect(r.log.annotations.some((a) => a.level === 'notice' && /^5 more findings are not annotated/.test(a.message))).toBe(true);
});
