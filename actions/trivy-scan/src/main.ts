// trivy-scan: one JSON scan per target, every report rendered by us, a separate gate. Reads like its
// table of contents: inputs → ignore files → trivy → databases → scans → findings → gate → reports →
// pass or fail.
import { core, Deadline, failUnlessClean, type Finding, gate, keepToolError, pool, publish, ToolError, workspace } from '@platform-actions/kit';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDatabases, JAVA_DB, saveCache, VULN_DB } from './db.js';
import { isUnfixed, metaOf, toFindings } from './findings.js';
import { applyIgnores, loadIgnoreFiles, type Suppression } from './ignore.js';
import { installTrivy } from './install.js';
import { dbLine, detailsMarkdown, type RunFacts, UNFIXED_REASON } from './report.js';
import { readSettings, type Settings } from './settings.js';
import { needsDb } from './targets.js';
import { convertToCycloneDx, envFor, neutralFiles, readScan, scanConcurrency, type ScanOptions, startScan, trivyEnv } from './trivy.js';
import { ACTION } from './action.js';

export async function main(): Promise<void> {
  // 1. Inputs and ignore files, all validated before any work.
  const s = readSettings();
  const ignoreFiles = await loadIgnoreFiles(s['ignore-file'], workspace());
  for (const f of ignoreFiles) for (const e of f.expired) core.warning(`${e.where}: the entry for ${e.id} expired on ${e.expires}; it no longer suppresses anything`);
  const facts: RunFacts = {
    dbNeeded: needsDb(s.targets),
    targets: s.targets.map((target) => ({ target, findings: [] })),
    ignoreFiles,
    ignoreHits: new Map(),
    suppressed: [],
    ignoreUnfixed: s['ignore-unfixed'],
    baseline: s.baseline && { path: s.baseline.path, entries: s.baseline.ids.size },
  };

  // 2–4. trivy, its databases, one scan per target. A tool error is kept, not thrown, so what did run is
  // still reported everywhere and nobody reads a partial run as clean.
  const toolErrors: string[] = [];
  let raw: Finding[] = [];
  try {
    raw = await scanAll(s, facts, toolErrors);
  } catch (e) {
    keepToolError(ACTION, e, toolErrors);
  }

  // 5. Suppressions (ignore-unfixed, ignore files), then the gate: baseline, threshold, tool errors.
  const { kept, suppressed } = suppress(raw, s, facts);
  const g = gate({ findings: kept, failOn: s['fail-on'], baseline: s.baseline?.ids, toolErrors });
  g.suppressed.unshift(...suppressed);
  facts.suppressed = g.suppressed;
  for (const t of facts.targets) t.findings = g.active.filter((f) => metaOf(f)?.target === t.target.label);

  // 6. Reports: SARIF with one run (and category) per target, annotations, summary, comment, outputs.
  core.setOutput('suppressed-count', g.suppressed.length);
  core.setOutput('db-source', dbLine(facts));
  if (facts.sbomFile) core.setOutput('sbom-file', facts.sbomFile);
  await publish({
    action: ACTION,
    title: 'Trivy scan',
    gate: g,
    sarif: {
      path: s['sarif-file'],
      runs: facts.targets
        .filter((t) => !t.error)
        .map((t) => ({
          tool: { name: 'trivy', version: facts.trivy?.version, informationUri: 'https://trivy.dev' },
          category: `${ACTION}/${t.target.label}`,
          findings: t.findings,
        })),
    },
    details: detailsMarkdown(facts),
    reports: { 'report-dir': s['report-dir'] },
    comment: s.comment ? { token: s.token } : undefined,
  });

  // 7. Pass or fail.
  failUnlessClean(ACTION, g, s['fail-on']);
}

