// The work: for each chart × values file, render with helm for the target Kubernetes versions, lint,
// split the output into objects and check each one (schema per version, policies once). Produces
// located hits, not findings yet: findings.ts merges hits that repeat across values files and versions.
import { core, describeExit, exec, formatSeconds, type Location, type Severity, signalReason } from '@platform-actions/kit';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Chart, missingDependencies, relPath, resolveSource, type ValuesEntry } from './charts.js';
import { checkObject, schemaFor, type UnknownKinds } from './check.js';
import type { CustomKinds } from './crds.js';
import { buildDependencies } from './dependencies.js';
import type { Failure } from './failures.js';
import type { ExceptionSet } from './exceptions.js';
import { BUGGY_HELM, type Helm, helmErrorText, knownBugAdvice, knownBugHint, kubeVersionConstraint, lintArgs, parseLint, parseRenderError, templateArgs } from './helm.js';
import { findKeyLine, findValuesKey, keysWithLines, type ValuesFile } from './locate.js';
import { objectRef, splitManifests } from './manifests.js';
import { checkPolicies } from './policies.js';
import { effectiveSeverity, type Overrides, RULE_BY_ID } from './rules.js';
import { locateViolation, parseSchemaErrors } from './values-schema.js';
import type { KubeSchema } from './schema/store.js';
import { multiDocumentMessage, readValuesDocs, usedDocs, type ValuesFileDocs } from './values.js';

export interface PipelineConfig {
  workspace: string;
  release: string;
  namespace: string;
  /** The values matrix of each chart (by `Chart.rel`), planned and checked before helm runs. */
  values: ReadonlyMap<string, ValuesEntry[]>;
  /** Every values file of the matrix (absolute path → its YAML documents), read once. */
  valuesDocs?: ReadonlyMap<string, ValuesFileDocs>;
  lint: boolean;
  apiVersions: readonly string[];
  unknownKinds: UnknownKinds;
  dependencyBuild: 'auto' | 'never';
  helmTimeoutMs: number;
  concurrency: number;
  overrides: Overrides;
  exceptions?: ExceptionSet;
  /** Bytes of `helm template` output read per render; more is a tool error naming the chart, never a silent cut. */
  maxRenderBytes: number;
  /** Private folder for helm's repository configuration and cache (never the user's ~/.config/helm). */
  tempDir: string;
}

/** 256 MiB: a whole large chart (the issue's biggest real chart renders about 40 MiB) with room to spare, well under Node's string limit. */
export const MAX_RENDER_BYTES = 256 * 1024 * 1024;

/** One problem at one place, before merging across values files and versions. */
export interface Hit {
  ruleId: string;
  severity: Severity;
  /** Chart directory, repository-relative. */
  chart: string;
  /** Values entry label. */
  values: string;
  /** Target minors the hit applies to; undefined when it does not depend on the version. */
  versions?: string[];
  object?: string;
  path?: string;
  message: string;
  location: Location;
}

export interface Excused {
  hit: Hit;
  reason: string;
}

type VersionStatus = 'validated' | 'render-error' | 'timed-out' | 'too-large' | 'killed' | `skipped: ${string}`;

export interface Cell {
  chart: string;
  values: string;
  objects: number;
  versions: Record<string, VersionStatus>;
  renderError?: string;
}

export interface PipelineResult {
  hits: Hit[];
  excused: Excused[];
  cells: Cell[];
  /** One line per chart × values file that did not render (the helm error with file and line). */
  renderErrors: string[];
  /** Tool failures (a dependency that could not be fetched, a timeout): the outcome becomes tool-error. */
  failures: Failure[];
  /** What was not validated and why, one line each, for the summary (tool errors, skipped charts). */
  notRun: string[];
}

export const emptyResult = (): PipelineResult => ({ hits: [], excused: [], cells: [], renderErrors: [], failures: [], notRun: [] });

const sizeText = (bytes: number) => (bytes >= 1048576 ? `${Math.round(bytes / 1048576)} MiB` : `${Math.round(bytes / 1024)} KiB`);

