// The part of the summary and the sticky comment only this action has: the test totals and pass rate,
// coverage against the base and the minimum, the failed tests with where they failed, and (folded) the
// flaky tests, the slowest tests and coverage by file. Every name and message from a report is text from
// the repository or a tool: it goes through the kit's escaping, and through `clean` (colour codes out,
// credentials redacted) before that. Sections are added while they fit GitHub's comment limit.
import { code, type Finding, type LinkOptions, locationLink, textCell } from '@platform-actions/kit';
import { type CoverageMetric, type CoverageSummary, type FileCounts, percent } from './coverage/model.js';
import { clean, headline } from './findings.js';
import { coverageDelta, fmtMin, fmtPct, type Gates, round2 } from './gates.js';
import { passRate, type TestResult, type Totals } from './results.js';

/** A failing or flaky test with its finding (where it failed, what it said). */
export interface Located {
  result: TestResult;
  finding: Finding;
}

export interface ReportFacts {
  totals?: Totals;
  failed: readonly Located[];
  flaky: readonly Located[];
  slowest: readonly TestResult[];
  coverage?: CoverageSummary;
  base?: { summary: CoverageSummary; from: string };
  /** base-report was given but held nothing usable (or was absent). */
  baseMissing?: boolean;
  gates: Gates;
  reads: { junit: string[]; coverage: Array<{ path: string; kind: string }> };
  links: LinkOptions;
  /** Values to redact (the `redact` input). */
  redact: readonly string[];
}

/** Characters the details may take: the comment holds 65,536 in all, with the header and the run link. */
export const DETAILS_BUDGET = 58_000;
const MAX_FAILED_ROWS = 50;
const MAX_FLAKY_ROWS = 20;
const MAX_FILE_ROWS = 25;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const duration = (s: number): string => (s < 1 ? `${Math.round(s * 1000)} ms` : s < 120 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);
const KIND_NAME: Record<string, string> = { cobertura: 'Cobertura', lcov: 'LCOV', coveragepy: 'coverage.py JSON' };

function testsSection(t: Totals, gates: Gates): string {
  const rate = passRate(t);
  const rateCell = rate === undefined ? 'n/a (nothing ran)' : `**${fmtPct(rate)}**${gates.minPassRate > 0 ? ` (min ${fmtMin(gates.minPassRate)})` : ''}`;
  const failed = t.failed + t.errors;
  return (
    `| Tests | Passed | Failed | Skipped | Flaky | Pass rate | Time |\n| ---: | ---: | ---: | ---: | ---: | --- | ---: |\n` +
    `| ${t.tests} | ${t.passed} | ${failed ? `❌ ${failed}${t.errors ? ` (${plural(t.errors, 'error')})` : ''}` : '0'} | ${t.skipped} | ${t.flaky ? `🔁 ${t.flaky}` : '0'} | ${rateCell} | ${duration(t.time)} |\n`
  );
}

const pctOf = (c: FileCounts, m: CoverageMetric): string => {
  const p = percent(c, m);
  return p === undefined ? '–' : fmtPct(p);
};
const countsOf = (c: { covered: number; total: number }): string => `${c.covered} / ${c.total}`;
const deltaText = (d: number | undefined): string => (d === undefined ? '' : d > 0 ? `🔺 +${d.toFixed(2)}` : d < 0 ? `🔻 −${Math.abs(d).toFixed(2)}` : '±0.00');

