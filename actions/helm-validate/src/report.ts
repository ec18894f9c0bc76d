// What helm-validate adds to the kit's reporters: the chart × values table for the summary and the
// comment, and the JSON validation report file.
import { atLeast, cell as mdCell, countBySeverity, escapeMarkdown, type Finding, type GateResult, type Severity, SEVERITIES, severityRank } from '@platform-actions/kit';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { refName } from './changes.js';
import type { Exception } from './exceptions.js';
import type { Cell, Hit } from './pipeline.js';

const ICON: Record<Severity, string> = { critical: '🟥', high: '🟧', medium: '🟨', low: '🟦', info: '⬜' };

/** With base-ref: what changed, and what was validated because of it. */
export interface ChangeSummary {
  baseRef: string;
  mergeBase: string;
  /** Charts validated because of the change (repository-relative folders). */
  changed: string[];
  /** Charts whose own files changed: their version bump was checked. */
  versionChecked: string[];
  /** Charts in scope before the change filter. */
  of: number;
  changedOnly: boolean;
}

export interface ReportContext {
  helmVersion: string;
  targets: Array<{ minor: string; version: string; source: string }>;
  failOn: string;
  cells: readonly Cell[];
  /** Active hits (after exceptions and overrides), for per-cell counts. */
  hits: readonly Hit[];
  gate: GateResult;
  expired: readonly Exception[];
  /** What was not validated and why (tool errors, timeouts, charts whose kubeVersion excludes every target). */
  notRun: readonly string[];
  changes?: ChangeSummary;
}

/** One line on what base-ref decided. */
function changesLine(c: ChangeSummary): string {
  const n = c.changed.length;
  const list =
    c.changed
      .slice(0, 10)
      .map((x) => `\`${mdCell(x)}\``)
      .join(', ') + (n > 10 ? `, … and ${n - 10} more` : '');
  const which = n ? `${n} of ${c.of} chart(s) changed (${list})` : `no chart changed (of ${c.of})`;
  const scope = c.changedOnly ? (n ? '; only those were validated' : ', so nothing was validated') : '; every chart was validated';
  return `**Changed since** \`${mdCell(refName(c.baseRef))}\` (merge base \`${c.mergeBase.slice(0, 7)}\`): ${which}${scope}. Version bump checked for ${c.versionChecked.length} chart(s) whose own files changed.`;
}