/** The line of a dependency's `name:` in Chart.yaml, for an annotation there. */
function dependencyLine(chart: Chart, name: string): { startLine?: number } {
  const at = keysWithLines(readFileSync(join(chart.dir, 'Chart.yaml'), 'utf8')).find((k) => /^dependencies\[\d+\]\.name$/.test(k.path) && k.value === name);
  return at ? { startLine: at.line } : {};
}

const chartYaml = (chart: Chart) => `${chart.rel === '.' ? '' : `${chart.rel}/`}Chart.yaml`;

/** Runs `jobs` with at most `n` in flight; results keep the input order. */
async function pool<T>(n: number, jobs: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, jobs.length) }, worker));
  return out;
}

export async function runPipeline(
  charts: readonly Chart[],
  targets: readonly KubeSchema[],
  all: readonly KubeSchema[],
  userKinds: CustomKinds,
  helm: Helm,
  cfg: PipelineConfig,
  /** Filled in place, so a caller that catches a ToolError still has what ran before it. */
  result: PipelineResult = emptyResult(),
): Promise<PipelineResult> {
  const jobs: Array<() => Promise<void>> = [];
  const restores: Array<() => void> = [];
  try {
    for (const chart of charts) {
      const prepared = await prepareChart(chart, helm, cfg, result, restores);
      if (!prepared) continue;
      for (const entry of prepared.entries) jobs.push(() => runEntry(chart, entry, prepared.valuesHint(entry), targets, all, userKinds, helm, cfg, result));
    }
    await pool(cfg.concurrency, jobs);
  } finally {
    // What `helm dependency build` wrote into the checkout (Chart.lock, charts/*.tgz) goes away again.
    for (const restore of restores.reverse()) restore();
    result.cells.sort((a, b) => a.chart.localeCompare(b.chart) || a.values.localeCompare(b.values));
  }
  return result;
}

/** Dependencies and values files: what must be right before anything renders. */
async function prepareChart(chart: Chart, helm: Helm, cfg: PipelineConfig, result: PipelineResult, restores: Array<() => void>) {
  const missing = missingDependencies(chart);
  if (missing.length) {
    const failure = await buildDependencies(chart, missing, helm, cfg, restores);
    if (failure) {
      result.failures.push({ cause: 'dependencies missing from charts/', chart: chart.rel, where: failure.what });
      result.notRun.push(`${chart.rel}: not rendered: dependency ${failure.what}. ${failure.advice}${failure.helm ? ` (helm: ${failure.helm})` : ''}`);
      // The way out, at the dependency in Chart.yaml, where the author will look.
      core.warning(`${chart.rel}: dependency ${failure.what}. ${failure.advice}`, { file: chartYaml(chart), ...dependencyLine(chart, missing[0].name) });
      return undefined;
    }
  }
  const entries = cfg.values.get(chart.rel) ?? [];
  const defaults = join(chart.dir, 'values.yaml');
  const files = [...(existsSync(defaults) ? [defaults] : []), ...entries.flatMap((e) => e.files)];
  const docsOf = (f: string): ValuesFileDocs => cfg.valuesDocs?.get(f) ?? readValuesDocs(readFileSync(f, 'utf8'), relPath(cfg.workspace, f));
  for (const f of new Set(files)) {
    const docs = docsOf(f);
    const label = f === defaults ? 'values.yaml' : (entries.find((e) => e.files.includes(f))?.label ?? docs.rel);
    if (docs.docs.length > 1) {
      const second = docs.docs[1];
      addHit(result, cfg, {
        ruleId: 'values-multi-document',
        chart: chart.rel,
        values: label,
        message: multiDocumentMessage(docs, helm),
        location: { path: docs.rel, startLine: second.separatorLine ?? second.line },
      });
    }
    for (const d of usedDocs(docs, helm.major))
      for (const dup of d.duplicates) {
        addHit(result, cfg, {
          ruleId: 'yaml-duplicate-key',
          chart: chart.rel,
          values: label,
          message: `values key ${dup.path} is set twice in ${docs.rel}; helm silently uses the last one.`,
          location: { path: docs.rel, startLine: dup.line },
        });
      }
  }
  // Where a key is set, for hints: the documents this helm reads, the one that wins first (the entry's
  // file before values.yaml; in a file, a later document before an earlier one).
  const valuesHint = (entry: ValuesEntry): ValuesFile[] =>
    [...entry.files, ...(existsSync(defaults) ? [defaults] : [])].flatMap((f) => {
      const docs = docsOf(f);
      return usedDocs(docs, helm.major)
        .map((d) => ({ path: docs.rel, text: d.text, lineOffset: d.line - 1 }))
        .reverse();
    });
  return { entries, valuesHint, docsOf };
}

