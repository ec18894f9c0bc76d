// The three gates, as plain data in and reasons out: each reason is one sentence for the failure line
// and the summary, and any reason makes the run a policy failure (through the kit's gate). Numbers are
// compared as they are shown, to two decimals, so "80.00 % is below 80 %" can never be printed; a
// minimum of 100 % asks for everything, exactly (99.996 % is not 100 %).
import { type CoverageMetric, percent, type CoverageSummary } from './coverage/model.js';
import { passRate, type Totals } from './results.js';

export interface Gates {
  /** Percent; undefined = no minimum. */
  minCoverage?: number;
  /** Percent; 0 = off. */
  minPassRate: number;
  failOnDecrease: boolean;
  metric: CoverageMetric;
}

export interface GateFacts {
  /** Undefined when no JUnit report was read. */
  tests?: Totals;
  /** Undefined when no coverage report was read. */
  coverage?: CoverageSummary;
  base?: CoverageSummary;
  /** Failing test titles, for the reason line. */
  failing?: readonly string[];
}

export const round2 = (n: number): number => Math.round(n * 100) / 100;
export const fmtPct = (n: number): string => `${round2(n).toFixed(2)} %`;
export const fmtMin = (n: number): string => `${Number.isInteger(n) ? n : n.toFixed(2).replace(/0+$/, '')} %`;

function meets(value: number, min: number, exact: { done: number; of: number }): boolean {
  if (min >= 100) return exact.done === exact.of;
  return round2(value) >= min;
}

const metricCounts = (c: CoverageSummary, m: CoverageMetric): { done: number; of: number } =>
  m === 'lines'
    ? { done: c.total.lines.covered, of: c.total.lines.total }
    : m === 'branches'
      ? { done: c.total.branches.covered, of: c.total.branches.total }
      : { done: c.total.lines.covered + c.total.branches.covered, of: c.total.lines.total + c.total.branches.total };

/** The coverage change in points against the base, rounded as shown; undefined without both numbers. */
export function coverageDelta(cur: CoverageSummary | undefined, base: CoverageSummary | undefined, metric: CoverageMetric): number | undefined {
  const a = cur && percent(cur.total, metric);
  const b = base && percent(base.total, metric);
  return a === undefined || b === undefined ? undefined : round2(round2(a) - round2(b));
}

export function evaluate(g: Gates, f: GateFacts): string[] {
  const reasons: string[] = [];
  if (f.tests && g.minPassRate > 0) {
    const t = f.tests;
    const rate = passRate(t);
    const ran = t.passed + t.failed + t.errors;
    if (rate === undefined) {
      reasons.push(`no test ran (${t.tests} in the reports, ${t.skipped} skipped): min-pass-rate ${fmtMin(g.minPassRate)} cannot be met by nothing`);
    } else if (!meets(rate, g.minPassRate, { done: t.passed, of: ran })) {
      const names = (f.failing ?? []).slice(0, 3).join(', ');
      const more = (f.failing?.length ?? 0) > 3 ? ', …' : '';
      reasons.push(`pass rate ${fmtPct(rate)} is below min-pass-rate ${fmtMin(g.minPassRate)}: ${t.failed + t.errors} of ${ran} tests failed${names ? ` (${names}${more})` : ''}`);
    }
  }
  if (f.coverage && g.minCoverage !== undefined) {
    const pct = percent(f.coverage.total, g.metric);
    if (pct === undefined) reasons.push(`the coverage reports measure no ${g.metric === 'branches' ? 'branches' : 'lines'}: min-coverage ${fmtMin(g.minCoverage)} cannot be met`);
    else if (!meets(pct, g.minCoverage, metricCounts(f.coverage, g.metric))) reasons.push(`${g.metric} coverage ${fmtPct(pct)} is below min-coverage ${fmtMin(g.minCoverage)}`);
  }
  if (f.coverage && g.failOnDecrease) {
    const d = coverageDelta(f.coverage, f.base, g.metric);
    if (d !== undefined && d < 0) {
      reasons.push(
        `${g.metric} coverage fell by ${Math.abs(d).toFixed(2)} points against the base, from ${fmtPct(percent(f.base!.total, g.metric)!)} to ${fmtPct(percent(f.coverage.total, g.metric)!)} (fail-on-decrease)`,
      );
    }
  }
  return reasons;
}
