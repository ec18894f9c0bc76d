// Markdown pieces shared by the step summary and the PR comment.
import { type Finding, type SeverityCounts, SEVERITIES, sortFindings } from '../findings.js';
import type { Outcome } from '../gate.js';

const ICON: Record<string, string> = { critical: '🟥', high: '🟧', medium: '🟨', low: '🟦', info: '⬜' };

/** Escapes text for a Markdown table cell (pipes, newlines, HTML). */
export function cell(text: string | number | undefined): string {
  return String(text ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>');
}

export function table(headers: string[], rows: Array<Array<string | number | undefined>>): string {
  const head = `| ${headers.map(cell).join(' | ')} |\n| ${headers.map(() => '---').join(' | ')} |\n`;
  return head + rows.map((r) => `| ${r.map(cell).join(' | ')} |\n`).join('');
}

export function outcomeLine(outcome: Outcome, failing: number): string {
  if (outcome === 'clean') return '✅ **Passed**';
  if (outcome === 'tool-error') return '⚠️ **Tool error**: the check could not complete, so nothing is known to be clean.';
  return `❌ **Failed**: ${failing} finding${failing === 1 ? '' : 's'} at or above the threshold.`;
}

export function countsTable(counts: SeverityCounts): string {
  return table(
    ['Severity', 'Count'],
    SEVERITIES.map((s) => [`${ICON[s]} ${s}`, counts[s]]),
  );
}

export interface LinkOptions {
  /** https://github.com/<owner>/<repo> */
  repoUrl?: string;
  /** The commit the links should point at. */
  sha?: string;
}

export function locationLink(f: Finding, links: LinkOptions): string {
  const loc = f.location;
  if (!loc?.path) return '';
  const label = loc.startLine ? `${loc.path}:${loc.startLine}` : loc.path;
  if (!links.repoUrl || !links.sha) return `\`${label}\``;
  const anchor = loc.startLine ? `#L${loc.startLine}${loc.endLine && loc.endLine !== loc.startLine ? `-L${loc.endLine}` : ''}` : '';
  return `[\`${label}\`](${links.repoUrl}/blob/${links.sha}/${loc.path.split('/').map(encodeURIComponent).join('/')}${anchor})`;
}

/** A table of the most severe findings; rows are added while they fit in `budget` characters. */
export function findingsTable(findings: readonly Finding[], links: LinkOptions, opts: { max: number; budget: number }): { md: string; shown: number } {
  const sorted = sortFindings(findings);
  const header = table(['Severity', 'Rule', 'Where', 'Message'], []);
  let md = header;
  let shown = 0;
  for (const f of sorted.slice(0, opts.max)) {
    const row = `| ${ICON[f.severity]} ${f.severity} | ${cell(f.ruleId)} | ${locationLink(f, links).replace(/\|/g, '\\|')} | ${cell(f.message)} |\n`;
    if (md.length + row.length > opts.budget) break;
    md += row;
    shown++;
  }
  return { md: shown ? md : '', shown };
}
