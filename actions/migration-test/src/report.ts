// The Markdown the summary and PR comment carry besides the findings: the per-step table and each
// problem's snapshot diff, so a reviewer sees exactly what a downgrade left behind.
import { codeBlock, inlineCode, table } from '@platform-actions/kit';
import type { Problem, RunResult, Status } from './execute.js';

const ICON: Record<Status, string> = { ok: '✅', failed: '❌', trace: '⚠️ trace', mismatch: '⚠️ mismatch', unchanged: '⚠️ unchanged', moved: '↕️ moved', skipped: '⏭️', '-': '—' };

export function detailsMarkdown(run: RunResult, ctx: { tool: string; database: string; columnOrder: string }, budget = 40_000): string {
  const parts = [
    `**Mode:** ${run.mode} · **tool:** ${ctx.tool} · **database:** ${inlineCode(ctx.database)} · **column order:** ${ctx.columnOrder}` +
      (run.head ? ` · **head:** ${inlineCode(run.head.revision || 'base')} (${run.head.lines} schema lines)` : ''),
    '',
    table(
      ['Revision', 'Up', 'Down', 'Re-up', 'Time', 'Note'],
      run.rows.map((r) => [r.revision || 'base', ICON[r.up], ICON[r.down], ICON[r.reup], `${(r.durationMs / 1000).toFixed(1)}s`, r.note ?? '']),
    ),
  ];
  let md = parts.join('\n');
  for (const p of run.problems) {
    const block = problemBlock(p);
    if (md.length + block.length > budget) {
      md += '\n_More diffs were left out to keep this report short; see the log._\n';
      break;
    }
    md += block;
  }
  return md;
}

/** The diff, or the exception and the user's frame, first; the full traceback folded below it. */
function problemBlock(p: Problem): string {
  const body = p.diff ?? p.output;
  if (!body && !p.detail) return '';
  let md = `\n<details><summary>${p.rule} · ${escapeHtml(p.revision)}</summary>\n\n`;
  if (body) md += codeBlock(body.split('\n'), p.diff ? 'diff' : 'text');
  if (p.detail) {
    const d = p.detail.length > 8000 ? `…\n${p.detail.slice(-8000)}` : p.detail;
    md += `\n<details><summary>full output</summary>\n\n${codeBlock(d.split('\n'), 'text')}</details>\n`;
  }
  return `${md}</details>\n`;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