/** Severity counts per chart × values cell, each problem counted once whatever the number of versions. */
function cellCounts(hits: readonly Hit[]): Map<string, Record<Severity, number>> {
  const seen = new Set<string>();
  const out = new Map<string, Record<Severity, number>>();
  for (const h of hits) {
    const cellKey = `${h.chart}\u0000${h.values}`;
    const k = [cellKey, h.ruleId, h.object, h.path, h.message, h.location.path].join('\u0000');
    if (seen.has(k)) continue;
    seen.add(k);
    const c = out.get(cellKey) ?? { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
    c[h.severity]++;
    out.set(cellKey, c);
  }
  return out;
}

function versionCell(c: Cell, minor: string, hits: readonly Hit[], failOn: string): string {
  const st = c.versions[minor];
  if (!st) return '–';
  if (st === 'render-error') return '💥 render';
  if (st === 'timed-out') return '⏱️ timed out';
  if (st === 'too-large') return '📦 too large';
  if (st === 'killed') return '💥 helm killed';
  if (st.startsWith('skipped')) return `⏭️ ${st.slice('skipped: '.length)}`;
  const here = hits.filter((h) => h.chart === c.chart && h.values === c.values && h.versions?.includes(minor));
  const n = new Set(here.map((h) => `${h.object}\u0000${h.path}\u0000${h.ruleId}\u0000${h.message}`)).size;
  if (!n) return '✅';
  const failing = failOn !== 'none' && here.some((h) => atLeast(h.severity, failOn as Severity));
  return `${failing ? '❌' : '⚠️'} ${n}`;
}

/** Markdown for the summary and the comment: scope, then one row per chart × values file. */
export function detailsMarkdown(ctx: ReportContext): string {
  const minors = ctx.targets.map((t) => t.minor);
  const counts = cellCounts(ctx.hits);
  let md = '';
  if (ctx.notRun.length) {
    md += `**Not validated** (${ctx.notRun.length}):\n\n${ctx.notRun
      .slice(0, 50)
      .map((l) => `- ${escapeMarkdown(l)}`)
      .join('\n')}${ctx.notRun.length > 50 ? `\n- … and ${ctx.notRun.length - 50} more (see the report file)` : ''}\n\n`;
  }
  if (ctx.changes) md += `${changesLine(ctx.changes)}\n\n`;
  md += `**Scope:** ${new Set(ctx.cells.map((c) => c.chart)).size} chart(s), ${ctx.cells.length} chart × values combination(s), Kubernetes ${ctx.targets.map((t) => t.version).join(', ')}, helm ${ctx.helmVersion}.\n\n`;
  md += `| Chart | Values | Objects | ${minors.map((m) => `k8s ${m}`).join(' | ')} | ${SEVERITIES.map((s) => ICON[s]).join(' | ')} |\n`;
  md += `| --- | --- | ---: | ${minors.map(() => ':---:').join(' | ')} | ${SEVERITIES.map(() => '---:').join(' | ')} |\n`;
  for (const c of ctx.cells) {
    const n = counts.get(`${c.chart}\u0000${c.values}`) ?? { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
    md += `| \`${mdCell(c.chart)}\` | \`${mdCell(c.values)}\` | ${c.objects} | ${minors.map((m) => mdCell(versionCell(c, m, ctx.hits, ctx.failOn))).join(' | ')} | ${SEVERITIES.map((s) => n[s]).join(' | ')} |\n`;
  }
  md += `\nPer version: ✅ schema and API checks passed; ❌ n problems, some at or above fail-on; ⚠️ n problems below it; 💥 did not render; ⏭️ skipped by the chart's kubeVersion; ⏱️ helm timed out; 📦 output over the size limit (not validated).\n`;
  const exceptions = ctx.gate.suppressed.filter((s) => s.reason.startsWith('exception: '));
  if (exceptions.length) {
    md += `\n<details><summary>${exceptions.length} finding(s) excused by the exceptions file</summary>\n\n| Rule | Object | Reason |\n| --- | --- | --- |\n`;
    for (const s of exceptions.slice(0, 50))
      md += `| ${mdCell(s.finding.ruleId)} | ${mdCell(String(s.finding.properties?.object ?? ''))} | ${mdCell(s.reason.slice('exception: '.length))} |\n`;
    md += '\n</details>\n';
  }
  if (ctx.expired.length)
    md += `\n⚠️ ${ctx.expired.length} exception(s) expired and no longer apply: ${ctx.expired.map((e) => `${e.rule} on ${e.resource ?? e.chart} (expired ${e.expires})`).join('; ')}.\n`;
  return md;
}

export interface JsonReport {
  tool: 'helm-validate';
  reportVersion: 1;
  outcome: string;
  failOn: string;
  helm: string;
  kubernetes: Array<{ minor: string; version: string; source: string }>;
  counts: ReturnType<typeof countBySeverity>;
  matrix: Array<Cell & { counts: Record<Severity, number> }>;
  findings: Finding[];
  suppressed: Array<{ reason: string; finding: Finding }>;
  toolErrors: string[];
  notValidated: string[];
  changes?: ChangeSummary;
}

export function buildReport(ctx: ReportContext): JsonReport {
  const counts = cellCounts(ctx.hits);
  const sorted = [...ctx.gate.active].sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
  return {
    tool: 'helm-validate',
    reportVersion: 1,
    outcome: ctx.gate.outcome,
    failOn: ctx.failOn,
    helm: ctx.helmVersion,
    kubernetes: ctx.targets,
    counts: countBySeverity(ctx.gate.active),
    matrix: ctx.cells.map((c) => ({ ...c, counts: counts.get(`${c.chart}\u0000${c.values}`) ?? { critical: 0, high: 0, medium: 0, low: 0, info: 0 } })),
    findings: sorted,
    suppressed: ctx.gate.suppressed.map((s) => ({ reason: s.reason, finding: s.finding })),
    toolErrors: ctx.gate.toolErrors,
    notValidated: [...ctx.notRun],
    ...(ctx.changes ? { changes: ctx.changes } : {}),
  };
}

export function writeReport(path: string, report: JsonReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
