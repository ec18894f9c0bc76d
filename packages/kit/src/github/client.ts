// An Octokit for the current repository's API (GitHub.com, GHES, or the test fake via GITHUB_API_URL).
import * as github from '@actions/github';

export type Octokit = ReturnType<typeof github.getOctokit>;

export function octokit(token: string, apiUrl: string = process.env.GITHUB_API_URL || 'https://api.github.com'): Octokit {
  return github.getOctokit(token, { baseUrl: apiUrl.replace(/\/$/, ''), request: { timeout: 30_000 } });
}

/** True for the 403/404 answers GitHub gives a token that may not write here (fork PRs, missing permissions). */
export function isPermissionError(err: unknown): boolean {
  const status = (err as { status?: number })?.status;
  const msg = String((err as { message?: string })?.message ?? '');
  return status === 403 || (status === 404 && /not found/i.test(msg)) || /Resource not accessible by integration/i.test(msg);
}
