// The job summary: what a PR author reads first. Always under GitHub's 1 MiB per step.
import * as core from '../core.js';
import { countBySeverity } from '../findings.js';
import type { GateResult } from '../gate.js';
import { countsTable, escapeMarkdown, findingsTable, type LinkOptions, outcomeLine } from './markdown.js';

export const SUMMARY_MAX_BYTES = 1024 * 1024;
// Leave room for other writers in the same step and for multi-byte characters.
const BUDGET = 900 * 1024;

export interface SummaryInput {
  title: string;
  gate: GateResult;
  /** Markdown placed after the counts: scope, ranges, per-target tables. Trimmed to fit. */
  details?: string;
  links?: LinkOptions;
  /** Where the full results are: report paths, SARIF category, artifact name. */
  reports?: string[];
  maxFindings?: number;
  /**
   * False when the findings are not severities but something the action tabulates itself in `details`
   * (failed tests): the severity counts and the findings table are left out.
   */
  findingsTables?: boolean;
}

/** Pure: the summary Markdown, guaranteed under the byte budget. */
export function renderSummary(input: SummaryInput): string {
  const { gate } = input;
  const counts = countBySeverity(gate.active);
  let md = `## ${input.title}\n\n${outcomeLine(gate.outcome, gate.failing.length)}\n\n`;
  for (const e of gate.policyErrors ?? []) md += `> [!CAUTION]\n> ${escapeMarkdown(e)}\n\n`;
  for (const e of gate.toolErrors) md += `> [!WARNING]\n> ${escapeMarkdown(e)}\n\n`;
  if (input.findingsTables !== false) md += countsTable(counts);
  if (gate.suppressed.length) md += `\n${gate.suppressed.length} finding(s) suppressed (baseline or ignore rules).\n`;
  if (input.details) md += `\n${input.details.length > BUDGET / 4 ? `${input.details.slice(0, BUDGET / 4)}\n\n…(details truncated)` : input.details}\n`;
  const tail = input.reports?.length ? `\n**Full results:** ${input.reports.join(' · ')}\n` : '';
  const room = BUDGET - Buffer.byteLength(md) - Buffer.byteLength(tail) - 200;
  const { md: tableMd, shown } =
    input.findingsTables === false ? { md: '', shown: 0 } : findingsTable(gate.active, input.links ?? {}, { max: input.maxFindings ?? 200, budget: Math.max(0, room) });
  if (shown) {
    md += `\n### Findings${shown < gate.active.length ? ` (top ${shown} of ${gate.active.length})` : ''}\n\n${tableMd}`;
  }
  md += tail;
  return md;
}

/** Appends the summary to $GITHUB_STEP_SUMMARY (no-op with a debug line when it is not set). */
export async function writeSummary(md: string): Promise<void> {
  if (!core.appendSummary(md)) core.debug('GITHUB_STEP_SUMMARY is not set; summary not written');
}
