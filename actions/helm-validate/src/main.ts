// helm-validate: the pre-deployment gate for Helm charts.
// inputs → helm → render/lint/validate every chart × values file × Kubernetes version → findings →
// gate → publish → fail unless clean.
import { core, failUnlessClean, gate, publish, runAction, UserError } from '@platform-actions/kit';
import { discoverCharts } from './charts.js';
import { readConfig } from './config.js';
import { loadExceptions } from './exceptions.js';
import { TOOL, toFindings, toSuppressed } from './findings.js';
import { setupHelm } from './helm.js';
import { runPipeline } from './pipeline.js';
import { buildReport, detailsMarkdown, writeReport } from './report.js';
import { SchemaStore } from './schema/store.js';
import { loadUserSchemas } from './schemas.js';

async function main(): Promise<void> {
  // Inputs: everything is checked before any work.
  const store = SchemaStore.load();
  const cfg = readConfig(store);
  const exceptions = cfg.exceptionsFile ? loadExceptions(cfg.exceptionsFile.abs, cfg.exceptionsFile.label) : undefined;
  for (const e of exceptions?.expired ?? []) core.warning(`exception for ${e.rule} on ${e.resource} expired on ${e.expires} and no longer applies`);
  const charts = discoverCharts(cfg.workspace, cfg.charts);
  const library = charts.filter((c) => c.type === 'library');
  for (const c of library) core.notice(`${c.rel}: library chart, not rendered on its own (it is validated through the charts that use it)`);
  const apps = charts.filter((c) => c.type !== 'library');
  if (!apps.length) throw new UserError('no application chart to validate: every chart found is a library chart');

  // Tool and schemas.
  const helm = await setupHelm(cfg.helmVersion, cfg.helmMirror);
  const newest = cfg.targets[cfg.targets.length - 1];
  const userKinds = await loadUserSchemas(cfg.schemas, newest.definition('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'), cfg.timeoutMs);
  const all = store.versions.map((v) => store.get(v)!);
  core.info(`helm-validate: ${apps.length} chart(s), Kubernetes ${cfg.targets.map((t) => t.version).join(', ')}, helm ${helm.version}`);

  // Execute: render, lint and validate the whole matrix.
  const result = await runPipeline(apps, cfg.targets, all, userKinds, helm, {
    workspace: cfg.workspace,
    release: cfg.release,
    namespace: cfg.namespace,
    valuesPatterns: cfg.valuesPatterns,
    validateDefaults: cfg.validateDefaults,
    lint: cfg.lint,
    apiVersions: cfg.apiVersions,
    unknownKinds: cfg.unknownKinds,
    dependencyBuild: cfg.dependencyBuild,
    helmTimeoutMs: cfg.timeoutMs,
    concurrency: 4,
    overrides: cfg.overrides,
    exceptions,
  });

  // Findings and the gate.
  const minors = cfg.targets.map((t) => t.minor);
  const g = gate({ findings: toFindings(result.hits, minors), failOn: cfg.failOn, toolErrors: result.toolErrors });
  g.suppressed.push(...toSuppressed(result.excused, minors));

  // Reports: JSON file, outputs, annotations, SARIF (a category per chart), summary, PR comment.
  const ctx = {
    helmVersion: helm.version,
    targets: cfg.targets.map((t) => ({ minor: t.minor, version: t.version, source: t.source })),
    failOn: cfg.failOn,
    cells: result.cells,
    hits: result.hits,
    gate: g,
    expired: exceptions?.expired ?? [],
  };
  writeReport(cfg.reportFile, buildReport(ctx));
  core.setOutput('charts-count', apps.length);
  core.setOutput('objects-count', result.cells.reduce((n, c) => n + c.objects, 0));
  const perChart = apps.length <= 20;
  await publish({
    action: TOOL,
    title: 'Helm chart validation',
    gate: g,
    sarif: {
      path: cfg.sarifFile,
      runs: perChart
        ? apps.map((c) => ({
            tool: { name: TOOL },
            category: `${TOOL}/${c.rel}`,
            findings: g.active.filter((f) => f.properties?.chart === c.rel),
            fallbackPath: `${c.rel === '.' ? '' : `${c.rel}/`}Chart.yaml`,
          }))
        : [{ tool: { name: TOOL }, category: TOOL, findings: g.active }],
    },
    details: detailsMarkdown(ctx),
    reports: { 'report-file': cfg.reportFile },
    comment: cfg.comment ? { token: cfg.token } : undefined,
  });

  // A chart that does not render is the caller's to fix: one line with helm's file and line.
  if (result.renderErrors.length && g.outcome !== 'tool-error' && cfg.failOn !== 'none') {
    const more = result.renderErrors.length > 1 ? ` (and ${result.renderErrors.length - 1} more; see the job summary)` : '';
    throw new UserError(`${result.renderErrors[0]}${more}`);
  }
  failUnlessClean(TOOL, g, cfg.failOn);
}

await runAction({ name: TOOL, main });
