// helm-validate: the pre-deployment gate for Helm charts. Reads like its table of contents:
// inputs → charts and values files → helm → render/lint/validate every chart × values file × Kubernetes
// version → findings → gate → reports → pass or fail (failUnlessClean, the only place the step fails).
import { core, failUnlessClean, gate, type GateResult, keepToolError, publish, type ToolError, UserError } from '@platform-actions/kit';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Chart, discoverCharts, relPath, type ValuesEntry, valuesMatrix } from './charts.js';
import { type Config, readConfig } from './config.js';
import { type ExceptionSet, loadExceptions } from './exceptions.js';
import { TOOL, toFindings, toSuppressed } from './findings.js';
import { type Helm, helmVersionAdvice, setupHelm } from './helm.js';
import { checkLibrary, emptyResult, MAX_RENDER_BYTES, parseValues, type PipelineConfig, type PipelineResult, runPipeline } from './pipeline.js';
import { buildReport, detailsMarkdown, type ReportContext, writeReport } from './report.js';
import { effectiveSeverity } from './rules.js';
import { SchemaStore } from './schema/store.js';
import { loadUserSchemas } from './schemas.js';

/** Runs a phase in a named, collapsible log group. */
async function phase<T>(title: string, fn: () => Promise<T> | T): Promise<T> {
  core.startGroup(title);
  try {
    return await fn();
  } finally {
    core.endGroup();
  }
}

export async function main(): Promise<void> {
  // 1. Inputs, charts and values files: every mistake in the configuration is found before helm runs.
  const { cfg, store, exceptions, apps, libraries, values } = await phase('Inputs, charts and values files', () => plan());

  // 2–3. helm, then the whole matrix. A tool failure is kept, not thrown: what ran is still reported,
  // and the summary says what did not.
  const toolErrors: string[] = [];
  const result: PipelineResult = emptyResult();
  let helm: Helm | undefined;
  const tempDir = mkdtempSync(join(process.env.RUNNER_TEMP || process.env.TMPDIR || '/tmp', 'helm-validate-'));
  try {
    helm = await phase('Set up helm', () => setupHelm(cfg.helmVersion, cfg.helmMirror));
    const advice = helmVersionAdvice(helm);
    if (advice) core.warning(advice);
    await validate(cfg, store, exceptions, apps, libraries, values, helm, tempDir, result);
  } catch (e) {
    keepToolError(TOOL, e, toolErrors);
    const err = e as ToolError;
    result.notRun.push(
      !helm ? `every chart: helm is not available (${err.message})` : result.cells.length ? `the rest of the matrix after: ${err.message}` : `every chart: ${err.message}`,
    );
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }

  // 4. Findings and the gate.
  const minors = cfg.targets.map((t) => t.minor);
  const g = gate({ findings: toFindings(result.hits, minors), failOn: cfg.failOn, toolErrors: [...toolErrors, ...result.toolErrors] });
  g.suppressed.push(...toSuppressed(result.excused, minors));
  warnAboutUnrendered(cfg, result);

  // 5. Reports: JSON file, outputs, annotations, SARIF, summary, PR comment.
  await phase('Reports', () => report(cfg, apps, result, g, helm, exceptions));

  // 6. Pass or fail.
  failUnlessClean(TOOL, g, cfg.failOn);
}

/** Inputs, exceptions, the charts and each chart's values matrix. */
function plan() {
  const store = SchemaStore.load();
  const cfg = readConfig(store);
  const exceptions = cfg.exceptionsFile ? loadExceptions(cfg.exceptionsFile.abs, cfg.exceptionsFile.label) : undefined;
  for (const e of exceptions?.expired ?? []) core.warning(`exception for ${e.rule} on ${e.resource} expired on ${e.expires} and no longer applies`);
  const charts = discoverCharts(cfg.workspace, cfg.charts);
  // A library chart renders nothing by itself: its templates are parsed through a minimal consumer, and
  // what they produce is validated through the charts that use it.
  const libraries = charts.filter((c) => c.type === 'library');
  for (const c of libraries)
    core.notice(`${c.rel}: library chart: its templates are parsed through a minimal consumer chart; what they produce is validated through the charts that use it`, {
      file: `${c.rel === '.' ? '' : `${c.rel}/`}Chart.yaml`,
    });
  const apps = charts.filter((c) => c.type !== 'library');
  return { cfg, store, exceptions, apps, libraries, values: valuesPlan(cfg, apps) };
}

