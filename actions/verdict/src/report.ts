// The verdict in words: a table of shards (items, outcome, findings, time), the plan's scope, what was
// removed, and each shard's own details folded away. Item names come from the repository: escaped.
import { code, type PlanDocument, textCell } from '@platform-actions/kit';
import { itemList, type Verdict } from './merge.js';

const ICON: Record<string, string> = { clean: '✅', 'policy-failure': '❌', 'tool-error': '⚠️', 'config-error': '⚙️', missing: '🕳️' };
const secs = (ms: number) => (ms ? `${(ms / 1000).toFixed(1)} s` : '—');

export function detailsMarkdown(plan: PlanDocument, v: Verdict): string {
  const s = plan.scope;
  let md = s.everything ? `Scope: everything — ${textCell(s.reason)}.\n` : `Scope: ${code(s.label)} — ${textCell(s.reason)}.\n`;
  if (!plan.shards.length) md += `\n✅ Nothing to do: the plan has no items${s.everything ? '' : ' (the change touches none)'}, so no shard ran.\n`;
  if (v.rows.length) {
    md += `\n| Shard | Items | Outcome | Findings | Time |\n| --- | --- | --- | --- | --- |\n`;
    for (const r of v.rows) {
      const outcome = r.outcome === 'missing' ? 'no report' : r.outcome;
      md += `| ${r.shard}/${r.of} | ${textCell(itemList(r.items, 4))} | ${ICON[r.outcome]} ${outcome} | ${r.counts.total} | ${secs(r.durationMs)} |\n`;
    }
  }
  if (v.extra.length) md += `\nAlso merged: ${v.extra.map((r) => `${code(r.report.action)} (${r.report.outcome})`).join(', ')}.\n`;
  const suppressed = [...v.rows.flatMap((r) => r.reports), ...v.extra].reduce((n, r) => n + r.report.suppressed, 0);
  if (suppressed) md += `\n${suppressed} finding(s) suppressed in the shards (baseline or ignore rules).\n`;
  if (v.unlisted) md += `\n${v.unlisted} finding(s) are counted but not listed here (a run report keeps 5,000); the SARIF file has them.\n`;
  if (plan.unchanged && !s.everything) md += `\n${plan.unchanged} item(s) the change did not touch were not checked.\n`;
  if (plan.removed.length) md += `\nRemoved (nothing to check): ${plan.removed.map((r) => `${code(r.path)} (${textCell(r.reason)})`).join(', ')}.\n`;
  for (const r of v.rows)
    for (const c of r.reports)
      if (c.report.details) md += `\n<details><summary>Shard ${r.shard}/${r.of}: ${textCell(c.report.title)}</summary>\n\n${c.report.details}\n\n</details>\n`;
  return md;
}