/** Records a hit at its effective severity (overrides), or as excused by the exceptions file; an 'off' rule is dropped. */
export function addHit(result: PipelineResult, cfg: Pick<PipelineConfig, 'overrides' | 'exceptions'>, h: Omit<Hit, 'severity'> & { severity?: Severity }): void {
  const rule = RULE_BY_ID.get(h.ruleId);
  if (!rule) throw new Error(`internal: unknown rule ${h.ruleId}`);
  const sev = effectiveSeverity(h.ruleId, h.severity ?? rule.severity, cfg.overrides);
  if (sev === 'off') return;
  const hit: Hit = { ...h, severity: sev };
  const ex = cfg.exceptions?.match({ ruleId: hit.ruleId, object: hit.object, chart: hit.chart, values: [hit.values] });
  if (ex) result.excused.push({ hit, reason: ex.reason });
  else result.hits.push(hit);
}

interface Rendered {
  minors: string[];
  stream: string;
}

async function runEntry(
  chart: Chart,
  entry: ValuesEntry,
  valuesFiles: ValuesFile[],
  targets: readonly KubeSchema[],
  all: readonly KubeSchema[],
  userKinds: CustomKinds,
  helm: Helm,
  cfg: PipelineConfig,
  result: PipelineResult,
): Promise<void> {
  const run = new EntryRun(chart, entry, valuesFiles, targets, all, userKinds, helm, cfg, result);
  // Render per target version only when the chart can tell versions apart; otherwise once, for the newest.
  const groups: string[][] = chart.perVersion ? targets.map((t) => [t.minor]) : [targets.map((t) => t.minor)];
  for (const minors of groups) if ((await run.render(minors, groups.length > 1)) === 'does not render') return;
  run.excludedEverywhere();
  if (cfg.lint && run.renders.length) await lint(chart, entry, helm, cfg, result);
  for (const render of run.renders) run.validate(render);
}

/** One chart with one values entry: its renders, per target version or once, and what is wrong in them. */
class EntryRun {
  readonly cell: Cell;
  readonly renders: Rendered[] = [];
  private readonly templateCache = new Map<string, string>();

  constructor(
    private readonly chart: Chart,
    private readonly entry: ValuesEntry,
    private readonly valuesFiles: ValuesFile[],
    private readonly targets: readonly KubeSchema[],
    private readonly all: readonly KubeSchema[],
    private readonly userKinds: CustomKinds,
    private readonly helm: Helm,
    private readonly cfg: PipelineConfig,
    private readonly result: PipelineResult,
  ) {
    this.cell = { chart: chart.rel, values: entry.label, objects: 0, versions: {} };
    result.cells.push(this.cell);
  }

  private hit(h: Omit<Hit, 'severity' | 'chart' | 'values'> & { severity?: Severity }): void {
    addHit(this.result, this.cfg, { chart: this.chart.rel, values: this.entry.label, ...h });
  }

