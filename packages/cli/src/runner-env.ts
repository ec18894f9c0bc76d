// What GitHub's runner gives every step: the environment (workspace, event, repository and run facts,
// the runner's files and folders) and the step's own empty runner files. Shared by the local runner
// (a bundle of ours, runner.ts) and check --run-steps (a run: step, steps.ts).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const gitSha = (dir: string): string => {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return '0'.repeat(40);
  }
};

/** The runner's files of one step: GITHUB_OUTPUT, _STATE, _STEP_SUMMARY, _ENV and _PATH. */
export type StepFiles = Record<'output' | 'state' | 'summary' | 'env' | 'path', string>;

/** New empty runner files for one step, in `dir`. */
export function stepFiles(dir: string, prefix = ''): StepFiles {
  const files = Object.fromEntries(['output', 'state', 'summary', 'env', 'path'].map((f) => [f, join(dir, `${prefix}${f}.txt`)])) as StepFiles;
  for (const f of Object.values(files)) writeFileSync(f, '');
  return files;
}

/**
 * The environment GitHub's runner gives a step (a bundle of ours, or a run: step of --run-steps): the
 * workspace, event, repository and run facts, the runner's files and folders; `env` (the step's own) over it.
 */
export function runnerEnv(o: {
  workspace: string;
  eventName: string;
  eventPath: string;
  repository?: string;
  ref?: string;
  sha?: string;
  runnerTemp: string;
  toolCache: string;
  files: StepFiles;
  /** GITHUB_ACTION: the action's name, or the step id of a run: step. */
  action: string;
  job?: string;
  actor?: string;
  runId?: string;
  env?: Record<string, string>;
}): NodeJS.ProcessEnv {
  const repository = o.repository ?? 'acme/example';
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: o.eventName,
    GITHUB_EVENT_PATH: o.eventPath,
    GITHUB_WORKSPACE: o.workspace,
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: repository.split('/')[0],
    GITHUB_SHA: o.sha ?? gitSha(o.workspace),
    GITHUB_REF: o.ref ?? 'refs/heads/main',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_RUN_ID: o.runId ?? '1000',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: o.actor ?? 'octocat',
    GITHUB_ACTION: o.action,
    ...(o.job ? { GITHUB_JOB: o.job } : {}),
    GITHUB_OUTPUT: o.files.output,
    GITHUB_STATE: o.files.state,
    GITHUB_STEP_SUMMARY: o.files.summary,
    GITHUB_ENV: o.files.env,
    GITHUB_PATH: o.files.path,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_TEMP: o.runnerTemp,
    RUNNER_TOOL_CACHE: o.toolCache,
    ...(process.env.PA_CACHE ? { PA_CACHE: process.env.PA_CACHE } : {}),
    ...o.env,
  };
}
