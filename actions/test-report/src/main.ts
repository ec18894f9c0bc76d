// test-report: JUnit results and coverage from pytest, jest and go test, gated on pass rate and coverage.
// Reads like its table of contents: inputs → report files → tests and coverage → base → gates →
// findings (annotations) → outputs and report file → summary and comment → pass or fail.
import { core, currentEvent, failUnlessClean, gate, publish, redactCredentials, workspace } from '@platform-actions/kit';
import { resolve } from 'node:path';
import { readBase } from './base.js';
import { percent, summarize } from './coverage/model.js';
import { toFinding } from './findings.js';
import { coverageDelta, evaluate } from './gates.js';
import { locate } from './locate.js';
import { setTestOutputs } from './outputs.js';
import { RepoPaths } from './paths.js';
import { coverageKinds, label, readCoverage, readJUnit, reportDir, reportFiles } from './read.js';
import { detailsMarkdown, type Located, totalsLine } from './report.js';
import { buildReportFile, writeReportFile } from './report-file.js';
import { foldAttempts, isFailure, passRate, slowest, type TestResult, totals } from './results.js';
import { readSettings } from './settings.js';
import { ACTION } from './action.js';

export async function main(): Promise<void> {
  // 1. Inputs, all validated before any work; then the report files they name, and their formats.
  const s = readSettings();
  const event = currentEvent();
  const paths = new RepoPaths(workspace());
  const toolErrors: string[] = [];
  const junitFiles = s.junit.length ? reportFiles('junit', s.junit, toolErrors) : undefined;
  const coverageFiles = s.coverage.length ? coverageKinds(reportFiles('coverage', s.coverage, toolErrors), toolErrors) : [];

  // 2. Tests: every case, retries folded into one result per test, totals and the pass rate.
  const junit = junitFiles ? await readJUnit(junitFiles, toolErrors) : { read: [] };
  const cases = junit.cases;
  const results = cases && foldAttempts(cases);
  const t = results && totals(results);

  // 3. Coverage, merged over every report, and the base branch's to compare with.
  const measured = s.coverage.length ? await readCoverage(coverageFiles, paths, toolErrors) : undefined;
  const coverage = measured && summarize(measured);
  const base = coverage ? await readBase(s['base-report'], paths) : undefined;

  // 4. Failing and flaky tests located at file:line, as findings (annotations); the gates decide.
  const { failed, flaky } = located(results ?? [], paths, s.redact);
  const gates = { minCoverage: s['min-coverage'], minPassRate: s['min-pass-rate'], failOnDecrease: s['fail-on-decrease'], metric: s['coverage-metric'] };
  const policyErrors = evaluate(gates, { tests: t, coverage, base: base?.summary, failing: failed.map((f) => f.finding.title) });
  // A tool error may quote the file it could not read (an LCOV line): redacted like everything from a report.
  const g = gate({ findings: [...failed, ...flaky].map((f) => f.finding), failOn: 'none', toolErrors: toolErrors.map((e) => redactCredentials(e, s.redact)), policyErrors });

  // 5. Outputs and the report file (the next run's base), before anything can fail.
  const rate = t && passRate(t);
  const pct = coverage && percent(coverage.total, s['coverage-metric']);
  setTestOutputs({ totals: t, passRate: rate, coverage: pct, delta: coverageDelta(coverage, base?.summary, s['coverage-metric']) });
  const sha = event.pr?.headSha || event.sha;
  writeReportFile(
    s['report-file'],
    buildReportFile({ name: s.name, commit: sha, ref: event.pr ? `refs/heads/${event.pr.headRef}` : event.ref, tests: t, passRate: rate, coverage }),
  );
  core.info(totalsLine(t, pct, s['coverage-metric']));

  // 6. Annotations, job summary and the sticky comment (one per `name`).
  await publish({
    action: ACTION,
    title: s.name ? `Tests and coverage: ${s.name}` : 'Tests and coverage',
    gate: g,
    findingsTables: false,
    details: detailsMarkdown({
      totals: t,
      failed,
      flaky,
      slowest: results ? slowest(results, s.slowest) : [],
      coverage,
      base,
      baseMissing: Boolean(s['base-report']) && !base,
      gates,
      reads: { junit: junit.read, coverage: coverageFiles.map((c) => ({ path: label(c.path), kind: c.kind })) },
      links: { repoUrl: event.repoUrl, sha },
      redact: s.redact,
    }),
    reports: { 'report-file': s['report-file'] },
    comment: s.comment ? { token: s.token, category: s.name || 'default' } : undefined,
    event,
  });

  // 7. Pass or fail.
  failUnlessClean(ACTION, g, 'none');
}

/** Failing and flaky tests, each with its finding at the place it failed (relative paths tried from the report's folder too). */
function located(results: readonly TestResult[], paths: RepoPaths, redact: readonly string[]): { failed: Located[]; flaky: Located[] } {
  const one = (r: TestResult): Located => {
    const dir = reportDir(resolve(workspace(), r.report));
    return { result: r, finding: toFinding(r, locate(r, paths, dir !== undefined ? [dir] : []), redact) };
  };
  return { failed: results.filter((r) => isFailure(r.status)).map(one), flaky: results.filter((r) => r.flaky).map(one) };
}