  /** `helm template` for the target versions `minors`; a render that fails for the chart's own reasons ends the entry. */
  async render(minors: string[], perVersion: boolean): Promise<'rendered' | 'not run' | 'does not render'> {
    const { chart, entry, targets, cfg, helm, cell } = this;
    const target = targets.find((t) => t.minor === minors[minors.length - 1])!;
    // What a real cluster of that version serves (so .Capabilities.APIVersions.Has answers as it would), plus the input's extras.
    // Only a chart that reads .Capabilities can tell the difference; the others get just the input's extras.
    const apiVersions = [...(chart.perVersion ? target.servedApiVersions() : []), ...cfg.apiVersions];
    const args = templateArgs({ release: cfg.release, chartDir: chart.dir, namespace: cfg.namespace, kubeVersion: target.version, valuesFiles: entry.files, apiVersions });
    const r = await exec(helm.bin, args, { timeoutMs: cfg.helmTimeoutMs, cwd: cfg.workspace, maxOutputBytes: cfg.maxRenderBytes });
    // A helm killed by a signal we did not send (SIGKILL: out of memory) says nothing about the chart.
    const killed = !r.timedOut && signalReason(r.signal, r.exitCode);
    if (r.timedOut || r.truncated || killed) {
      this.notRun(r, killed, minors, perVersion);
      return 'not run';
    }
    if (r.exitCode === 0) {
      // helm 3.18.0 renders numbers from values as "%!f(json.Number=8080)" without failing: say so at the chart.
      if (BUGGY_HELM[helm.version] && r.stdout.includes('(json.Number=')) {
        core.warning(
          `${chart.rel} (${entry.label}): the rendered output contains "(json.Number=…)" where numbers belong: helm ${helm.version}'s rendering bug (helm/helm#30880), not the chart's. Use helm 3.18.1 or newer.`,
          { file: chartYaml(chart) },
        );
      }
      this.renders.push({ minors, stream: r.stdout });
      return 'rendered';
    }
    const constraint = kubeVersionConstraint(r.stderr);
    if (constraint) {
      for (const m of minors) cell.versions[m] = `skipped: chart requires kubeVersion ${constraint}`;
      return 'not run';
    }
    // Values that fail values.schema.json: one finding per violation, at the values file and key.
    const violations = parseSchemaErrors(r.stderr || r.stdout);
    if (violations) this.schemaViolations(violations);
    else this.renderError(r.stderr || r.stdout);
    return 'does not render';
  }

  /** A render that timed out, was killed or printed too much: this cell is not validated; the others still are, and the run ends as a tool error that says which. */
  private notRun(r: Awaited<ReturnType<typeof exec>>, killed: string | false | undefined, minors: string[], perVersion: boolean): void {
    const { chart, entry, cfg, cell, result } = this;
    const why = r.timedOut
      ? `helm template ${describeExit(r)}`
      : killed
        ? `helm template ${killed}`
        : `helm template printed more than ${sizeText(cfg.maxRenderBytes)}, the most this action reads`;
    const cause = r.timedOut ? timeoutCause('helm template', r) : why;
    for (const m of minors) cell.versions[m] = r.timedOut ? 'timed-out' : killed ? 'killed' : 'too-large';
    result.failures.push({ cause, detail: why, chart: chart.rel, where: perVersion ? `${entry.label}, Kubernetes ${minors.join(', ')}` : entry.label });
    result.notRun.push(`${chart.rel} (${entry.label}), Kubernetes ${minors.join(', ')}: ${why}`);
  }

  private schemaViolations(violations: NonNullable<ReturnType<typeof parseSchemaErrors>>): void {
    const { chart, entry, cfg, cell, result, targets } = this;
    for (const v of violations) {
      const at = locateViolation(v, chart, this.valuesFiles, cfg.workspace);
      this.hit({
        ruleId: 'values-schema',
        path: at.keyPath || '(top level)',
        message: `${at.keyPath || 'the top level of the values'}: ${v.message} (values.schema.json of ${v.chart === chart.name ? 'the chart' : `subchart ${v.chart}`})`,
        location: at.location,
      });
    }
    cell.renderError = `values do not match values.schema.json (${violations.length} violation${violations.length === 1 ? '' : 's'})`;
    for (const t of targets) cell.versions[t.minor] = 'render-error';
    result.renderErrors.push(`chart ${chart.rel} with ${entry.label} does not render: ${cell.renderError}`);
  }

