// The summary and comment details, the annotation text and the report file: hostile test names stay
// text, secrets a test printed never appear, a run with thousands of failures stays within GitHub's
// comment limit, and the report file written by one run is read back as the next run's base.
import { describe, expect, test } from '@jest/globals';
import { clearSecrets, addSecret } from '@platform-actions/kit';
import type { CoverageSummary, FileCounts } from '../src/coverage/model.js';
import { headline, toFinding } from '../src/findings.js';
import { parseJUnit } from '../src/junit.js';
import { outputValues } from '../src/outputs.js';
import { DETAILS_BUDGET, detailsMarkdown, type ReportFacts } from '../src/report.js';
import { buildReportFile, coverageOfReportFile } from '../src/report-file.js';
import { foldAttempts, slowest, totals, type TestResult } from '../src/results.js';

const results = (xml: string): TestResult[] => foldAttempts(parseJUnit(xml, 'junit.xml'));
const fc = (lc: number, lt: number, bc = 0, bt = 0): FileCounts => ({ lines: { covered: lc, total: lt }, branches: { covered: bc, total: bt } });
const summary = (files: Record<string, FileCounts>): CoverageSummary => {
  const total = fc(0, 0);
  for (const c of Object.values(files)) {
    total.lines.covered += c.lines.covered;
    total.lines.total += c.lines.total;
    total.branches.covered += c.branches.covered;
    total.branches.total += c.branches.total;
  }
  return { total, files: new Map(Object.entries(files)) };
};

function facts(rs: TestResult[], o: Partial<ReportFacts> = {}): ReportFacts {
  const failed = rs.filter((r) => r.status === 'failed' || r.status === 'error').map((result) => ({ result, finding: toFinding(result, { path: 'tests/t.py', startLine: 3 }) }));
  const flaky = rs.filter((r) => r.flaky).map((result) => ({ result, finding: toFinding(result, undefined) }));
  return {
    totals: totals(rs),
    failed,
    flaky,
    slowest: slowest(rs, 10),
    gates: { minPassRate: 100, failOnDecrease: false, metric: 'lines' },
    reads: { junit: ['junit.xml'], coverage: [] },
    links: { repoUrl: 'https://github.com/acme/app', sha: 'a'.repeat(40) },
    redact: [],
    ...o,
  };
}