/** Installs trivy, makes the databases ready, scans every target; per-target failures go to toolErrors. */
async function scanAll(s: Settings, facts: RunFacts, toolErrors: string[]): Promise<Finding[]> {
  const ws = workspace();
  const env = trivyEnv();
  const tool = await core.group('Install trivy', () => installTrivy(s.version, s.mirror));
  facts.trivy = { version: tool.version, source: tool.source };

  const kinds = [
    ...(facts.dbNeeded ? [{ kind: VULN_DB, repositories: s['db-repositories'] }] : []),
    ...(s['java-db'] ? [{ kind: JAVA_DB, repositories: s['java-db-repositories'] }] : []),
  ];
  if (kinds.length) {
    // One budget for the whole fetch, every repository and retry included: the timeout input.
    const deadline = new Deadline(s.timeoutMs, 'the timeout input');
    facts.db = await core.group('Databases', () =>
      ensureDatabases(tool.path, { cacheDir: s['cache-dir'], kinds, noUpdate: s['skip-db-update'], offline: s.offline, deadline }, env),
    );
    core.info(`Database: ${dbLine(facts)}`);
  }

  mkdirSync(s['report-dir'], { recursive: true });
  const neutral = neutralFiles(process.env.RUNNER_TEMP || s['report-dir']);
  const scans = facts.targets.map((t) => {
    t.reportFile = join(s['report-dir'], `${String(t.target.index).padStart(2, '0')}-${t.target.type}.json`);
    const options: ScanOptions = {
      cacheDir: s['cache-dir'],
      reportPath: t.reportFile,
      neutralConfig: neutral.config,
      neutralIgnore: neutral.ignore,
      offline: s.offline,
      dbReady: Boolean(facts.db),
      javaDb: s['java-db'],
      timeoutMs: s.timeoutMs,
    };
    return { t, options, env: envFor(t.target, env, s.token) };
  });
  // Scans may overlap (scanConcurrency says when); each one is then reported in target order.
  const ended = await pool(
    scanConcurrency(s.targets),
    scans.map((x) => () => startScan(tool.path, x.t.target, x.options, x.env, ws).catch((e: unknown) => ({ notStarted: e }))),
  );
  const all: Finding[] = [];
  for (const [i, { t, options }] of scans.entries()) {
    try {
      const r = ended[i];
      if ('notStarted' in r) throw r.notStarted;
      const run = readScan(t.target, options, r);
      t.os = run.report.os;
      t.durationMs = run.durationMs;
      const found = toFindings(run.report, t.target, { forbiddenLicenses: s['forbidden-licenses'] });
      core.info(`${t.target.type}:${t.target.value}: ${found.length} finding(s) in ${(run.durationMs / 1000).toFixed(1)}s`);
      all.push(...found);
    } catch (e) {
      if (!(e instanceof ToolError)) throw e;
      if (e.detail) core.debug(e.detail);
      t.error = e.message;
      toolErrors.push(e.message);
    }
  }

  if (s['sbom-file']) {
    const first = facts.targets.find((t) => t.target.type !== 'config' && !t.error && t.reportFile);
    if (first?.reportFile) {
      await core.group('SBOM', () => convertToCycloneDx(tool.path, first.reportFile!, s['sbom-file']!, env, ws));
      facts.sbomFile = s['sbom-file'];
    }
  }
  if (facts.db?.save) await core.group('Save the database cache', () => saveCache(facts.db!.save!.paths, facts.db!.save!.key));
  return all;
}

/** ignore-unfixed and the ignore files; what they suppress is counted, never silently dropped. */
function suppress(findings: Finding[], s: Settings, facts: RunFacts): { kept: Finding[]; suppressed: Suppression[] } {
  const suppressed: Suppression[] = [];
  let rest = findings;
  if (s['ignore-unfixed']) {
    rest = [];
    for (const f of findings) {
      if (isUnfixed(f)) suppressed.push({ finding: f, reason: UNFIXED_REASON });
      else rest.push(f);
    }
  }
  const r = applyIgnores(rest, facts.ignoreFiles, new Map(s.targets.map((t) => [t.label, t.root])));
  facts.ignoreHits = r.hits;
  return { kept: r.kept, suppressed: [...suppressed, ...r.suppressed] };
}