  private renderError(output: string): void {
    const { chart, entry, cfg, cell, result, targets, helm } = this;
    const err = parseRenderError(output);
    const loc = err.file ? resolveSource(chart, err.file, cfg.workspace) : undefined;
    const location: Location = loc ? { path: loc.path, ...(loc.isTemplate && err.line ? { startLine: err.line } : {}) } : { path: chartYaml(chart) };
    const advice = knownBugAdvice(helm, err.message);
    cell.renderError = err.message;
    for (const t of targets) cell.versions[t.minor] = 'render-error';
    this.hit({ ruleId: 'render-error', message: `helm template failed: ${err.message}${advice ? ` ${advice}` : ''}`, location });
    result.renderErrors.push(`chart ${chart.rel} with ${entry.label} does not render: ${err.message}`);
  }

  /** A chart whose kubeVersion excludes every target: nothing in it was validated, and the findings say so. */
  excludedEverywhere(): void {
    const { chart, entry, cell, targets } = this;
    const skipped = targets.filter((t) => cell.versions[t.minor]?.startsWith('skipped'));
    if (skipped.length !== targets.length) return;
    const constraint = cell.versions[targets[0].minor].replace(/^skipped: chart requires kubeVersion /, '');
    this.hit({
      ruleId: 'kube-version-excluded',
      message: `chart ${chart.rel} requires kubeVersion ${constraint}, which excludes every target (${targets.map((t) => t.version).join(', ')}), so nothing in it was validated. Target a version it supports (kubernetes-versions) or widen kubeVersion in Chart.yaml.`,
      location: { path: chartYaml(chart) },
    });
    this.result.notRun.push(`${chart.rel} (${entry.label}): kubeVersion ${constraint} excludes every target`);
  }

  private templateText(rel: string): string {
    let t = this.templateCache.get(rel);
    if (t === undefined) {
      t = readFileSync(join(this.cfg.workspace, rel), 'utf8');
      this.templateCache.set(rel, t);
    }
    return t;
  }

  /** Where an object's field is set: the template line, else a hint at the values key that likely sets it. */
  private locate(o: { source: string }, field?: string, value?: unknown): { location: Location; hint?: string } {
    const src = resolveSource(this.chart, o.source, this.cfg.workspace);
    if (src.inArchive) return { location: { path: src.path }, hint: `(in ${src.inArchive} of the packaged subchart)` };
    const line = src.isTemplate && field ? findKeyLine(this.templateText(src.path), field, value) : undefined;
    if (line) return { location: { path: src.path, startLine: line } };
    const v = field ? findValuesKey(this.valuesFiles, field, value) : undefined;
    return { location: { path: src.path }, ...(v ? { hint: `(likely set by ${v.key} in ${v.path}:${v.line})` } : {}) };
  }