describe('hostile names and messages stay text', () => {
  const rs = results(
    `<testsuites><testsuite name="s"><testcase classname="c" name="x&lt;/code&gt;&lt;img src=x onerror=alert(1)&gt; | [click](https://evil.example) @org/team"><failure message="![pwn](https://evil.example/p.png) &lt;script&gt;"/></testcase></testsuite></testsuites>`,
  );
  const md = detailsMarkdown(facts(rs));
  test('no HTML, image, link or mention from a report survives into the Markdown', () => {
    expect(md).not.toMatch(/<img|<script|<\/code><img/);
    expect(md).not.toMatch(/\]\(https:\/\/evil/);
    expect(md).not.toMatch(/!\[pwn\]/);
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
  test('table cells are not broken by a | in a name', () => {
    const row = md.split('\n').find((l) => l.includes('onerror'))!;
    expect(row.split(/(?<!\\)\|/).length).toBe(5); // | test | where | failure |
  });
});

describe('secrets a test printed', () => {
  const rs = results(
    `<testsuites><testsuite name="s"><testcase classname="t" name="test_db"><failure message="could not connect to postgresql://app:Hunter2Hunter2@db/app">E  password=Sw0rdfish99 token: ghp_${'a'.repeat(36)}
E  Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlMTIz
E  custom secret value: TopSecretValue-42 and AKIAZ7QW3RTY5UIO8PAS</failure></testcase></testsuite></testsuites>`,
  );
  test('credential shapes and values from `redact` are gone from the annotation and the details', () => {
    const f = toFinding(rs[0], undefined, ['TopSecretValue-42']);
    const md = detailsMarkdown(facts(rs, { redact: ['TopSecretValue-42'] }));
    for (const text of [f.message, md, headline(rs[0], ['TopSecretValue-42'])]) {
      for (const s of ['Hunter2Hunter2', 'Sw0rdfish99', `ghp_${'a'.repeat(36)}`, 'eyJzdWIiOiIxMjM0NTY3ODkwIn0', 'TopSecretValue-42', 'AKIAZ7QW3RTY5UIO8PAS'])
        expect(text).not.toContain(s);
    }
    expect(f.message).toContain('postgresql://app:***@db/app');
  });
  test('values registered with the kit (the redact input, the token) are scrubbed too', () => {
    addSecret('Sw0rdfish99');
    try {
      expect(headline(results(`<testsuite><testcase classname="t" name="n"><failure message="got Sw0rdfish99"/></testcase></testsuite>`)[0])).toBe('got ***');
    } finally {
      clearSecrets();
    }
  });
});

test('thousands of failures: the details stay within the comment budget and say what was left out', () => {
  const cases = Array.from(
    { length: 5000 },
    (_, i) => `<testcase classname="tests.mod${i}" name="test_${'long_name_'.repeat(8)}${i}"><failure message="${'assertion detail '.repeat(20)}">x</failure></testcase>`,
  ).join('');
  const md = detailsMarkdown(facts(results(`<testsuite name="s">${cases}</testsuite>`)));
  expect(md.length).toBeLessThanOrEqual(DETAILS_BUDGET + 200);
  expect(md).toMatch(/…and 4950 more/);
});

describe('coverage against the base', () => {
  const base = summary({ 'src/a.py': fc(80, 100), 'src/gone.py': fc(5, 10), 'src/same.py': fc(1, 2) });
  const now = summary({ 'src/a.py': fc(90, 100), 'src/new.py': fc(0, 10), 'src/same.py': fc(1, 2) });
  const md = detailsMarkdown(
    facts([], {
      totals: undefined,
      coverage: now,
      base: { summary: base, from: 'main @ 1a2b3c4' },
      gates: { minPassRate: 100, failOnDecrease: true, metric: 'lines', minCoverage: 80 },
    }),
  );
  test('totals with the base, the change and the minimum', () => {
    expect(md).toContain('| Coverage | This run | Base (main @ 1a2b3c4) | Change | Minimum |');
    // now 91/112 = 81.25 %, base 86/112 = 76.79 %
    expect(md).toContain('| Lines | **81.25 %** (91 / 112) | 76.79 % | 🔺 +4.46 | 80 % |');
  });
  test('files whose coverage changed, biggest change first, then new and removed files; unchanged files are not listed', () => {
    const rows = md.split('\n').filter((l) => l.startsWith('| [<code>'));
    expect(rows.map((r) => /src\/(\w+)\.py/.exec(r)![1])).toEqual(['a', 'new', 'gone']);
    expect(rows[0]).toContain('| 80.00 % | 90.00 % | 🔺 +10.00 |');
    expect(rows[1]).toContain('| new | 0.00 % |');
    expect(rows[2]).toContain('| 50.00 % | removed |');
  });
});

describe('the report file is the next run’s base', () => {
  test('round trip: counts per file and totals', () => {
    const cov = summary({ 'src/a.py': fc(3, 4, 1, 2), 'src/b.py': fc(0, 5) });
    const file = buildReportFile({
      name: 'backend',
      commit: 'c'.repeat(40),
      ref: 'refs/heads/main',
      tests: { tests: 3, passed: 2, failed: 1, errors: 0, skipped: 0, flaky: 0, time: 1.23456 },
      passRate: 66.6666,
      coverage: cov,
    });
    expect(file.tests).toMatchObject({ passRate: 66.67, time: 1.235 });
    const back = coverageOfReportFile(JSON.stringify(file));
    if ('problem' in back) throw new Error(back.problem);
    expect(back.summary.total).toEqual(cov.total);
    expect(back.summary.files.get('src/a.py')).toEqual(fc(3, 4, 1, 2));
    expect(back).toMatchObject({ ref: 'refs/heads/main', name: 'backend' });
  });
  test.each([
    ['{"schema": "platform-actions/test-report/v1", "createdAt": "x"}', /holds no coverage/],
    ['{"schema": "something-else"}', /its schema is "something-else"/],
    ['{"schema": "platform-actions/test-report/v1", "cov', /not complete JSON/],
    ['{"schema": "platform-actions/test-report/v1", "coverage": {"lines": "a"}}', /malformed/],
  ])('unusable: %s', (text, want) => {
    const r = coverageOfReportFile(text);
    expect('problem' in r && r.problem).toMatch(want);
  });
});

test('outputs: plain numbers, empty when not known', () => {
  expect(outputValues({})).toEqual({ tests: '', passed: '', failed: '', skipped: '', flaky: '', 'pass-rate': '', coverage: '', 'coverage-delta': '' });
  expect(outputValues({ totals: { tests: 5, passed: 3, failed: 1, errors: 1, skipped: 0, flaky: 1, time: 1 }, passRate: 60, coverage: 84.314, delta: -0.35 })).toEqual({
    tests: '5',
    passed: '3',
    failed: '2',
    skipped: '0',
    flaky: '1',
    'pass-rate': '60.00',
    coverage: '84.31',
    'coverage-delta': '-0.35',
  });
  expect(outputValues({ delta: 1.2 })['coverage-delta']).toBe('+1.20');
  expect(outputValues({ delta: 0 })['coverage-delta']).toBe('0.00');
});

test('annotation text: the headline, then the meaningful lines, Go banners left out', () => {
  const [r] = results(
    `<testsuite><testcase classname="example.com/calc" name="TestAdd"><failure message="Failed">=== RUN   TestAdd
    calc_test.go:17: Add(1, 2) = 3, want 4
--- FAIL: TestAdd (0.00s)</failure></testcase></testsuite>`,
  );
  expect(headline(r)).toBe('calc_test.go:17: Add(1, 2) = 3, want 4');
  expect(toFinding(r, undefined).message).toBe('example.com/calc › TestAdd failed:     calc_test.go:17: Add(1, 2) = 3, want 4');
});
