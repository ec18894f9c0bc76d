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

// Text we do not control (file names, refs, tool output) as code: a code span or a fenced block it cannot
// end, whatever backticks or tildes it holds, with control characters made visible.

/** Control characters (newline, tab, ESC, …) shown as visible escapes, so a name stays on one line. */
export function oneLineText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

const longestRun = (text: string, ch: string): number => Math.max(0, ...(text.match(new RegExp(`\\${ch}+`, 'g')) ?? []).map((r) => r.length));

/**
 * An inline code span that shows `text` literally: control characters escaped, fenced with more backticks
 * than any run inside it, padded when it starts or ends with a backtick. In a table cell, escape `|` on
 * top (GitHub splits table cells before it reads code spans).
 */
export function inlineCode(text: string): string {
  const t = oneLineText(text);
  const fence = '`'.repeat(longestRun(t, '`') + 1);
  const pad = t.startsWith('`') || t.endsWith('`') || t === '' ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

/**
 * A fenced code block whose fence no line of `lines` can close: backticks, longer than any backtick run in
 * the body (a run of tildes cannot close a backtick fence). Each line is kept on one line. `info` is the
 * language (diff, text), from the caller, never from the body.
 */
export function codeBlock(lines: readonly string[], info = ''): string {
  const body = lines.map(oneLineText);
  const fence = '`'.repeat(Math.max(3, ...body.map((l) => longestRun(l, '`') + 1)));
  return `${fence}${info.replace(/[`\s]/g, '')}\n${body.join('\n')}\n${fence}\n`;
}

/**
 * Plain text in running prose: escapeMarkdown (no heading, link, image, HTML or emphasis can come out of
 * it), after control characters are made visible so a newline in a name is seen, not lost.
 */
export const proseText = (text: string): string => escapeMarkdown(oneLineText(text));
