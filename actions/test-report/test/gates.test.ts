// The gates as a table: plain facts in, reasons out. Boundaries are compared as shown (two decimals),
// and 100 % means all of it.
import { describe, expect, test } from '@jest/globals';
import type { CoverageSummary } from '../src/coverage/model.js';
import { coverageDelta, evaluate, type Gates } from '../src/gates.js';
import type { Totals } from '../src/results.js';

const tests = (passed: number, failed: number, skipped = 0, errors = 0): Totals => ({
  tests: passed + failed + skipped + errors,
  passed,
  failed,
  errors,
  skipped,
  flaky: 0,
  time: 1,
});
const cov = (covered: number, total: number, bc = 0, bt = 0): CoverageSummary => ({
  total: { lines: { covered, total }, branches: { covered: bc, total: bt } },
  files: new Map(),
});
const g = (o: Partial<Gates> = {}): Gates => ({ minPassRate: 100, failOnDecrease: false, metric: 'lines', ...o });

describe('min-pass-rate', () => {
  test.each([
    ['all passed', g(), tests(10, 0), []],
    ['one failed at the default 100', g(), tests(9, 1), [/^pass rate 90\.00 % is below min-pass-rate 100 %: 1 of 10 tests failed \(a\)$/]],
    ['errors count as failures', g({ minPassRate: 95 }), tests(18, 0, 0, 2), [/pass rate 90\.00 % is below min-pass-rate 95 %: 2 of 20 tests failed/]],
    ['95 % met exactly', g({ minPassRate: 95 }), tests(19, 1), []],
    ['skipped tests do not count', g(), tests(5, 0, 5), []],
    ['off at 0', g({ minPassRate: 0 }), tests(0, 10), []],
    ['nothing ran', g(), tests(0, 0, 3), [/^no test ran \(3 in the reports, 3 skipped\): min-pass-rate 100 % cannot be met by nothing$/]],
    ['99.996 % shows as 100.00 % but is not 100 %', g(), tests(24999, 1), [/pass rate 100\.00 % is below min-pass-rate 100 %/]],
    ['99.995 % rounds up to meet 99.99 %', g({ minPassRate: 99.99 }), tests(19999, 1), []],
  ])('%s', (_n, gates, t, want) => {
    const reasons = evaluate(gates, { tests: t, failing: ['a'] });
    expect(reasons).toHaveLength(want.length);
    want.forEach((w, i) => expect(reasons[i]).toMatch(w));
  });
  test('the first three failing tests are named, then …', () => {
    expect(evaluate(g(), { tests: tests(1, 4), failing: ['a', 'b', 'c', 'd'] })[0]).toMatch(/\(a, b, c, …\)$/);
  });
});

describe('min-coverage', () => {
  test.each([
    ['above', g({ minCoverage: 80 }), cov(81, 100), []],
    ['79.996 % is shown and gated as 80.00 %', g({ minCoverage: 80 }), cov(19999, 25000), []],
    ['below', g({ minCoverage: 80 }), cov(799, 1000), [/^lines coverage 79\.90 % is below min-coverage 80 %$/]],
    ['decimal minimum', g({ minCoverage: 92.5 }), cov(92, 100), [/below min-coverage 92\.5 %/]],
    ['100 means every line', g({ minCoverage: 100 }), cov(99999, 100000), [/lines coverage 100\.00 % is below min-coverage 100 %/]],
    ['branches metric', g({ minCoverage: 50, metric: 'branches' }), cov(100, 100, 1, 4), [/^branches coverage 25\.00 % is below min-coverage 50 %$/]],
    ['combined metric (coverage.py)', g({ minCoverage: 60, metric: 'combined' }), cov(5, 8, 0, 2), [/^combined coverage 50\.00 % is below min-coverage 60 %$/]],
    ['nothing measured', g({ minCoverage: 10 }), cov(0, 0), [/the coverage reports measure no lines: min-coverage 10 % cannot be met/]],
    ['no minimum', g(), cov(1, 100), []],
  ])('%s', (_n, gates, c, want) => {
    const reasons = evaluate(gates, { coverage: c });
    expect(reasons).toHaveLength(want.length);
    want.forEach((w, i) => expect(reasons[i]).toMatch(w));
  });
});

describe('fail-on-decrease', () => {
  test.each([
    ['fell', cov(840, 1000), cov(850, 1000), [/^lines coverage fell by 1\.00 points against the base, from 85\.00 % to 84\.00 % \(fail-on-decrease\)$/]],
    ['rose', cov(860, 1000), cov(850, 1000), []],
    ['equal as shown (a change below 0.005 points is no change)', cov(85001, 100000), cov(85004, 100000), []],
    ['no base: nothing to compare', cov(1, 1000), undefined, []],
  ])('%s', (_n, c, base, want) => {
    const reasons = evaluate(g({ failOnDecrease: true }), { coverage: c, base });
    expect(reasons).toHaveLength(want.length);
    want.forEach((w, i) => expect(reasons[i]).toMatch(w));
  });
  test('coverageDelta rounds each side as shown, then subtracts', () => {
    expect(coverageDelta(cov(8431, 10000), cov(85, 100), 'lines')).toBe(-0.69);
    expect(coverageDelta(cov(1, 3), cov(1, 3), 'lines')).toBe(0);
    expect(coverageDelta(cov(1, 3), undefined, 'lines')).toBeUndefined();
    expect(coverageDelta(cov(0, 0), cov(1, 3), 'lines')).toBeUndefined();
  });
});

test('every gate that fails gives its own reason', () => {
  const r = evaluate(g({ minCoverage: 90, failOnDecrease: true }), { tests: tests(1, 1), coverage: cov(80, 100), base: cov(85, 100), failing: ['t'] });
  expect(r).toHaveLength(3);
});
