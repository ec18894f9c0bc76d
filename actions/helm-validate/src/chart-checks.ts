// chart-testing's checks, once per chart (not per values file or Kubernetes version): Chart.yaml's fields
// and maintainers (chart-metadata), yamllint's rules on Chart.yaml and the values files (yaml-lint, and
// yaml-duplicate-key for Chart.yaml), and, when a base ref is given, a version bump for a chart whose
// files changed (chart-version-bump). Together with helm lint these are what `ct lint` checks.
import type { Location, Severity } from '@platform-actions/kit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseVersion, type BaseRef, refName, since } from './changes.js';
import { checkChartMetadata, metadataLine } from './chartfile.js';
import { type Chart, relPath } from './charts.js';
import { compareSemVer, parseSemVer } from './semver.js';
import { findDuplicateKeys, parseYaml } from './yaml.js';
import { type LintProblem, yamllint } from './yamllint.js';

/** A finding before the pipeline turns it into a hit (severity from the rule unless given). */
export interface ChartHit {
  ruleId: string;
  severity?: Severity;
  /** '' for Chart.yaml; a values file's label otherwise. */
  values: string;
  path?: string;
  message: string;
  location: Location;
}

export interface ChartCheckContext {
  workspace: string;
  /** With base-ref: the base, and the charts whose own files changed since its merge base. */
  changes?: { base: BaseRef; own: ReadonlySet<string> };
}

export interface LintedFile {
  abs: string;
  /** As findings name the values file ('values.yaml', 'values-prod.yaml'); '' for Chart.yaml. */
  label: string;
}

const MAX_LISTED = 8;

/** yamllint's problems in one file: one hit per rule, listing the lines. */
export function lintHits(problems: readonly LintProblem[], rel: string, label: string): ChartHit[] {
  const byRule = new Map<string, LintProblem[]>();
  for (const p of problems) byRule.set(p.rule, [...(byRule.get(p.rule) ?? []), p]);
  return [...byRule].map(([rule, ps]) => {
    const messages = new Set(ps.map((p) => p.message));
    const more = ps.length > MAX_LISTED ? `, and ${ps.length - MAX_LISTED} more` : '';
    const message =
      messages.size === 1
        ? `${rel}: ${ps[0].message} on ${ps.length === 1 ? 'line' : 'lines'} ${ps
            .slice(0, MAX_LISTED)
            .map((p) => p.line)
            .join(', ')}${more} (yamllint ${rule})`
        : `${rel}: ${ps
            .slice(0, MAX_LISTED)
            .map((p) => `line ${p.line}: ${p.message}`)
            .join('; ')}${more} (yamllint ${rule})`;
    return {
      ruleId: 'yaml-lint',
      ...(ps.every((p) => p.level === 'warning') ? { severity: 'info' as Severity } : {}),
      values: label,
      path: `yamllint/${rule}`,
      message,
      location: { path: rel, startLine: ps[0].line, startColumn: ps[0].column },
    };
  });
}

/** Every chart-testing finding for `chart`; `files` are its values files (Chart.yaml is read here). */
export async function chartTestingChecks(chart: Chart, files: readonly LintedFile[], ctx: ChartCheckContext): Promise<ChartHit[]> {
  const out: ChartHit[] = [];
  const chartFile = join(chart.dir, 'Chart.yaml');
  const rel = relPath(ctx.workspace, chartFile);
  const text = readFileSync(chartFile, 'utf8');

  for (const i of checkChartMetadata(text)) {
    const line = metadataLine(text, i.path);
    out.push({
      ruleId: i.ruleId,
      ...(i.severity ? { severity: i.severity } : {}),
      values: '',
      path: i.path || '(Chart.yaml)',
      message: i.message,
      location: { path: rel, ...(line ? { startLine: line } : {}) },
    });
  }
  for (const d of findDuplicateKeys(text))
    out.push({
      ruleId: 'yaml-duplicate-key',
      values: '',
      path: d.path,
      message: `Chart.yaml sets ${d.path} twice; helm silently uses the last one.`,
      location: { path: rel, startLine: d.line },
    });
  out.push(...lintHits(yamllint(text), rel, ''));
  for (const f of files) out.push(...lintHits(yamllint(readFileSync(f.abs, 'utf8')), relPath(ctx.workspace, f.abs), f.label));

  const changes = ctx.changes;
  if (changes?.own.has(chart.rel)) {
    const before = await baseVersion(changes.base, chart.dir);
    const v = (parseYaml(text).value as { version?: unknown } | null)?.version;
    const now = typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
    const a = before ? parseSemVer(before) : undefined;
    const b = now ? parseSemVer(now) : undefined;
    // A version that is not SemVer is chart-metadata's finding; a chart new on the base needs no bump.
    if (a && b && compareSemVer(b, a) <= 0) {
      const line = metadataLine(text, 'version');
      out.push({
        ruleId: 'chart-version-bump',
        values: '',
        path: 'version',
        message: `${chart.rel} changed since ${since(changes.base)}, but its version ${now} is not above ${before}, the version on ${refName(changes.base.ref)}.`,
        location: { path: rel, ...(line ? { startLine: line } : {}) },
      });
    }
  }
  return out;
}
