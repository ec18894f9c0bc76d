// test-report: JUnit results and coverage from pytest, jest and go test, gated on pass rate and coverage.
// Reads like its table of contents: inputs → report files → tests and coverage → base → gates →
// findings (annotations) → outputs and report file → summary and comment → pass or fail.
import { core, currentEvent, failUnlessClean, gate, publish, redactCredentials, scrub, ToolError, workspace } from '@platform-actions/kit';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { readBase } from './base.js';
import { percent, summarize } from './coverage/model.js';
import { toFinding } from './findings.js';
import { coverageDelta, evaluate, round2 } from './gates.js';
import { locate } from './locate.js';
import { setTestOutputs } from './outputs.js';
import { RepoPaths } from './paths.js';
import { coverageKinds, label, readCoverage, readJUnit, reportDir, reportFiles } from './read.js';
import { detailsMarkdown } from './report.js';
import { buildReportFile } from './report-file.js';
import { foldAttempts, isFailure, passRate, slowest, totals } from './results.js';
import { readSettings } from './settings.js';

export const ACTION = 'test-report';

export async function main(): Promise<void> {
  // 1. Inputs, all validated before any work; then the report files they name, and their formats.
  const s = readSettings();
  const event = currentEvent();
  const paths = new RepoPaths(workspace());
  const toolErrors: string[] = [];
  const junitFiles = s.junit.length ? reportFiles('junit', s.junit, toolErrors) : [];
  const coverageFiles = s.coverage.length ? coverageKinds(reportFiles('coverage', s.coverage, toolErrors), toolErrors) : [];

  // 2. Tests: every case, retries folded into one result per test, totals and the pass rate.
  const cases = s.junit.length ? await readJUnit(junitFiles, toolErrors) : undefined;
  const results = cases && foldAttempts(cases);
  const t = results && totals(results);

  // 3. Coverage, merged over every report, and the base branch's to compare with.
  const measured = s.coverage.length ? await readCoverage(coverageFiles, paths, toolErrors) : undefined;
  const coverage = measured && summarize(measured);
  const base = coverage ? await readBase(s['base-report'], paths) : undefined;

  // 4. Failing and flaky tests located at file:line, as findings (annotations); the gates decide.
  const locatedFor = (r: NonNullable<typeof results>[number]) => {
    const dir = reportDir(resolve(workspace(), r.report));
    return { result: r, finding: toFinding(r, locate(r, paths, dir !== undefined ? [dir] : []), s.redact) };
  };
  const failed = (results ?? []).filter((r) => isFailure(r.status)).map(locatedFor);
  const flaky = (results ?? []).filter((r) => r.flaky).map(locatedFor);
  const gates = { minCoverage: s['min-coverage'], minPassRate: s['min-pass-rate'], failOnDecrease: s['fail-on-decrease'], metric: s['coverage-metric'] };
  const policyErrors = evaluate(gates, { tests: t, coverage, base: base?.summary, failing: failed.map((f) => redactCredentials(f.result.title, s.redact)) });
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
  if (t)
    core.info(
      `Tests: ${t.tests} (${t.passed} passed, ${t.failed + t.errors} failed, ${t.skipped} skipped, ${t.flaky} flaky)${rate !== undefined ? `, pass rate ${round2(rate)} %` : ''}`,
    );
  if (pct !== undefined) core.info(`Coverage (${s['coverage-metric']}): ${round2(pct)} %`);

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
      reads: { junit: junitFiles.map(label), coverage: coverageFiles.map((c) => ({ path: label(c.path), kind: c.kind })) },
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

function writeReportFile(path: string, report: ReturnType<typeof buildReportFile>): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    // Scrubbed string by string, so a registered secret cannot reach a cache entry and the JSON stays valid.
    writeFileSync(path, `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'string' ? scrub(v) : v), 1)}\n`);
  } catch (e) {
    // The path was checked when the input was read; a failure now is the disk or the runner.
    throw new ToolError(`could not write the report file ${path}: ${(e as Error).message}`);
  }
}
