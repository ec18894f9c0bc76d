// A local stand-in for GitHub's runner, for the `platform-actions` CLI, the end-to-end tests and the demo:
// reads action.yml, applies input defaults, sets INPUT_* and the runner's files and variables for a local
// repository and a chosen event, runs the bundle, then the post step. The bundle runs under `node` when
// given (the tests give the harness's Node 24, what `runs.using: node24` gets on GitHub), else under the
// Node that runs this code.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { killProcessGroup, killTracked, newTrackingId, readYaml, trackedEnv } from '@platform-actions/kit';
import { actionsDir, assetRoot } from './assets.js';
import { type ParsedAnnotation, parseFileCommands, parseWorkflowCommands } from './workflow-commands.js';
import { runnerEnv, stepFiles } from './runner-env.js';

export { runnerEnv, type StepFiles, stepFiles } from './runner-env.js';

export interface ActionYaml {
  name: string;
  inputs?: Record<string, { description?: string; required?: boolean; default?: string | number | boolean }>;
  outputs?: Record<string, { description?: string }>;
  runs: { using: string; main: string; post?: string; 'post-if'?: string };
}

export interface RunBundledActionOptions {
  /** Action folder, or a name under actions/ (then test/actions/). */
  action: string;
  inputs?: Record<string, string>;
  /** Event name and payload (written to GITHUB_EVENT_PATH). */
  event?: { name: string; payload?: Record<string, unknown> };
  /** The checked-out repository (GITHUB_WORKSPACE); a temp folder when omitted. */
  workspace?: string;
  /** Extra environment (e.g. GITHUB_API_URL of the fake API, GITHUB_TOKEN). */
  env?: Record<string, string>;
  /** Node binary; defaults to the Node running this code. */
  node?: string;
  timeoutMs?: number;
  /** RUNNER_TEMP, shared by the steps of one job; a new temp folder when omitted. */
  runnerTemp?: string;
  /** Tool cache (RUNNER_TOOL_CACHE); a temp folder when omitted (or RUNNER_TOOL_CACHE_FOR_TESTS). */
  toolCache?: string;
  /** GITHUB_REPOSITORY / GITHUB_REF / GITHUB_SHA; defaults acme/example, refs/heads/main, the workspace's HEAD. */
  repository?: string;
  ref?: string;
  sha?: string;
  /** Called with each line the main step prints, as it prints it (for a live progress line). */
  onLine?: (line: string) => void;
}

export interface StepResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  log: string;
  annotations: ParsedAnnotation[];
  durationMs: number;
  /** The step ran past its timeout and was stopped. */
  timedOut: boolean;
}

export interface RunBundledActionResult {
  main: StepResult;
  post?: StepResult;
  outputs: Record<string, string>;
  summary: string;
  state: Record<string, string>;
  /** Everything the job would show (unmasked), for secret-leak assertions. */
  everything: string;
  /** `temp` holds the runner's own files (event, outputs, state); callers may delete it once done. */
  dirs: { runnerTemp: string; toolCache: string; workspace: string; temp: string };
}

/** An action's folder: a path, or a name under actions/ (in a checkout also test/actions/, the test-only actions). */
export function resolveActionDir(action: string): string {
  if (isAbsolute(action) || action.startsWith('.')) return resolve(action);
  for (const base of [actionsDir, join(assetRoot, 'test', 'actions')]) {
    const d = join(base, action);
    if (existsSync(join(d, 'action.yml'))) return d;
  }
  throw new Error(`runner: no action "${action}" in actions/ or test/actions/`);
}

// The CLI reads each action.yml several times per run (planning, then running); parse it once.
const actionYamls = new Map<string, { mtimeMs: number; doc: ActionYaml }>();

export function readActionYaml(dir: string): ActionYaml {
  const file = join(dir, 'action.yml');
  const mtimeMs = statSync(file).mtimeMs;
  const hit = actionYamls.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.doc;
  const doc = readYaml(readFileSync(file, 'utf8'), { file }) as ActionYaml;
  actionYamls.set(file, { mtimeMs, doc });
  if (doc?.runs?.using !== 'node24') throw new Error(`runner: ${dir}/action.yml must use runs.using: node24 (found ${doc?.runs?.using})`);
  return doc;
}

/**
 * Runs one step as GitHub's runner does, and makes sure nothing it started outlives it: the step runs in
 * its own process group with a tracking id in its environment (inherited by every tool and by anything a
 * tool moved to another session), and when it ends — or times out — the group and every process that
 * carries the id are killed. On a timeout the step first gets SIGTERM (the kit forwards it to the tool, so
 * terraform can release its lock), then SIGKILL.
 */