/** Each chart's values entries. A literal file name that a chart lacks is a configuration error; a pattern matching nothing is a warning. */
function valuesPlan(cfg: Config, apps: readonly Chart[]): Map<string, ValuesEntry[]> {
  const out = new Map<string, ValuesEntry[]>();
  for (const chart of apps) {
    const m = valuesMatrix(chart, cfg.valuesPatterns, cfg.validateDefaults, cfg.workspace);
    if (m.missing.length) {
      throw new UserError(
        `input "values-files" names ${m.missing.map((f) => `"${f}"`).join(', ')}, which chart ${chart.rel} does not have (a name without wildcards must exist in every chart validated; use a pattern such as values-prod*.yaml for files only some charts have)`,
      );
    }
    if (cfg.valuesExplicit)
      for (const p of m.unmatched)
        core.warning(`values-files pattern "${p}" matches no file in chart ${chart.rel}; only ${m.entries.map((e) => e.label).join(', ') || 'nothing'} is validated there.`);
    if (!m.entries.length) throw new UserError(`chart ${chart.rel} has no values file matching "values-files" and validate-default-values is false: nothing to validate`);
    // Values files that are not YAML are the caller's to fix, and are found before any tool runs.
    const defaults = join(chart.dir, 'values.yaml');
    for (const f of [...(existsSync(defaults) ? [defaults] : []), ...m.entries.flatMap((e) => e.files)]) parseValues(readFileSync(f, 'utf8'), relPath(cfg.workspace, f));
    out.set(chart.rel, m.entries);
  }
  return out;
}

/** Schemas the caller added, then render, lint and validate the whole matrix into `result`. */
async function validate(
  cfg: Config,
  store: SchemaStore,
  exceptions: ExceptionSet | undefined,
  apps: Chart[],
  libraries: Chart[],
  values: Map<string, ValuesEntry[]>,
  helm: Helm,
  tempDir: string,
  result: PipelineResult,
) {
  const newest = cfg.targets[cfg.targets.length - 1];
  const userKinds = await phase('Schemas', () => loadUserSchemas(cfg.schemas, newest.definition('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'), cfg.timeoutMs));
  const all = store.versions.map((v) => store.get(v)!);
  core.info(`helm-validate: ${apps.length} chart(s), Kubernetes ${cfg.targets.map((t) => t.version).join(', ')}, helm ${helm.version}`);
  const pipelineConfig: PipelineConfig = {
    workspace: cfg.workspace,
    release: cfg.release,
    namespace: cfg.namespace,
    values,
    lint: cfg.lint,
    apiVersions: cfg.apiVersions,
    unknownKinds: cfg.unknownKinds,
    dependencyBuild: cfg.dependencyBuild,
    helmTimeoutMs: cfg.timeoutMs,
    concurrency: 4,
    overrides: cfg.overrides,
    exceptions,
    maxRenderBytes: MAX_RENDER_BYTES,
    tempDir,
  };
  await phase('Render, lint and validate', async () => {
    await runPipeline(apps, cfg.targets, all, userKinds, helm, pipelineConfig, result);
    for (const lib of libraries) await checkLibrary(lib, cfg.targets, helm, pipelineConfig, result);
  });
}

/** A chart that does not render is a critical finding; when the caller turned that rule off, still say what was not validated. */
function warnAboutUnrendered(cfg: Config, result: PipelineResult): void {
  if (!result.renderErrors.length || effectiveSeverity('render-error', 'critical', cfg.overrides) !== 'off') return;
  core.warning(`${result.renderErrors.length} chart × values combination(s) did not render and were not validated (render-error is off): ${result.renderErrors[0]}`);
}

async function report(cfg: Config, apps: Chart[], result: PipelineResult, g: GateResult, helm: Helm | undefined, exceptions: ExceptionSet | undefined): Promise<void> {
  const ctx: ReportContext = {
    helmVersion: helm?.version ?? 'not available',
    targets: cfg.targets.map((t) => ({ minor: t.minor, version: t.version, source: t.source })),
    failOn: cfg.failOn,
    cells: result.cells,
    hits: result.hits,
    gate: g,
    expired: exceptions?.expired ?? [],
    notRun: result.notRun,
  };
  writeReport(cfg.reportFile, buildReport(ctx));
  core.setOutput('charts-count', apps.length);
  core.setOutput(
    'objects-count',
    result.cells.reduce((n, c) => n + c.objects, 0),
  );
  await publish({
    action: TOOL,
    title: 'Helm chart validation',
    gate: g,
    // One run, one category, whatever the number of charts: code scanning alerts keep their category
    // when charts are added or removed (results name their chart in properties.chart).
    sarif: { path: cfg.sarifFile, runs: [{ tool: { name: TOOL }, category: cfg.sarifCategory, findings: g.active }] },
    details: detailsMarkdown(ctx),
    reports: { 'report-file': cfg.reportFile },
    comment: cfg.comment ? { token: cfg.token } : undefined,
  });
}
