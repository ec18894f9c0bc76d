// What the triggering event says, read from the runner's environment and event payload. Pure functions
// over plain data, so every event shape can be tested with a table.
import * as core from '../core.js';
import { existsSync, readFileSync } from 'node:fs';

export const ZERO_SHA = '0000000000000000000000000000000000000000';
export const isZeroSha = (sha: string | undefined): boolean => !sha || /^0+$/.test(sha);

interface PullRequestInfo {
  number: number;
  baseSha: string;
  headSha: string;
  baseRef: string;
  headRef: string;
  /** Head repository differs from the base one: the token is read-only and there are no secrets. */
  isFork: boolean;
  headRepo?: string;
}

interface PushInfo {
  before: string;
  after: string;
  /** A new branch or tag: `before` is the zero SHA. */
  created: boolean;
  deleted: boolean;
  /** GitHub says the push rewrote history. */
  forced: boolean;
  commitCount: number;
}

interface MergeGroupInfo {
  baseSha: string;
  headSha: string;
  baseRef: string;
  headRef: string;
}

type EventKind = 'pull_request' | 'pull_request_target' | 'push' | 'merge_group' | 'schedule' | 'workflow_dispatch' | 'other';

export interface EventContext {
  name: string;
  kind: EventKind;
  owner: string;
  repo: string;
  sha: string;
  ref: string;
  defaultBranch?: string;
  pr?: PullRequestInfo;
  push?: PushInfo;
  mergeGroup?: MergeGroupInfo;
  serverUrl: string;
  apiUrl: string;
  repoUrl: string;
  runUrl?: string;
  /** Where we may write with GITHUB_TOKEN (comments, SARIF, check runs). False on fork PRs. */
  canWrite: boolean;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * A commit id from the payload, or '' when it is not one. Payload fields end up as arguments to git, so
 * anything but 40 (SHA-1) or 64 (SHA-256) hex digits is dropped here, once, for every action: a "SHA"
 * of `--upload-pack=…` must never reach a command line.
 */
export function commitId(value: unknown): string {
  return typeof value === 'string' && /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i.test(value) ? value.toLowerCase() : '';
}

/** A positive whole number from the payload, or 0. */
const positiveInt = (value: unknown): number => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : 0;
};

const KINDS: EventKind[] = ['pull_request', 'pull_request_target', 'push', 'merge_group', 'schedule', 'workflow_dispatch'];

/** Builds the context from an environment map and a payload (both plain data). */
export function eventFromData(env: Record<string, string | undefined>, payload: Json): EventContext {
  const name = env.GITHUB_EVENT_NAME ?? 'other';
  const kind = (KINDS as string[]).includes(name) ? (name as EventKind) : 'other';
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? payload.repository?.full_name ?? '/').split('/');
  const serverUrl = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/$/, '');
  const apiUrl = (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/$/, '');
  const repoUrl = `${serverUrl}/${owner}/${repo}`;
  const ctx: EventContext = {
    name,
    kind,
    owner,
    repo,
    sha: commitId(env.GITHUB_SHA),
    ref: env.GITHUB_REF ?? '',
    defaultBranch: payload.repository?.default_branch,
    serverUrl,
    apiUrl,
    repoUrl,
    runUrl: env.GITHUB_RUN_ID ? `${repoUrl}/actions/runs/${env.GITHUB_RUN_ID}${env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''}` : undefined,
    canWrite: true,
  };
  if ((kind === 'pull_request' || kind === 'pull_request_target') && payload.pull_request) {
    ctx.pr = pullRequestInfo(payload, `${owner}/${repo}`);
    // pull_request_target runs in the base repository's context with a write token.
    ctx.canWrite = kind === 'pull_request_target' || !ctx.pr.isFork;
    // Dependabot PRs get a read-only token too.
    if (kind === 'pull_request' && env.GITHUB_ACTOR === 'dependabot[bot]') ctx.canWrite = false;
  }
  if (kind === 'push') ctx.push = pushInfo(payload, env);
  if (kind === 'merge_group' && payload.merge_group) ctx.mergeGroup = mergeGroupInfo(payload.merge_group);
  return ctx;
}

function pullRequestInfo(payload: Json, thisRepo: string): PullRequestInfo {
  const pr = payload.pull_request;
  const headRepo: string | undefined = pr.head?.repo?.full_name;
  const baseRepo: string | undefined = pr.base?.repo?.full_name ?? thisRepo;
  return {
    number: positiveInt(pr.number ?? payload.number),
    baseSha: commitId(pr.base?.sha),
    headSha: commitId(pr.head?.sha),
    baseRef: pr.base?.ref ?? '',
    headRef: pr.head?.ref ?? '',
    isFork: Boolean(pr.head?.repo?.fork) || (headRepo !== undefined && headRepo !== baseRepo),
    headRepo,
  };
}

function pushInfo(payload: Json, env: Record<string, string | undefined>): PushInfo {
  return {
    before: commitId(payload.before),
    after: commitId(payload.after) || commitId(env.GITHUB_SHA),
    created: Boolean(payload.created) || isZeroSha(commitId(payload.before)),
    deleted: Boolean(payload.deleted),
    forced: Boolean(payload.forced),
    commitCount: Array.isArray(payload.commits) ? payload.commits.length : 0,
  };
}

function mergeGroupInfo(mg: Json): MergeGroupInfo {
  return { baseSha: commitId(mg.base_sha), headSha: commitId(mg.head_sha), baseRef: mg.base_ref ?? '', headRef: mg.head_ref ?? '' };
}

/** Reads the event of the current run from GITHUB_EVENT_PATH. */
export function currentEvent(env: Record<string, string | undefined> = process.env): EventContext {
  const p = env.GITHUB_EVENT_PATH;
  let payload: Json = {};
  if (p && existsSync(p)) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(p, 'utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) payload = parsed as Json;
    } catch {
      // The runner writes this file; a broken one is not the user's fault and must not stop a scan.
      core.warning(`The event payload at GITHUB_EVENT_PATH is not valid JSON; going on as if the event carried no details.`);
    }
  }
  return eventFromData(env, payload);
}
