// What a laptop has instead of GitHub: the repository's git facts, tools on PATH, and the documented local value of each context an expression may read.
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { type Contexts, Unevaluable, type Value } from '@platform-actions/expressions';

/** A git command's trimmed output in `cwd`, or undefined when it fails. */
export const git = (cwd: string, args: string[]): string | undefined => {
  try {
    return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
};

export interface GitFacts {
  sha: string;
  /** Current branch, or undefined on a detached HEAD. */
  branch?: string;
  /** owner/name from the origin remote, else local/<folder>. */
  repository: string;
  actor: string;
  /** The folder is the root of a git repository. A folder inside a larger repository is not: nothing of that repository is used. */
  isRepo: boolean;
}

const real = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};

/** The root of the git repository holding `dir`, if any. */
export function gitRoot(dir: string): string | undefined {
  return git(dir, ['rev-parse', '--show-toplevel']) || undefined;
}

/**
 * Environment that keeps git inside `repo`: a folder inside a larger repository is checked as a plain
 * folder, so no stage reads the enclosing repository's history.
 */
export function gitCeiling(repo: string): Record<string, string> {
  const top = gitRoot(repo);
  return top && real(top) !== real(repo) ? { GIT_CEILING_DIRECTORIES: dirname(real(repo)) } : {};
}

export function gitFacts(repo: string): GitFacts {
  const top = gitRoot(repo);
  const actor = git(repo, ['config', 'user.name']) || process.env.USER || 'local';
  if (!top || real(top) !== real(repo)) return { sha: '0'.repeat(40), repository: `local/${basename(repo)}`, actor, isRepo: false };
  const sha = git(repo, ['rev-parse', 'HEAD']);
  const branch = git(repo, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  return { sha: sha ?? '0'.repeat(40), branch: branch || undefined, repository: remoteRepository(repo, 'origin') ?? `local/${basename(repo)}`, actor, isRepo: true };
}

/** owner/name of a remote's URL (https, ssh, scp-like, file paths ending in owner/name[.git]). */
function remoteRepository(repo: string, remote: string): string | undefined {
  const url = git(repo, ['remote', 'get-url', remote]);
  const m = url ? /[:/]([^/:]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url) : null;
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/** The commits not yet pushed: `@{upstream}..HEAD` as a push event (before = upstream tip, after = HEAD). */
export function unpushedRange(repo: string): { before: string; after: string; upstream: string; count: number } {
  const upstream = git(repo, ['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}']);
  if (!upstream) throw new Error('--changed needs a branch with an upstream (git push -u origin <branch> once, or git branch --set-upstream-to)');
  const before = git(repo, ['rev-parse', '@{upstream}'])!;
  const after = git(repo, ['rev-parse', 'HEAD'])!;
  // What HEAD adds to the upstream: before is the merge base, so a rebased branch still scans only its own commits.
  const base = git(repo, ['merge-base', before, after]) ?? before;
  const count = Number(git(repo, ['rev-list', '--count', `${base}..${after}`]) ?? '0');
  return { before: base, after, upstream, count };
}

/** Absolute path of `bin` on PATH, or undefined (the services package's lookup, one for the whole CLI). */
export { onPath } from '@platform-actions/services';

export interface LocalContextOptions {
  repo: string;
  git: GitFacts;
  eventName: string;
  payload: Record<string, unknown>;
  runnerTemp: string;
  toolCache: string;
  workflow: string;
  job: string;
  inputs: Record<string, Value>;
  /** Raw env (workflow, job, step), evaluated on use. */
  env: Record<string, unknown>;
  /** Outputs and outcomes of earlier stages of the same job, by step id. */
  steps: Record<string, { outputs: Record<string, string>; outcome: string }>;
  evaluate: (raw: unknown, ctx: Contexts) => Value;
}

/** Marker for a reusable workflow input whose caller value only GitHub can evaluate. */
export interface UnknownInput {
  unevaluable: string;
}
export const isUnknown = (v: unknown): v is UnknownInput => !!v && typeof v === 'object' && !Array.isArray(v) && 'unevaluable' in v;

const unknown =
  (ctx: string) =>
  (path: string[]): Value => {
    throw new Unevaluable([ctx, ...path].join('.'));
  };

/** The contexts, with the local values documented in the README (github.token is empty: no token locally). */
export function localContexts(o: LocalContextOptions): Contexts {
  const ref = o.git.branch ? `refs/heads/${o.git.branch}` : '';
  const github: Record<string, Value> = {
    workspace: o.repo,
    token: '',
    event_name: o.eventName,
    event: o.payload as Value,
    sha: o.git.sha,
    ref,
    ref_name: o.git.branch ?? '',
    ref_type: 'branch',
    head_ref: '',
    base_ref: '',
    repository: o.git.repository,
    repository_owner: o.git.repository.split('/')[0],
    actor: o.git.actor,
    triggering_actor: o.git.actor,
    server_url: 'https://github.com',
    api_url: 'https://api.github.com',
    graphql_url: 'https://api.github.com/graphql',
    run_id: '0',
    run_number: '1',
    run_attempt: '1',
    workflow: o.workflow,
    job: o.job,
    action_path: '',
    retention_days: '0',
  };
  let evaluatingEnv = false;
  const ctx: Contexts = {
    github,
    runner: { temp: o.runnerTemp, tool_cache: o.toolCache, os: 'Linux', arch: process.arch === 'arm64' ? 'ARM64' : 'X64', name: 'local', environment: 'self-hosted', debug: '' },
    inputs: (path) => {
      if (path.length === 0) return Object.fromEntries(Object.entries(o.inputs).filter(([, v]) => !isUnknown(v)));
      const key = Object.keys(o.inputs).find((k) => k.toLowerCase() === path[0].toLowerCase());
      const v = key === undefined ? null : o.inputs[key];
      if (isUnknown(v)) throw new Unevaluable(v.unevaluable);
      return path.length > 1 ? null : v;
    },
    env: (path) => {
      if (path.length === 0 || evaluatingEnv) throw new Unevaluable(['env', ...path].join('.'));
      // A name no env: block sets may still come from a run: step writing GITHUB_ENV, which only GitHub runs.
      const key = Object.keys(o.env).find((k) => k === path[0]);
      if (key === undefined) throw new Unevaluable(['env', ...path].join('.'));
      evaluatingEnv = true;
      try {
        return o.evaluate(o.env[key], ctx);
      } finally {
        evaluatingEnv = false;
      }
    },
    steps: (path) => {
      const s = path[0] !== undefined ? o.steps[path[0]] : undefined;
      if (!s) throw new Unevaluable(['steps', ...path].join('.'));
      if (path[1] === 'outputs') return path[2] === undefined ? s.outputs : (s.outputs[path[2]] ?? '');
      if (path[1] === 'outcome' || path[1] === 'conclusion') return s.outcome;
      return null;
    },
    // secrets.GITHUB_TOKEN is github.token, which has no local value; every other secret needs --input.
    secrets: (path) => {
      if (path.length === 1 && path[0].toUpperCase() === 'GITHUB_TOKEN') return '';
      return unknown('secrets')(path);
    },
    job: { status: 'success' },
    vars: unknown('vars'),
    matrix: unknown('matrix'),
    strategy: unknown('strategy'),
    needs: unknown('needs'),
    jobs: unknown('jobs'),
  };
  return ctx;
}
