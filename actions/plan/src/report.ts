// The plan in words, for the job summary: what is checked and why, what is not, what was removed.
import { code, escapeMarkdown, type ItemKind, type Split, textCell, type WorkPlan } from '@platform-actions/kit';

const NOUN: Record<ItemKind, [string, string]> = {
  charts: ['chart', 'charts'],
  terraform: ['Terraform root', 'Terraform roots'],
  images: ['image', 'images'],
  migrations: ['migration folder', 'migration folders'],
};
export const noun = (kind: ItemKind, n: number): string => `${n} ${NOUN[kind][n === 1 ? 0 : 1]}`;

/** One line for the log and the summary's lead. */
export function planLine(plan: WorkPlan, split: Split): string {
  const total = plan.items.length + plan.unchanged.length;
  if (!plan.items.length) return `Nothing to do: ${plan.scope.everything ? `there are no ${NOUN[plan.kind][1]}` : `the change touches none of the ${noun(plan.kind, total)}`}.`;
  const what = plan.scope.everything ? `all ${noun(plan.kind, total)}` : `${plan.items.length} of ${noun(plan.kind, total)}`;
  return `${what} to check, in ${split.shards.length} shard${split.shards.length === 1 ? '' : 's'}.`;
}

export function planMarkdown(plan: WorkPlan, split: Split): string {
  let md = `## Plan: ${NOUN[plan.kind][1]}\n\n`;
  md += plan.items.length
    ? `**${escapeMarkdown(planLine(plan, split))}**\n\n`
    : `✅ **${escapeMarkdown(planLine(plan, split))}** The shards are skipped and the verdict is green.\n\n`;
  const s = plan.scope;
  md += s.everything
    ? `Scope: everything — ${escapeMarkdown(s.reason)}.\n\n`
    : `Scope: ${code(s.label)} — ${escapeMarkdown(s.reason)} (${s.changedFiles} file${s.changedFiles === 1 ? '' : 's'} changed).\n\n`;
  if (split.shards.length) {
    md += '| Shard | Item | Why |\n| --- | --- | --- |\n';
    for (const sh of split.shards) for (const i of sh.items) md += `| ${sh.index}/${split.shards.length} | ${code(i.path)} | ${textCell(i.reasons.join('; '))} |\n`;
    md += `\nBalanced by ${split.basis === 'durations' ? `the last run's durations (${split.recorded} of ${plan.items.length} items recorded; the rest estimated from their size)` : 'size (file counts; no durations recorded yet)'}.\n`;
  }
  if (plan.unchanged.length && !s.everything)
    md += `\n${noun(plan.kind, plan.unchanged.length)} not touched by the change ${plan.unchanged.length === 1 ? 'is' : 'are'} not checked.\n`;
  if (plan.removed.length) {
    md += `\n**Removed** (nothing to check):\n\n`;
    for (const r of plan.removed) md += `- ${code(r.path)}: ${textCell(r.reason)}\n`;
  }
  return md;
}