function runStep(node: string, script: string, env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number, onLine?: (line: string) => void): Promise<StepResult> {
  const started = Date.now();
  const id = newTrackingId('run');
  return new Promise((res, rej) => {
    const child = spawn(node, [script], { env: trackedEnv(env, id), cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (b) => {
      stdout += b;
      if (!onLine) return;
      const lines = (pending + String(b)).split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    });
    child.stderr.on('data', (b) => (stderr += b));
    const sweep = () => {
      if (child.pid !== undefined) killProcessGroup(child.pid);
      killTracked(id);
    };
    let timedOut = false;
    const timers = [
      setTimeout(() => {
        timedOut = true;
        if (child.pid !== undefined) killProcessGroup(child.pid, 'SIGTERM');
      }, timeoutMs),
      setTimeout(sweep, timeoutMs + STEP_KILL_GRACE_MS),
    ];
    // The step has its own group, so Ctrl-C at the terminal does not reach it: pass it on, then sweep.
    let interrupted: NodeJS.Signals | undefined;
    const onSignal = (sig: NodeJS.Signals) => () => {
      interrupted = sig;
      if (child.pid !== undefined) killProcessGroup(child.pid, sig);
      timers.push(setTimeout(sweep, STEP_KILL_GRACE_MS));
    };
    const onInt = onSignal('SIGINT');
    const onTerm = onSignal('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const done = () => {
      timers.forEach(clearTimeout);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    };
    // A tool that keeps the step's pipes open after the step exited must not hold the runner: sweep then.
    child.on('exit', () => setTimeout(sweep, 500).unref());
    child.on('error', (e) => {
      done();
      rej(e);
    });
    child.on('close', (code) => {
      done();
      sweep();
      // Interrupted: once the step is down, end the way the signal would have ended us (no next stage).
      if (interrupted) process.kill(process.pid, interrupted);
      const parsed = parseWorkflowCommands(stdout);
      res({ exitCode: code, stdout, stderr, log: parsed.display, annotations: parsed.annotations, durationMs: Date.now() - started, timedOut });
    });
  });
}

/** How long a step has between SIGTERM at its timeout and SIGKILL. */
const STEP_KILL_GRACE_MS = 5_000;

export async function runBundledAction(opts: RunBundledActionOptions): Promise<RunBundledActionResult> {
  const dir = resolveActionDir(opts.action);
  const def = readActionYaml(dir);
  const temp = mkdtempSync(join(tmpdir(), `runner-${def.name}-`));
  const workspace = opts.workspace ?? join(temp, 'workspace');
  const runnerTemp = opts.runnerTemp ?? join(temp, 'runner-temp');
  const toolCache = opts.toolCache ?? process.env.RUNNER_TOOL_CACHE_FOR_TESTS ?? join(temp, 'tool-cache');
  for (const d of [workspace, runnerTemp, toolCache]) mkdirSync(d, { recursive: true });
  const files = stepFiles(temp);
  const eventPath = join(temp, 'event.json');
  const eventName = opts.event?.name ?? 'workflow_dispatch';
  writeFileSync(eventPath, JSON.stringify(opts.event?.payload ?? {}));

  // The runner sets every declared input, using the default when the workflow gave none.
  const inputEnv: Record<string, string> = {};
  for (const [name, spec] of Object.entries(def.inputs ?? {})) {
    const v = opts.inputs?.[name] ?? (spec.default !== undefined ? String(spec.default) : '');
    inputEnv[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = v;
  }
  for (const name of Object.keys(opts.inputs ?? {})) {
    if (!def.inputs?.[name]) throw new Error(`runner: ${def.name} has no input "${name}" (action.yml declares: ${Object.keys(def.inputs ?? {}).join(', ')})`);
  }
  const baseEnv = runnerEnv({
    workspace,
    eventName,
    eventPath,
    repository: opts.repository,
    ref: opts.ref,
    sha: opts.sha,
    runnerTemp,
    toolCache,
    files,
    action: def.name,
    env: opts.env,
  });
  const node = opts.node ?? process.execPath;
  const timeout = opts.timeoutMs ?? 10 * 60_000;
  const mainScript = resolve(dir, def.runs.main);
  if (!existsSync(mainScript)) throw new Error(`runner: ${mainScript} does not exist; run npm run build`);
  const main = await runStep(node, mainScript, { ...baseEnv, ...inputEnv }, workspace, timeout, opts.onLine);

  const state = parseFileCommands(readFileSync(files.state, 'utf8'));
  let post: StepResult | undefined;
  const postIf = def.runs['post-if'] ?? 'always()';
  if (def.runs.post && (postIf.includes('always()') || (postIf.includes('success()') && main.exitCode === 0) || (postIf.includes('failure()') && main.exitCode !== 0))) {
    const stateEnv = Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v]));
    post = await runStep(node, resolve(dir, def.runs.post), { ...baseEnv, ...inputEnv, ...stateEnv }, workspace, timeout);
  }
  const outputs = parseFileCommands(readFileSync(files.output, 'utf8'));
  const summary = readFileSync(files.summary, 'utf8');
  // Raw output (not masked: leak tests must prove we never print a secret) minus the add-mask commands,
  // which GitHub never shows.
  const everything = [main.stdout, main.stderr, post?.stdout ?? '', post?.stderr ?? '', summary, JSON.stringify(outputs)]
    .join('\n')
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
  return { main, post, outputs, summary, state, everything, dirs: { runnerTemp, toolCache, workspace, temp } };
}
