// Running the action's main() in-process the way the runner would (INPUT_* variables, runner files in a
// temp folder, stdout captured), with the harness's real trivy in a tool cache laid out as
// @actions/tool-cache leaves it, and its offline database where the action keeps it.
import { run } from '@platform-actions/kit';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseFileCommands, parseWorkflowCommands, type ParsedLog } from '../../../test/runner/workflow-commands.js';
import { pinnedVersion, toolBin } from '../../../test/harness/tools.js';
import { installTrivyDb } from '../../../test/harness/trivy-db.js';
import { DEFAULT_VERSION } from '../src/install.js';
import { main } from '../src/main.js';
import { ACTION } from '../src/action.js';

/** A tool cache holding the harness trivy where the installer looks for the pinned release. */
export function trivyToolCache(root: string): string {
  if (pinnedVersion('trivy').replace(/^v/, '') !== DEFAULT_VERSION) throw new Error('test: the harness trivy is not the action default version');
  const dir = join(root, 'trivy', DEFAULT_VERSION, process.arch);
  if (!existsSync(join(dir, 'trivy'))) {
    mkdirSync(dir, { recursive: true });
    // A hard link where the file system allows it: the binary is 160 MB and tests make many tool caches.
    try {
      linkSync(toolBin('trivy'), join(dir, 'trivy'));
    } catch {
      copyFileSync(toolBin('trivy'), join(dir, 'trivy'));
    }
    writeFileSync(`${dir}.complete`, '');
  }
  return root;
}

/** A cache dir with the harness DB installed (what a warm runner has). */
export async function warmCacheDir(dir: string): Promise<string> {
  await installTrivyDb(dir);
  return dir;
}

export interface MainRun {
  stdout: string;
  log: ParsedLog;
  outputs: Record<string, string>;
  summary: string;
  failed: boolean;
  /** The one failure line, if the step failed. */
  failure?: string;
  sarif?: { runs: Array<Record<string, any>> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  dir: string;
}

const inputKey = (name: string): string => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

/** Runs main() once with these inputs in `workspace`; restores the environment afterwards. */
export async function runMain(workspace: string, inputs: Record<string, string>, opts: { toolCache: string; env?: Record<string, string> }): Promise<MainRun> {
  const saved = { ...process.env };
  const dir = mkdtempSync(join(tmpdir(), 'trivy-scan-run-'));
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_') || k.startsWith('STATE_') || k.startsWith('TRIVY_') || k.startsWith('ACTIONS_')) delete process.env[k];
  for (const f of ['output', 'summary', 'state', 'env']) writeFileSync(join(dir, f), '');
  Object.assign(process.env, {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'acme/example',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_EVENT_NAME: 'push',
    RUNNER_TEMP: dir,
    RUNNER_TOOL_CACHE: opts.toolCache,
    ...opts.env,
  });
  const all = { comment: 'false', 'sarif-file': join(dir, 'trivy.sarif'), 'report-dir': join(dir, 'reports'), ...inputs };
  for (const [k, v] of Object.entries(all)) process.env[inputKey(k)] = v;
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
  const failure = log.annotations.filter((a) => a.level === 'error' && a.message.startsWith(`${ACTION}:`)).pop()?.message;
  const sarifPath = all['sarif-file'];
  return {
    stdout,
    log,
    outputs: parseFileCommands(readFileSync(join(dir, 'output'), 'utf8')),
    summary: readFileSync(join(dir, 'summary'), 'utf8'),
    failed,
    failure,
    sarif: existsSync(sarifPath) ? JSON.parse(readFileSync(sarifPath, 'utf8')) : undefined,
    dir,
  };
}

/** Writes files (creating folders) under `root`. */
export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), body);
  }
}