  /** Every object of one render: YAML problems, policies, and the schema of each target version it was rendered for. */
  validate(render: Rendered): void {
    const { targets, cfg, cell } = this;
    const newest = targets[targets.length - 1];
    const objectMeta = newest.definition('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    const { objects, broken } = splitManifests(render.stream, { maxChars: cfg.maxRenderBytes });
    // CRDs the chart ships (crds/ via --include-crds, or templates) validate its custom resources.
    const kinds = this.userKinds.clone();
    for (const o of objects)
      if (o.kind === 'CustomResourceDefinition' && o.apiVersion.startsWith('apiextensions.k8s.io/')) kinds.addCrd(o.value, o.source || 'the chart', objectMeta);
    for (const b of broken) {
      const { location } = this.locate(b);
      this.hit({
        ruleId: b.duplicates?.length ? 'yaml-duplicate-key' : 'yaml-invalid',
        message: `a rendered document (line ${b.streamLine} of the helm template output) ${b.missing ? `has no ${b.missing.join(' and no ')}` : `is not valid YAML: ${b.message}${b.line ? ` (line ${b.line} of the document)` : ''}`}.`,
        location,
      });
    }
    for (const t of targets) if (render.minors.includes(t.minor)) cell.versions[t.minor] = 'validated';
    cell.objects = Math.max(cell.objects, objects.length);
    // Hits that do not depend on the version repeat for each per-version render; findings.ts merges them.
    for (const o of objects) {
      if (!o.namespace && schemaFor(o, newest, this.all, kinds, cfg.unknownKinds).namespaced !== false) o.namespace = cfg.namespace;
      this.checkOne(o, render, kinds);
    }
  }

  private checkOne(o: ReturnType<typeof splitManifests>['objects'][number], render: Rendered, kinds: CustomKinds): void {
    const object = objectRef(o);
    for (const d of o.duplicates) {
      const at = this.locate(o, d.key);
      this.hit({
        object,
        ruleId: 'yaml-duplicate-key',
        path: d.path,
        message: `key ${d.path} appears more than once; strict decoding rejects the object and lenient decoding keeps only the last value.${at.hint ? ` ${at.hint}` : ''}`,
        location: at.location,
      });
    }
    const misplaced = new Set<string>();
    for (const h of checkPolicies(o.kind, o.value)) {
      if (h.ruleId === 'securitycontext-misplaced') misplaced.add(h.path);
      const at = this.locate(o, h.field, h.value);
      this.hit({ object, ruleId: h.ruleId, severity: h.severity, path: h.path, message: `${h.message}${at.hint ? ` ${at.hint}` : ''}`, location: at.location });
    }
    for (const t of this.targets) {
      if (!render.minors.includes(t.minor)) continue;
      for (const i of checkObject(o, t, this.all, kinds, this.cfg.unknownKinds)) {
        // The misplaced-securityContext finding already says what to do with this field.
        if (i.ruleId === 'schema-unknown-field' && i.path && misplaced.has(i.path)) continue;
        const at = this.locate(o, i.field, i.value);
        const bug = knownBugHint(this.helm, i);
        this.hit({
          object,
          ruleId: i.ruleId,
          severity: i.severity,
          versions: [t.minor],
          path: i.path,
          message: `${i.message}${at.hint ? ` ${at.hint}` : ''}${bug ? ` ${bug}` : ''}`,
          location: at.location,
        });
      }
    }
  }
}

/** The label of a library chart's cell in the matrix. */
const LIBRARY_CELL = '(library chart, through a minimal consumer)';

/**
 * A library chart renders nothing by itself, and helm refuses to template it. Copied under charts/ of an
 * empty consumer chart, its templates are parsed (a syntax error fails, at its file and line) for the
 * newest target; what they produce is validated through the charts that use it.
 */
export async function checkLibrary(lib: Chart, targets: readonly KubeSchema[], helm: Helm, cfg: PipelineConfig, result: PipelineResult): Promise<void> {
  const cell: Cell = { chart: lib.rel, values: LIBRARY_CELL, objects: 0, versions: {} };
  result.cells.push(cell);
  const dir = mkdtempSync(join(cfg.tempDir, 'library-'));
  const consumer = `${lib.name}-consumer`;
  writeFileSync(join(dir, 'Chart.yaml'), `apiVersion: v2\nname: ${consumer}\nversion: 0.0.0\ndescription: helm-validate's minimal consumer of the library chart ${lib.name}\n`);
  // Links inside the chart were checked to stay in the workspace (loadChart); the copy holds their content.
  cpSync(lib.dir, join(dir, 'charts', lib.name), { recursive: true, dereference: true });
  const newest = targets[targets.length - 1];
  const r = await exec(
    helm.bin,
    templateArgs({ release: cfg.release, chartDir: dir, namespace: cfg.namespace, kubeVersion: newest.version, valuesFiles: [], apiVersions: cfg.apiVersions }),
    { timeoutMs: cfg.helmTimeoutMs, cwd: cfg.workspace },
  );
  const mark = (st: VersionStatus) => targets.forEach((t) => (cell.versions[t.minor] = st));
  if (r.timedOut) {
    mark('timed-out');
    result.failures.push({ cause: timeoutCause('helm template', r), detail: `helm template ${describeExit(r)}`, chart: lib.rel, where: 'library chart' });
    result.notRun.push(`${lib.rel} (library chart): helm template ${describeExit(r)}`);
    return;
  }
  if (r.exitCode === 0) return mark('validated');
  const constraint = kubeVersionConstraint(r.stderr);
  if (constraint) return mark(`skipped: chart requires kubeVersion ${constraint}`);
  const err = parseRenderError(r.stderr || r.stdout);
  // helm names the file inside the consumer: <consumer>/charts/<library>/templates/x.tpl → the library's own file.
  const prefix = `${consumer}/charts/${lib.name}/`;
  const own = err.file?.startsWith(prefix) ? join(lib.dir, err.file.slice(prefix.length)) : undefined;
  const location: Location = own && existsSync(own) ? { path: relPath(cfg.workspace, own), ...(err.line ? { startLine: err.line } : {}) } : { path: chartYaml(lib) };
  mark('render-error');
  cell.renderError = err.message;
  addHit(result, cfg, {
    ruleId: 'render-error',
    chart: lib.rel,
    values: LIBRARY_CELL,
    message: `helm could not parse the library chart's templates: ${err.message.split(prefix).join(`${lib.rel}/`)}`,
    location,
  });
  result.renderErrors.push(`library chart ${lib.rel} does not parse: ${err.message}`);
}

/** helm lint's Chart.yaml messages that chart-metadata reports itself. */
const CHART_METADATA_COVERS = /maintainer|is not a valid SemVer|^version should be of type|^(name|version|apiVersion) is required/;

async function lint(chart: Chart, entry: ValuesEntry, helm: Helm, cfg: PipelineConfig, result: PipelineResult): Promise<void> {
  const r = await exec(helm.bin, lintArgs(chart.dir, entry.files), { timeoutMs: cfg.helmTimeoutMs, cwd: cfg.workspace });
  if (r.timedOut) {
    result.failures.push({ cause: timeoutCause('helm lint', r), detail: `helm lint ${describeExit(r)}`, chart: chart.rel, where: entry.label });
    result.notRun.push(`${chart.rel} (${entry.label}): helm lint ${describeExit(r)}`);
    return;
  }
  // chart-metadata names every maintainer and version problem at its line; helm's own messages on these
  // stop at the first one, so they are not reported twice (unless the caller turned chart-metadata off).
  const metadataOn = effectiveSeverity('chart-metadata', RULE_BY_ID.get('chart-metadata')!.severity, cfg.overrides) !== 'off';
  for (const m of parseLint(`${r.stdout}\n${r.stderr}`)) {
    if (m.level === 'INFO') continue;
    if (metadataOn && m.path === 'Chart.yaml' && CHART_METADATA_COVERS.test(m.message)) continue;
    // Deprecated APIs are reported per target version by our own rule; helm's check knows only its own client version.
    if (/is deprecated in v\d|unavailable in v\d/.test(m.message)) continue;
    const file = m.path && !m.path.endsWith('/') ? join(chart.dir, m.path) : '';
    const path = file && existsSync(file) ? relPath(cfg.workspace, file) : `${chart.rel === '.' ? '' : `${chart.rel}/`}Chart.yaml`;
    addHit(result, cfg, {
      ruleId: m.level === 'ERROR' ? 'helm-lint-error' : 'helm-lint-warning',
      chart: chart.rel,
      values: entry.label,
      message: `helm lint: ${m.path ? `${m.path}: ` : ''}${m.message}`,
      location: { path },
    });
  }
  if (r.exitCode !== 0 && !parseLint(r.stdout).some((m) => m.level !== 'INFO')) {
    // helm failed without saying why in its usual format (e.g. an unreadable chart): still report it.
    addHit(result, cfg, {
      ruleId: 'helm-lint-error',
      chart: chart.rel,
      values: entry.label,
      message: `helm lint failed: ${helmErrorText(r.stderr || r.stdout)}`,
      location: { path: chartYaml(chart) },
    });
  }
}

/** A timeout's cause, the same words for every case so the failure line can count them; each case's real time is its detail. */
function timeoutCause(what: string, r: { timeoutMs?: number }): string {
  return `${what} timed out${r.timeoutMs ? ` (limit ${formatSeconds(r.timeoutMs)})` : ''}`;
}
