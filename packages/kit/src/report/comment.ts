// One sticky PR comment per action and category, found by a hidden marker and updated in place, so a PR
// never collects a comment per push. Skipped with a notice when the token cannot write (fork PRs).
// The comment is an optional extra: no answer from the API (refused, 5xx, hung, bad token) ever changes
// a run's verdict; it becomes one warning line and the job summary carries the same report.
import * as core from '../core.js';
import { apiErrorLine, isPermissionError, type Octokit } from '../github/client.js';
import { scrub } from '../secrets.js';

export const COMMENT_MAX_CHARS = 65_536;

export const commentMarker = (action: string, category = 'default'): string => `<!-- platform-actions:${action}:${category} -->`;

/** Pure: the comment body with its marker, cut to GitHub's limit with a pointer to the full report. */
export function commentBody(marker: string, markdown: string, fullReportUrl?: string): string {
  const suffix = `\n\n…(cut to fit GitHub's comment limit${fullReportUrl ? `; full report: ${fullReportUrl}` : ''})`;
  let body = `${marker}\n${scrub(markdown)}`;
  if (body.length > COMMENT_MAX_CHARS) body = body.slice(0, COMMENT_MAX_CHARS - suffix.length) + suffix;
  return body;
}

export interface StickyCommentTarget {
  octokit: Octokit;
  owner: string;
  repo: string;
  issueNumber: number;
}

export type CommentResult = { action: 'created' | 'updated'; id: number; url: string } | { action: 'skipped'; reason: string };

/** Creates or updates the comment that carries `marker`. Never throws: failures are a notice or a warning. */
export async function upsertComment(target: StickyCommentTarget, marker: string, markdown: string, fullReportUrl?: string): Promise<CommentResult> {
  const { octokit, owner, repo, issueNumber } = target;
  const body = commentBody(marker, markdown, fullReportUrl);
  try {
    // Paginate: a busy PR has more than one page of comments, and the sticky one may be on any of them.
    const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: issueNumber, per_page: 100 });
    const mine = comments.find((c) => typeof c.body === 'string' && c.body.includes(marker));
    if (mine) {
      const r = await octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
      return { action: 'updated', id: r.data.id, url: r.data.html_url };
    }
    const r = await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body });
    return { action: 'created', id: r.data.id, url: r.data.html_url };
  } catch (err) {
    if (isPermissionError(err)) {
      const reason = 'the token cannot write comments here (a fork PR, or the workflow lacks `pull-requests: write`)';
      core.notice(`PR comment skipped: ${reason}. The job summary has the same report.`);
      return { action: 'skipped', reason };
    }
    const reason = apiErrorLine(err);
    core.warning(`PR comment not posted: ${reason}. The verdict is unchanged; the job summary has the same report.`);
    return { action: 'skipped', reason };
  }
}
