// Markdown pieces shared by the step summary and the PR comment.
import { type Finding, type SeverityCounts, SEVERITIES, sortFindings } from '../findings.js';
import type { Outcome } from '../gate.js';

const ICON: Record<string, string> = { critical: '🟥', high: '🟧', medium: '🟨', low: '🟦', info: '⬜' };

/**
 * Escapes text from a repository or a tool (a file name, a rule's text, a tool message) for inline
 * Markdown, so it reads as the characters it is and cannot become a heading, a link, an image, HTML or
 * a ✅ that is not ours. Newlines become spaces: inline text never starts a block.
 */
export function escapeMarkdown(text: string | number | undefined): string {
  return String(text ?? '')
    .replace(/[\\`*_{}[\]()#+\-.!|~<>"'&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : c === "'" ? '&#39;' : `\\${c}`))
    .replace(/\s*[\r\n]+\s*/g, ' ');
}

/** Text shown as code: HTML `<code>` with its content escaped, because a backtick in a file name ends a Markdown code span. */
export const code = (text: string | number | undefined): string => `<code>${textCell(text)}</code>`;

/** Escapes text for a Markdown table cell (pipes, newlines, HTML). */
export function cell(text: string | number | undefined): string {
  return String(text ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>');
}

/** A table cell holding text from a repository or a tool: `cell()` plus links, images and emphasis made inert. */
export const textCell = (text: string | number | undefined): string => cell(text).replace(/[[\]!*_`#~]/g, (c) => `&#${c.charCodeAt(0)};`);

export function table(headers: string[], rows: Array<Array<string | number | undefined>>): string {
  const head = `| ${headers.map(cell).join(' | ')} |\n| ${headers.map(() => '---').join(' | ')} |\n`;
  return head + rows.map((r) => `| ${r.map(cell).join(' | ')} |\n`).join('');
}

export function outcomeLine(outcome: Outcome, failing: number): string {
  if (outcome === 'clean') return '✅ **Passed**';
  if (outcome === 'tool-error') return '⚠️ **Tool error**: the check could not complete, so nothing is known to be clean.';
  if (outcome === 'config-error') return '⚙️ **Configuration error**: the inputs were rejected before any check ran.';
  if (failing === 0) return '❌ **Failed**: a policy check failed (below).';
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
  if (!links.repoUrl || !links.sha) return code(label);
  const anchor = loc.startLine ? `#L${loc.startLine}${loc.endLine && loc.endLine !== loc.startLine ? `-L${loc.endLine}` : ''}` : '';
  return `[${code(label)}](${links.repoUrl}/blob/${links.sha}/${loc.path.split('/').map(encodeURIComponent).join('/')}${anchor})`;
}

/** A table of the most severe findings; rows are added while they fit in `budget` characters. */
export function findingsTable(findings: readonly Finding[], links: LinkOptions, opts: { max: number; budget: number }): { md: string; shown: number } {
  const sorted = sortFindings(findings);
  const header = table(['Severity', 'Rule', 'Where', 'Message'], []);
  let md = header;
  let shown = 0;
  for (const f of sorted.slice(0, opts.max)) {
    const row = `| ${ICON[f.severity]} ${f.severity} | ${textCell(f.ruleId)} | ${locationLink(f, links).replace(/\|/g, '\\|')} | ${textCell(f.message)} |\n`;
    if (md.length + row.length > opts.budget) break;
    md += row;
    shown++;
  }
  return { md: shown ? md : '', shown };
}
