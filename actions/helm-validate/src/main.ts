// helm-validate: the pre-deployment gate for Helm charts. Reads like its table of contents:
// inputs → charts and values files → chart-testing's checks → helm → render/lint/validate every chart ×
// values file × Kubernetes version → findings → gate → reports → pass or fail (failUnlessClean, the only
// place the step fails).
import { core, failUnlessClean, gate, type GateResult, keepToolError, publish, type ToolError } from '@platform-actions/kit';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chartTestingChecks, type LintedFile } from './chart-checks.js';
import type { Settings } from './settings.js';
import { failureLines } from './failures.js';
import { toFindings, toSuppressed } from './findings.js';
import { type Helm, helmVersionAdvice, setupHelm } from './helm.js';
import { addHit, checkLibrary, emptyResult, MAX_RENDER_BYTES, type PipelineConfig, type PipelineResult, runPipeline } from './pipeline.js';
import { type ChangeScope, checkValuesForHelm, type Plan, plan } from './plan.js';
import { buildReport, type ChangeSummary, detailsMarkdown, type ReportContext, writeReport } from './report.js';
import { effectiveSeverity } from './rules.js';
import { loadUserSchemas } from './schemas.js';
import { ACTION } from './action.js';

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
  // 1. Inputs, charts (every one, or those changed since base-ref) and values files: every mistake in
  //    the configuration is found before helm runs.
  const p = await phase('Inputs, charts and values files', () => plan());
  const { cfg } = p;
  const charts = [...p.apps, ...p.libraries];

  // 2. chart-testing's checks, once per chart: Chart.yaml, YAML style, the version bump.
  const result: PipelineResult = emptyResult();
  await phase("chart-testing's checks (Chart.yaml, YAML lint, version bump)", () => chartChecks(p, result));

  // 3–4. helm, then the whole matrix. A tool failure is kept, not thrown: what ran is still reported,
  // and the summary says what did not.
  const toolErrors: string[] = [];
  let helm: Helm | undefined;
  const tempDir = mkdtempSync(join(process.env.RUNNER_TEMP || process.env.TMPDIR || '/tmp', 'helm-validate-'));
  try {
    if (charts.length) {
      helm = await phase('Set up helm', () => setupHelm(cfg.helmVersion, cfg.helmMirror));
      checkValuesForHelm(p.values.docs, helm);
      const advice = helmVersionAdvice(helm);
      if (advice) core.warning(advice);
      await validate(p, helm, tempDir, result);
    }
  } catch (e) {
    keepToolError(ACTION, e, toolErrors);
    const err = e as ToolError;
    result.notRun.push(
      !helm ? `every chart: helm is not available (${err.message})` : result.cells.length ? `the rest of the matrix after: ${err.message}` : `every chart: ${err.message}`,
    );
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }

  // 5. Findings and the gate: one short line per cause of a tool failure; every case is in the summary.
  const minors = cfg.targets.map((t) => t.minor);
  const g = gate({ findings: toFindings(result.hits, minors), failOn: cfg.failOn, toolErrors: [...toolErrors, ...failureLines(result.failures)] });
  g.suppressed.push(...toSuppressed(result.excused, minors));
  warnAboutUnrendered(cfg, result);

  // 6. Reports: JSON file, outputs, annotations, SARIF, summary, PR comment.
  await phase('Reports', () => report(p, result, g, helm));

  // 7. Pass or fail.
  failUnlessClean(ACTION, g, cfg.failOn);
}

/** chart-testing's checks for every chart validated (values files: values.yaml and the matrix's). */
async function chartChecks(p: Plan, result: PipelineResult): Promise<void> {
  const changes = p.changes && { base: p.changes.base, own: p.changes.own };
  for (const chart of [...p.apps, ...p.libraries]) {
    const defaults = join(chart.dir, 'values.yaml');
    const files: LintedFile[] = [
      ...(existsSync(defaults) ? [{ abs: defaults, label: 'values.yaml' }] : []),
      ...(p.values.entries.get(chart.rel) ?? []).flatMap((e) => e.files.map((abs) => ({ abs, label: e.label }))),
    ];
    for (const h of await chartTestingChecks(chart, files, { workspace: p.cfg.workspace, ...(changes ? { changes } : {}) }))
      addHit(result, { overrides: p.cfg.overrides, exceptions: p.exceptions }, { ...h, chart: chart.rel });
  }
}

/** Schemas the caller added, then render, lint and validate the whole matrix into `result`. */
async function validate(p: Plan, helm: Helm, tempDir: string, result: PipelineResult) {
  const { cfg, store, exceptions, apps, libraries } = p;
  const newest = cfg.targets[cfg.targets.length - 1];
  const userKinds = await phase('Schemas', () => loadUserSchemas(cfg.schemas, newest.definition('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'), cfg.timeoutMs));
  const all = store.versions.map((v) => store.get(v)!);
  core.info(`${ACTION}: ${apps.length} chart(s), Kubernetes ${cfg.targets.map((t) => t.version).join(', ')}, helm ${helm.version}`);
  const pipelineConfig: PipelineConfig = {
    workspace: cfg.workspace,
    release: cfg.release,
    namespace: cfg.namespace,
    values: p.values.entries,
    valuesDocs: p.values.docs,
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
function warnAboutUnrendered(cfg: Settings, result: PipelineResult): void {
  if (!result.renderErrors.length || effectiveSeverity('render-error', 'critical', cfg.overrides) !== 'off') return;
  core.warning(`${result.renderErrors.length} chart × values combination(s) did not render and were not validated (render-error is off): ${result.renderErrors[0]}`);
}

async function report(p: Plan, result: PipelineResult, g: GateResult, helm: Helm | undefined): Promise<void> {
  const { cfg, exceptions, apps } = p;
  const ctx: ReportContext = {
    helmVersion: helm?.version ?? 'not available',
    targets: cfg.targets.map((t) => ({ minor: t.minor, version: t.version, source: t.source })),
    failOn: cfg.failOn,
    cells: result.cells,
    hits: result.hits,
    gate: g,
    expired: exceptions?.expired ?? [],
    notRun: result.notRun,
    ...(p.changes ? { changes: changeSummary(p.changes) } : {}),
  };
  writeReport(cfg.reportFile, buildReport(ctx));
  core.setOutput('charts-count', apps.length + p.libraries.length);
  core.setOutput(
    'objects-count',
    result.cells.reduce((n, c) => n + c.objects, 0),
  );
  await publish({
    action: ACTION,
    title: 'Helm chart validation',
    gate: g,
    // One run, one category, whatever the number of charts: code scanning alerts keep their category
    // when charts are added or removed (results name their chart in properties.chart).
    sarif: { path: cfg.sarifFile, runs: [{ tool: { name: ACTION }, category: cfg.sarifCategory, findings: g.active }] },
    details: detailsMarkdown(ctx),
    reports: { 'report-file': cfg.reportFile },
    comment: cfg.comment ? { token: cfg.token } : undefined,
  });
}

/** What base-ref decided, for the summary and the report. */
function changeSummary(c: ChangeScope): ChangeSummary {
  return { baseRef: c.base.ref, mergeBase: c.base.mergeBase, changed: [...c.affected].sort(), versionChecked: [...c.own].sort(), of: c.all, changedOnly: c.changedOnly };
}