function coverageSection(f: ReportFacts): string {
  const cov = f.coverage!;
  const base = f.base?.summary;
  const rows: string[] = [];
  const metrics: CoverageMetric[] = ['lines', 'branches'];
  if (f.gates.metric === 'combined') metrics.push('combined');
  for (const m of metrics) {
    if (m === 'branches' && !cov.total.branches.total && !base?.total.branches.total) continue;
    const counts = m === 'lines' ? ` (${countsOf(cov.total.lines)})` : m === 'branches' ? ` (${countsOf(cov.total.branches)})` : '';
    const gated = m === f.gates.metric;
    const here = `${gated ? '**' : ''}${pctOf(cov.total, m)}${gated ? '**' : ''}${counts}`;
    const min = gated && f.gates.minCoverage !== undefined ? fmtMin(f.gates.minCoverage) : '';
    const cells = [m === 'combined' ? 'Lines + branches' : m[0].toUpperCase() + m.slice(1), here];
    if (base) cells.push(pctOf(base.total, m), deltaText(coverageDelta(cov, base, m)));
    cells.push(min);
    rows.push(`| ${cells.join(' | ')} |`);
  }
  const head = base
    ? `| Coverage | This run | Base (${textCell(f.base!.from)}) | Change | Minimum |\n| --- | --- | --- | --- | --- |`
    : '| Coverage | This run | Minimum |\n| --- | --- | --- |';
  let md = `${head}\n${rows.join('\n')}\n`;
  if (!base && f.baseMissing) md += '\nChange against the base: not known (no base report this time).\n';
  if (f.gates.failOnDecrease && !base) md += '\n`fail-on-decrease` had no base to compare with, so it passed.\n';
  return md;
}

function failedSection(f: ReportFacts): string {
  const n = f.failed.length;
  const rows = f.failed.slice(0, MAX_FAILED_ROWS).map(({ result, finding }) => {
    const where = locationLink(finding, f.links).replace(/\|/g, '\\|') || '–';
    return `| ${code(clean(result.title, f.redact))}${result.attempts > 1 ? ` (${result.attempts} attempts)` : ''} | ${where} | ${textCell(headline(result, f.redact))} |`;
  });
  let md = `### ❌ Failed tests (${n})\n\n| Test | Where | Failure |\n| --- | --- | --- |\n${rows.join('\n')}\n`;
  if (n > MAX_FAILED_ROWS) md += `\n…and ${n - MAX_FAILED_ROWS} more (see the annotations and the test step's log).\n`;
  return md;
}

function flakySection(f: ReportFacts): string {
  const n = f.flaky.length;
  const rows = f.flaky.slice(0, MAX_FLAKY_ROWS).map(({ result, finding }) => {
    const where = locationLink(finding, f.links).replace(/\|/g, '\\|') || '–';
    return `| ${code(clean(result.title, f.redact))} | ${where} | ${result.attempts} | ${textCell(headline(result, f.redact))} |`;
  });
  const more = n > MAX_FLAKY_ROWS ? `\n…and ${n - MAX_FLAKY_ROWS} more.\n` : '';
  return `<details><summary>🔁 Flaky tests (${n}): failed, then passed on a retry</summary>\n\n| Test | Where | Attempts | First failure |\n| --- | --- | ---: | --- |\n${rows.join('\n')}\n${more}\n</details>\n`;
}

function slowestSection(f: ReportFacts): string {
  const rows = f.slowest.map((r) => `| ${code(clean(r.title, f.redact))} | ${duration(r.time)} |`);
  return `<details><summary>🐢 Slowest tests (${f.slowest.length})</summary>\n\n| Test | Time |\n| --- | ---: |\n${rows.join('\n')}\n\n</details>\n`;
}

function fileLink(path: string, links: LinkOptions): string {
  if (!links.repoUrl || !links.sha || path.startsWith('/')) return code(path);
  return `[${code(path)}](${links.repoUrl}/blob/${links.sha}/${path.split('/').map(encodeURIComponent).join('/')})`;
}

