// Running the action's main() in-process the way the runner would: INPUT_* variables, the runner's files
// in a temp folder, stdout captured and parsed as workflow commands.
import { run } from '@platform-actions/kit';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFileCommands, parseWorkflowCommands, type ParsedLog } from '../../../test/runner/workflow-commands.js';
import { main } from '../src/main.js';
import { ACTION } from '../src/action.js';

export interface MainRun {
  stdout: string;
  log: ParsedLog;
  outputs: Record<string, string>;
  summary: string;
  failed: boolean;
  /** The one failure line, if the step failed. */
  failure?: string;
  /** RUNNER_TEMP of the run. */
  dir: string;
}

const inputKey = (name: string): string => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

export async function runMain(workspace: string, inputs: Record<string, string>, env: Record<string, string> = {}): Promise<MainRun> {
  const saved = { ...process.env };
  const dir = mkdtempSync(join(tmpdir(), 'test-report-run-'));
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_') || k.startsWith('STATE_') || k.startsWith('GITHUB_')) delete process.env[k];
  for (const f of ['output', 'summary', 'state', 'env']) writeFileSync(join(dir, f), '');
  Object.assign(process.env, {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_SHA: 'f'.repeat(40),
    RUNNER_TEMP: dir,
    ...env,
  });
  for (const [k, v] of Object.entries({ comment: 'false', ...inputs })) process.env[inputKey(k)] = v;
  const orig = process.stdout.write.bind(process.stdout);
  let stdout = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  const prevExit = process.exitCode;
  process.exitCode = 0;
  let failed: boolean;
  try {
    await run(ACTION, main, { outputs: true });
  } finally {
    process.stdout.write = orig;
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
    failure: log.annotations.filter((a) => a.level === 'error' && a.message.startsWith(`${ACTION}:`)).pop()?.message,
    dir,
  };
}
