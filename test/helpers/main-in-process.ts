// One action's main() in-process, started the way the runner starts the bundle, minus the bundle: inputs as
// INPUT_* variables, the runner's files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_STATE, GITHUB_ENV) in a
// fresh RUNNER_TEMP, stdout captured and parsed as workflow commands, main() under the kit's run() (the
// outcome contract: one failure line, outcome and counts on every path). The environment and the exit code
// are put back afterwards, so tests can run main() many times in one file. Seconds, no bundle, no child
// process: the tier of a test using it is decided by what else it uses (a real tool makes it integration).
import { run } from '@platform-actions/kit';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureStdout } from '../../packages/kit/test/env.js';
import { parseFileCommands, parseWorkflowCommands, type ParsedLog } from '../runner/workflow-commands.js';

export interface MainRunOptions {
  /** GITHUB_WORKSPACE: the checked-out repository. */
  workspace: string;
  /** Action inputs by their action.yml names; a function gets RUNNER_TEMP, for output files kept there. */
  inputs?: Record<string, string> | ((runnerTemp: string) => Record<string, string>);
  /** More environment, set after the defaults (a repository name, an event, PATH, a tool cache). */
  env?: Record<string, string>;
  /** Prefixes of inherited variables to remove first; INPUT_ and STATE_ always are. */
  clear?: string[];
}

export interface MainRun {
  /** Everything main() wrote to stdout (workflow commands included). */
  stdout: string;
  log: ParsedLog;
  outputs: Record<string, string>;
  summary: string;
  /** The step failed (exit code 1). */
  failed: boolean;
  /** The one failure line ("<action>: …"), if the step failed. */
  failure?: string;
  /** RUNNER_TEMP of the run, which also holds the runner's files. */
  dir: string;
}

const inputKey = (name: string): string => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

/** Runs `main` of the action named `action` once, as described above. */
export async function runMain(action: string, main: () => Promise<void>, o: MainRunOptions): Promise<MainRun> {
  const saved = { ...process.env };
  const dir = mkdtempSync(join(tmpdir(), `${action}-main-`));
  const clear = ['INPUT_', 'STATE_', ...(o.clear ?? [])];
  for (const k of Object.keys(process.env)) if (clear.some((p) => k.startsWith(p))) delete process.env[k];
  for (const f of ['output', 'summary', 'state', 'env']) writeFileSync(join(dir, f), '');
  Object.assign(process.env, {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_WORKSPACE: o.workspace,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_EVENT_NAME: 'push',
    RUNNER_TEMP: dir,
    ...o.env,
  });
  const inputs = typeof o.inputs === 'function' ? o.inputs(dir) : (o.inputs ?? {});
  for (const [k, v] of Object.entries(inputs)) process.env[inputKey(k)] = v;
  const prevExit = process.exitCode;
  process.exitCode = 0;
  let stdout: string;
  let failed: boolean;
  try {
    stdout = await captureStdout(() => run(action, main, { outputs: true }));
  } finally {
    failed = process.exitCode === 1;
    process.exitCode = prevExit;
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
  const log = parseWorkflowCommands(stdout);
  return {
    stdout,
    log,
    outputs: parseFileCommands(readFileSync(join(dir, 'output'), 'utf8')),
    summary: readFileSync(join(dir, 'summary'), 'utf8'),
    failed,
    failure: log.annotations.filter((a) => a.level === 'error' && a.message.startsWith(`${action}:`)).pop()?.message,
    dir,
  };
}
