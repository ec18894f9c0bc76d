// The reporters in one call, in the order a user needs them: outputs first (so callers can read them even
// when the step fails), then annotations, SARIF, the job summary and the sticky PR comment.
import * as core from '../core.js';
import { join } from 'node:path';
import { ToolError } from '../errors.js';
import { scrub } from '../secrets.js';
import type { GateResult } from '../gate.js';
import { apiErrorLine, octokit } from '../github/client.js';
import { currentEvent, type EventContext } from '../github/event.js';
import { annotate } from './annotations.js';
import { commentMarker, type CommentResult, upsertComment } from './comment.js';
import { setStandardOutputs } from './outputs.js';
import { recordRun } from './run-report.js';
import { type SarifRunInput, writeSarif } from './sarif.js';
import { renderSummary, writeSummary } from './summary.js';

export interface PublishInput {
  /** Action name: prefixes messages and names the sticky comment. */
  action: string;
  title: string;
  gate: GateResult;
  /**
   * SARIF runs (one per tool and target); default one run of the active findings. `inSummary: false` keeps
   * the file's runner-local path out of the summary (the `sarif-file` output still names it).
   */
  sarif?: { path: string; runs: SarifRunInput[]; inSummary?: boolean };
  /** Extra Markdown for the summary and the comment (scope, per-target tables). */
  details?: string;
  /** False to leave the severity counts and the findings table out of the summary (see SummaryInput). */
  findingsTables?: boolean;
  /** Other report files to name in outputs and the summary, e.g. { 'report-file': path }. */
  reports?: Record<string, string>;
  /** Post or update the sticky PR comment (needs a token with pull-requests: write). */
  comment?: { token?: string; category?: string };
  event?: EventContext;
}

export interface PublishResult {
  sarif?: { path: string; results: number; dropped: number };
  annotated: number;
  comment?: CommentResult;
}

export async function publish(input: PublishInput): Promise<PublishResult> {
  const event = input.event ?? currentEvent();
  const result: PublishResult = { annotated: 0 };
  let sarifPath: string | undefined;
  if (input.sarif) {
    let w: ReturnType<typeof writeSarif>;
    try {
      w = writeSarif(input.sarif.path, input.sarif.runs);
    } catch (e) {
      // The path was checked when the input was read; a failure now is the disk or the runner, not the user.
      throw new ToolError(`could not write the SARIF file ${input.sarif.path}: ${(e as Error).message}`);
    }
    sarifPath = w.path;
    result.sarif = { path: w.path, results: w.results, dropped: w.dropped };
    if (w.dropped) core.warning(`${w.dropped} result(s) left out of the SARIF file to stay within GitHub's limits (least severe first).`);
  }
  setStandardOutputs({ outcome: input.gate.outcome, findings: input.gate.active, reports: { ...(sarifPath ? { 'sarif-file': sarifPath } : {}), ...input.reports } });

  const where = sarifPath ? `See the job summary, or the SARIF file ${sarifPath}.` : 'See the job summary.';
  result.annotated = annotate(input.gate.active, { whereToRead: where, reserveErrors: input.gate.outcome === 'clean' ? 0 : 1 }).annotations.length;

  const reportNames = [
    ...(sarifPath && input.sarif?.inSummary !== false ? [`SARIF \`${sarifPath}\``] : []),
    ...Object.entries(input.reports ?? {}).map(([k, v]) => `${k} \`${v}\``),
  ];
  const md = renderSummary({
    title: input.title,
    gate: input.gate,
    details: input.details,
    findingsTables: input.findingsTables,
    links: { repoUrl: event.repoUrl, sha: event.pr?.headSha || event.sha },
    reports: reportNames,
  });
  try {
    await writeSummary(scrub(md));
  } catch (e) {
    core.warning(`Job summary not written: ${(e as Error).message}`);
  }
  // For a verdict that merges this run with others (a matrix of shards), when the workflow asks for it.
  recordRun({ action: input.action, title: input.title, gate: input.gate, details: input.details, sarifPath });

  if (input.comment && event.pr && !event.pr.number) {
    core.warning('PR comment skipped: the event payload carries no pull request number.');
    result.comment = { action: 'skipped', reason: 'no PR number' };
  } else if (input.comment && event.pr) {
    if (!event.canWrite) {
      core.notice('PR comment skipped: this is a fork PR, so the token is read-only. The job summary has the same report.');
      result.comment = { action: 'skipped', reason: 'fork PR' };
    } else if (!input.comment.token) {
      core.notice('PR comment skipped: no token was given.');
      result.comment = { action: 'skipped', reason: 'no token' };
    } else {
      const body = md + (event.runUrl ? `\n[Workflow run](${event.runUrl})\n` : '');
      try {
        result.comment = await upsertComment(
          { octokit: await octokit(input.comment.token, event.apiUrl), owner: event.owner, repo: event.repo, issueNumber: event.pr.number },
          commentMarker(input.action, input.comment.category),
          body,
          event.runUrl,
        );
      } catch (e) {
        // upsertComment already turns API answers into warnings; this catches what happens before a request.
        const reason = apiErrorLine(e);
        core.warning(`PR comment not posted: ${reason}. The verdict is unchanged; the job summary has the same report.`);
        result.comment = { action: 'skipped', reason };
      }
    }
  }
  return result;
}

/**
 * Fails the step for a policy failure or tool error; call after publish() so outputs and reports exist.
 * The only place an action fails for what it found: an action never calls setFailed itself, so the
 * step's status and its `outcome` output cannot disagree.
 */
export function failUnlessClean(action: string, gate: GateResult, failOn: string): void {
  if (gate.outcome === 'tool-error') {
    // What did run still counts: findings at or above the threshold are named too, never hidden behind the tool error.
    const n = gate.failing.length;
    const also = n ? `; and ${n} finding${n === 1 ? '' : 's'} at or above "${failOn}" (see the annotations and the job summary)` : '';
    core.setFailed(scrub(`${action}: ${gate.toolErrors.join('; ')}${also}`));
  } else if (gate.outcome === 'policy-failure') {
    const n = gate.failing.length;
    const found = n ? `${n} finding${n === 1 ? '' : 's'} at or above "${failOn}"` : '';
    core.setFailed(scrub(`${action}: ${[...gate.policyErrors, found].filter(Boolean).join('; ')} (see the annotations and the job summary)`));
  }
}

/** A path in RUNNER_TEMP (or the OS temp dir) for report files. */
export const reportPath = (name: string): string => join(process.env.RUNNER_TEMP || process.env.TMPDIR || '/tmp', name);
