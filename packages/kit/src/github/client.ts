// An Octokit for the current repository's API (GitHub.com, GHES, or the test fake via GITHUB_API_URL).
// Loaded on first use: Octokit is most of a bundle's weight, and most runs never call the API, so
// importing it eagerly would slow every action's cold start.
import type * as GitHub from '@actions/github';

export type Octokit = ReturnType<typeof GitHub.getOctokit>;

/**
 * Total time one Octokit may spend on all its requests. An abort signal is the only bound Octokit's
 * fetch honours (a `request.timeout` option is silently ignored, so an API that accepts a connection and
 * never answers held steps for minutes). PLATFORM_ACTIONS_API_TIMEOUT (e.g. 5s) overrides it for tests
 * and for slow GHES instances.
 */
const DEFAULT_API_BUDGET_MS = 30_000;

function apiBudgetMs(env: NodeJS.ProcessEnv = process.env): number {
  const m = /^(\d+)(ms|s)?$/.exec((env.PLATFORM_ACTIONS_API_TIMEOUT ?? '').trim());
  if (!m) return DEFAULT_API_BUDGET_MS;
  return Number(m[1]) * (m[2] === 'ms' ? 1 : 1000);
}

export async function octokit(token: string, apiUrl: string = process.env.GITHUB_API_URL || 'https://api.github.com', budgetMs = apiBudgetMs()): Promise<Octokit> {
  const github = await import('@actions/github');
  return github.getOctokit(token, { baseUrl: apiUrl.replace(/\/$/, ''), request: { signal: AbortSignal.timeout(budgetMs) } });
}

/** True for the 403/404 answers GitHub gives a token that may not write here (fork PRs, missing permissions). */
export function isPermissionError(err: unknown): boolean {
  const status = (err as { status?: number })?.status;
  const msg = String((err as { message?: string })?.message ?? '');
  return status === 403 || (status === 404 && /not found/i.test(msg)) || /Resource not accessible by integration/i.test(msg);
}

/** What Octokit and fetch put on an error. */
interface ApiError {
  status?: number;
  message?: string;
  name?: string;
  response?: unknown;
  cause?: { code?: string; message?: string; name?: string; cause?: { code?: string } };
}

/** One line describing why an API call failed, without the request (which may carry the token). */
export function apiErrorLine(err: unknown): string {
  const e = (err ?? {}) as ApiError;
  if (timedOut(e)) return 'the GitHub API did not answer in time';
  // Octokit reports a request that never got an answer as status 500 without a response.
  if (!e.response && (e.status === 500 || e.status === undefined)) {
    const code = e.cause?.cause?.code ?? e.cause?.code ?? e.cause?.message ?? e.message;
    return `the GitHub API could not be reached${code ? ` (${firstLine(code)})` : ''}`;
  }
  if (e.status === 401) return 'the token was rejected (401: bad or expired credentials)';
  return `the GitHub API answered ${e.status}${e.message ? `: ${firstLine(e.message)}` : ''}`;
}

const firstLine = (s: unknown): string => String(s).split('\n')[0].slice(0, 200);

function timedOut(e: ApiError): boolean {
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return true;
  return /aborted|timeout|timed out/i.test(`${e.message} ${e.cause?.name ?? ''} ${e.cause?.message ?? ''}`);
}
