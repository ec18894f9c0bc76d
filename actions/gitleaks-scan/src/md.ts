// Markdown for text we do not control: file names from the repository, branch and ref names, paths from
// inputs. A file name may hold a newline, a backtick run or `::error::`; it must never end a code span,
// start a heading ("✅ no secrets found"), close a fenced block or open HTML in the summary or comment.
// (Prose goes through the kit's escapeMarkdown; these are the code-span and fenced-block forms this action needs.)
import { escapeMarkdown } from '@platform-actions/kit';

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

/** A fenced code block whose fence no line of `lines` can close; each line is kept on one line. */
export function codeBlock(lines: readonly string[]): string {
  const body = lines.map(oneLineText);
  const fence = '`'.repeat(Math.max(3, ...body.map((l) => longestRun(l, '`') + 1)));
  return `${fence}\n${body.join('\n')}\n${fence}\n`;
}

/**
 * Plain text in running prose: the kit's escapeMarkdown (no heading, link, image, HTML or emphasis can
 * come out of it), after control characters are made visible so a newline in a name is seen, not lost.
 */
export const proseText = (text: string): string => escapeMarkdown(oneLineText(text));
