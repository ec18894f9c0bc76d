// A `run:` step on this machine, as GitHub's runner runs it: the script written to a file in RUNNER_TEMP,
// run by the step's shell from GitHub's table (below), in its working directory, with the job's
// environment and the runner's files; then what it left in GITHUB_OUTPUT, GITHUB_ENV and GITHUB_PATH for
// the steps after it. The process group is killed on timeout (the kit's exec).
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from '@platform-actions/kit/exec';
import { parseFileCommands, parseWorkflowCommands } from './workflow-commands.js';
import type { StepFiles } from './runner-env.js';

export interface Shell {
  command: string;
  /** Arguments, with {0} for the script file. */
  args: string[];
  ext: string;
  /** As GitHub's log shows it: `bash -e {0}`. */
  label: string;
  /** GitHub wraps PowerShell scripts so that errors stop them and their exit code is kept. */
  wrap?: (script: string) => string;
}

const pwsh = (command: string): Shell => ({
  command,
  args: ['-command', ". '{0}'"],
  ext: '.ps1',
  label: `${command} -command ". '{0}'"`,
  wrap: (s) => `$ErrorActionPreference = 'stop'\n${s}\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }`,
});

/** GitHub's built-in shells (actions/runner ScriptHandlerHelpers), by `shell:` keyword. */
const BUILT_IN: Record<string, Shell> = {
  bash: { command: 'bash', args: ['--noprofile', '--norc', '-e', '-o', 'pipefail', '{0}'], ext: '.sh', label: 'bash --noprofile --norc -eo pipefail {0}' },
  sh: { command: 'sh', args: ['-e', '{0}'], ext: '.sh', label: 'sh -e {0}' },
  python: { command: 'python', args: ['{0}'], ext: '.py', label: 'python {0}' },
  pwsh: pwsh('pwsh'),
  powershell: pwsh('powershell'),
};

/** `perl {0}`-style arguments: split on spaces, quotes kept together (as the runner's process start does). */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/**
 * The shell for a step's `shell:` (already defaulted from defaults.run), found on `path` (a function from
 * a name to its path). No shell given: bash -e, or sh -e where there is no bash — GitHub's default, which
 * unlike `shell: bash` has no pipefail. A shell this machine does not have is not run locally.
 */
export function shellFor(shell: string | undefined, find: (bin: string) => string | undefined): { shell: Shell; bin: string } | { notLocal: string } | { error: string } {
  const name = (shell ?? '').trim();
  if (!name) {
    const bash = find('bash');
    if (bash) return { shell: { command: 'bash', args: ['-e', '{0}'], ext: '.sh', label: 'bash -e {0}' }, bin: bash };
    const sh = find('sh');
    return sh ? { shell: BUILT_IN.sh, bin: sh } : { notLocal: 'neither bash nor sh is on PATH' };
  }
  if (name === 'cmd') return { notLocal: "shell: cmd is Windows' shell" };
  const builtIn = BUILT_IN[name];
  if (builtIn) {
    // setup-python gives runners `python`; a machine may have only python3.
    const bin = find(builtIn.command) ?? (name === 'python' ? find('python3') : undefined);
    return bin ? { shell: builtIn, bin } : { notLocal: `shell: ${name} is not on this machine` };
  }
  const [command, ...rest] = splitArgs(name);
  const args = rest.length ? rest : [];
  if (!args.some((a) => a.includes('{0}')))
    return { error: `shell: ${name} is neither a built-in shell (bash, sh, python, pwsh, powershell) nor a command with {0} for the script` };
  const bin = find(command);
  return bin ? { shell: { command, args, ext: '', label: name }, bin } : { notLocal: `shell: ${command} is not on this machine` };
}

export interface ScriptRun {
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** What the step printed, as GitHub shows it: workflow commands applied, masks applied. */
  log: string[];
  /** ::error / ::warning lines, one line each, `file:line: ` first when they name a file. */
  errors: string[];
  warnings: string[];
  /** Values the step masked (::add-mask::): masked in every later step's log too. */
  masks: string[];
  outputs: Record<string, string>;
  /** GITHUB_ENV: what the steps after this one get in their environment. */
  env: Record<string, string>;
  /** GITHUB_PATH: folders the steps after this one get first on PATH (in the order written). */
  path: string[];
}

/** Runs one script; `files` are this step's GITHUB_OUTPUT/_ENV/_PATH/_STEP_SUMMARY/_STATE (empty). */
export async function runScript(o: {
  script: string;
  shell: Shell;
  bin: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  runnerTemp: string;
  files: StepFiles;
  timeoutMs: number;
  masks: string[];
  onLine?: (line: string) => void;
}): Promise<ScriptRun> {
  const file = join(o.runnerTemp, `${randomUUID()}${o.shell.ext}`);
  // UTF-8 without a byte-order mark, as the runner writes it.
  writeFileSync(file, o.shell.wrap ? o.shell.wrap(o.script) : o.script);
  const raw: string[] = [];
  const masks = [...o.masks];
  const mask = (l: string) => masks.filter(Boolean).reduce((acc, m) => acc.split(m).join('***'), l);
  const r = await exec(
    o.bin,
    o.shell.args.map((a) => a.replace('{0}', file)),
    {
      cwd: o.cwd,
      // The runner's files of this step, whatever the environment had.
      env: { ...o.env, GITHUB_OUTPUT: o.files.output, GITHUB_ENV: o.files.env, GITHUB_PATH: o.files.path, GITHUB_STEP_SUMMARY: o.files.summary, GITHUB_STATE: o.files.state },
      replaceEnv: true,
      timeoutMs: o.timeoutMs,
      onLine: (l) => {
        raw.push(l);
        const add = /^::add-mask::(.*)$/.exec(l);
        if (add) masks.push(add[1]);
        else if (o.onLine && !l.startsWith('::')) o.onLine(mask(l));
      },
    },
  ).catch((e: Error) => ({ exitCode: null, timedOut: false, durationMs: 0, error: e.message }));
  const parsed = parseWorkflowCommands(raw.join('\n'));
  const annotations = (level: string) =>
    parsed.annotations
      .filter((a) => a.level === level)
      .map((a) => mask(`${a.file ? `${a.file}${a.line ? `:${a.line}` : ''}: ` : ''}${a.title ? `${a.title}: ` : ''}${a.message.split('\n')[0]}`));
  const read = (f: string) => readFileSync(f, 'utf8');
  const errors = annotations('error');
  const warnings = annotations('warning');
  // The deprecated `::set-output name=x::v` still sets an output on GitHub, with a warning.
  const legacy: Record<string, string> = {};
  for (const l of raw) {
    const m = /^::set-output name=([^:,]+)::(.*)$/.exec(l);
    if (m) legacy[m[1]] = m[2].replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  }
  if (Object.keys(legacy).length) warnings.push('The `set-output` command is deprecated: write to GITHUB_OUTPUT');
  if ('error' in r) errors.push(r.error);
  return {
    exitCode: r.exitCode,
    timedOut: r.timedOut,
    durationMs: r.durationMs,
    log: parsed.display.split('\n').map(mask),
    errors,
    warnings,
    masks: [...new Set([...masks, ...parsed.masks])],
    outputs: { ...legacy, ...parseFileCommands(read(o.files.output)) },
    env: parseFileCommands(read(o.files.env)),
    path: read(o.files.path)
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  };
}