function filesSection(f: ReportFacts): string {
  const cov = f.coverage!;
  const base = f.base?.summary;
  const m = f.gates.metric;
  if (base) {
    const changed: Array<{ path: string; d: number; now?: number; was?: number }> = [];
    for (const path of new Set([...cov.files.keys(), ...base.files.keys()])) {
      const now = cov.files.get(path);
      const was = base.files.get(path);
      const pn = now && percent(now, m);
      const pw = was && percent(was, m);
      const d = round2((pn ?? 0) - (pw ?? 0));
      if ((pn === undefined) !== (pw === undefined) || d !== 0) changed.push({ path, d, now: pn, was: pw });
    }
    if (!changed.length) return '';
    // Files on both sides by the size of their change first, then new files, then removed ones.
    const rank = (c: (typeof changed)[number]) => (c.now !== undefined && c.was !== undefined ? 0 : c.was === undefined ? 1 : 2);
    changed.sort((a, b) => rank(a) - rank(b) || Math.abs(b.d) - Math.abs(a.d) || (a.path < b.path ? -1 : 1));
    const rows = changed.slice(0, MAX_FILE_ROWS).map((c) => {
      const now = c.now === undefined ? (cov.files.has(c.path) ? '–' : 'removed') : fmtPct(c.now);
      const was = c.was === undefined ? (base.files.has(c.path) ? '–' : 'new') : fmtPct(c.was);
      const d = c.now !== undefined && c.was !== undefined ? deltaText(c.d) : '';
      return `| ${fileLink(c.path, f.links).replace(/\|/g, '\\|')} | ${was} | ${now} | ${d} |`;
    });
    const more = changed.length > MAX_FILE_ROWS ? `\n…and ${changed.length - MAX_FILE_ROWS} more.\n` : '';
    return `<details><summary>📄 Coverage by file: ${plural(changed.length, 'file')} changed against the base</summary>\n\n| File | Base | This run | Change |\n| --- | ---: | ---: | --- |\n${rows.join('\n')}\n${more}\n</details>\n`;
  }
  const ranked = [...cov.files]
    .map(([path, c]) => ({ path, p: percent(c, m), c }))
    .filter((x): x is { path: string; p: number; c: FileCounts } => x.p !== undefined && x.p < 100)
    .sort((a, b) => a.p - b.p || (a.path < b.path ? -1 : 1))
    .slice(0, 10);
  if (!ranked.length) return '';
  const rows = ranked.map((x) => `| ${fileLink(x.path, f.links).replace(/\|/g, '\\|')} | ${fmtPct(x.p)} | ${countsOf(x.c.lines)} |`);
  return `<details><summary>📄 Least covered files (${ranked.length} of ${cov.files.size})</summary>\n\n| File | Coverage | Lines |\n| --- | ---: | ---: |\n${rows.join('\n')}\n\n</details>\n`;
}

function readsLine(f: ReportFacts): string {
  const parts: string[] = [];
  const list = (xs: string[]) => xs.slice(0, 5).map(code).join(', ') + (xs.length > 5 ? `, … (${xs.length - 5} more)` : '');
  if (f.reads.junit.length) parts.push(`${plural(f.reads.junit.length, 'JUnit report')} (${list(f.reads.junit)})`);
  if (f.reads.coverage.length) {
    const kinds = [...new Set(f.reads.coverage.map((c) => KIND_NAME[c.kind] ?? c.kind))].join(', ');
    parts.push(`${plural(f.reads.coverage.length, 'coverage report')}, ${kinds} (${list(f.reads.coverage.map((c) => c.path))})`);
  }
  return parts.length ? `<sub>Read: ${parts.join('; ')}.</sub>\n` : '';
}

/** The log line with the totals. */
export function totalsLine(t: Totals | undefined, coverage: number | undefined, metric: CoverageMetric): string {
  const parts: string[] = [];
  if (t) {
    const rate = passRate(t);
    parts.push(
      `Tests: ${t.tests} (${t.passed} passed, ${t.failed + t.errors} failed, ${t.skipped} skipped, ${t.flaky} flaky)${rate !== undefined ? `, pass rate ${fmtPct(rate)}` : ''}`,
    );
  }
  if (coverage !== undefined) parts.push(`coverage (${metric}) ${fmtPct(coverage)}`);
  return parts.join('; ') || 'Nothing was read.';
}

/** The details Markdown for publish(): sections in order of importance, added while they fit. */
export function detailsMarkdown(f: ReportFacts): string {
  const sections: string[] = [];
  if (f.totals) sections.push(testsSection(f.totals, f.gates));
  if (f.coverage) sections.push(coverageSection(f));
  if (f.failed.length) sections.push(failedSection(f));
  if (f.flaky.length) sections.push(flakySection(f));
  if (f.slowest.length) sections.push(slowestSection(f));
  if (f.coverage) sections.push(filesSection(f));
  sections.push(readsLine(f));
  let md = '';
  for (const s of sections.filter(Boolean)) {
    if (md.length + s.length + 1 > DETAILS_BUDGET) {
      md += '\n…(more sections left out to fit GitHub’s comment limit; the report file has the totals)\n';
      break;
    }
    md += `${md ? '\n' : ''}${s}`;
  }
  return md;
}
