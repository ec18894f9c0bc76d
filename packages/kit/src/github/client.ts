// An Octokit for the current repository's API (GitHub.com, GHES, or the test fake via GITHUB_API_URL).
// Loaded on first use: Octokit is most of a bundle's weight, and most runs never call the API, so
// importing it eagerly would slow every action's cold start.
import type * as GitHub from '@actions/github';

export type Octokit = ReturnType<typeof GitHub.getOctokit>;

export async function octokit(token: string, apiUrl: string = process.env.GITHUB_API_URL || 'https://api.github.com'): Promise<Octokit> {
  const github = await import('@actions/github');
  return github.getOctokit(token, { baseUrl: apiUrl.replace(/\/$/, ''), request: { timeout: 30_000 } });
}

/** True for the 403/404 answers GitHub gives a token that may not write here (fork PRs, missing permissions). */
export function isPermissionError(err: unknown): boolean {
  const status = (err as { status?: number })?.status;
  const msg = String((err as { message?: string })?.message ?? '');
  return status === 403 || (status === 404 && /not found/i.test(msg)) || /Resource not accessible by integration/i.test(msg);
}
