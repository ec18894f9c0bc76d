// Running gitleaks and deciding what its run means. gitleaks exits 0 with an empty report when git
// itself failed (not a repository, unknown revision), so its exit code alone proves nothing: we read its
// log for errors and require a report that parses.
import { core, describeExit, exec, type ExecResult, InputError, signalReason, tail, ToolError, UserError } from '@platform-actions/kit';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { ConfigChoice } from './gitleaks-config.js';
import { toolEnv } from './env.js';

/**
 * Our --exit-code for "leaks found". Not 2: a Go panic (for example a bad regex in a config) also exits
 * with 2, and not 1: every gitleaks error exits with 1.
 */
export const LEAKS_EXIT = 3;

export interface ScanCommand {
  subcommand: 'git' | 'dir';
  /** The repository root: gitleaks runs there, so every path it reports is relative to it. */
  source: string;
  /** For dir: the folder to scan, relative to `source` (default "."), e.g. app. */
  folder?: string;
  /** For git: the --log-opts value (SHAs and flags only). */
  logOpts?: string;
  config?: string;
  reportPath: string;
}

/** The gitleaks argument array. Secrets are always redacted; links are off (they would echo remote URLs). */
export function gitleaksArgs(c: ScanCommand): string[] {
  // gitleaks runs in the repository root and is given a relative folder, so every path it reports (and
  // every fingerprint .gitleaksignore matches) is relative to the repository root, as annotations and
  // SARIF need: app/notify.py, never notify.py or an absolute path. "./" keeps a folder named "-x" a path.
  const folder = c.subcommand === 'dir' && c.folder && c.folder !== '.' ? `./${c.folder}` : '.';
  const args = [c.subcommand, folder, '--no-banner', '--no-color', '--redact=100', '--exit-code', String(LEAKS_EXIT)];
  args.push('--report-format', 'json', '--report-path', c.reportPath);
  if (c.config) args.push('--config', c.config);
  if (c.subcommand === 'git') {
    args.push('--platform', 'none');
    if (c.logOpts) args.push('--log-opts', c.logOpts);
  }
  return args;
}

export interface LogFacts {
  errors: string[];
  warnings: string[];
  fatal?: string;
  /** First line of a Go panic, and whether its stack went through config loading. */
  panic?: { message: string; inConfig: boolean };
  commitsScanned?: number;
  scanned?: string;
}

const ANSI = /\u001b\[[0-9;]*m/g;
const LINE = /^\S+\s+(TRC|DBG|INF|WRN|ERR|FTL)\s+(.*)$/;

/** Reads gitleaks' console log (stderr). */
export function parseLog(stderr: string): LogFacts {
  const facts: LogFacts = { errors: [], warnings: [] };
  const lines = stderr.replace(ANSI, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.startsWith('panic: ')) {
      facts.panic = { message: line.slice('panic: '.length), inConfig: lines.slice(i).some((l) => l.includes('/config.') || l.includes('config.(')) };
      break;
    }
    const m = LINE.exec(line);
    if (!m) continue;
    const [, level, text] = m;
    if (level === 'ERR') facts.errors.push(text);
    else if (level === 'FTL') facts.fatal = text;
    else if (level === 'WRN') facts.warnings.push(text);
    const commits = /^(\d+) commits scanned\.?$/.exec(text);
    if (commits) facts.commitsScanned = Number(commits[1]);
    const bytes = /^scanned (.+?) in /.exec(text);
    if (bytes) facts.scanned = bytes[1];
  }
  return facts;
}

const CONFIG_TROUBLE = /config|toml|regex|rule/i;

/**
 * What went wrong, if anything: a config problem (the caller's to fix, naming where the config came from)
 * or a tool error. Undefined when the run is trustworthy.
 */
export function runProblem(exitCode: number | null, log: LogFacts, config: ConfigChoice, signal: NodeJS.Signals | null = null): Error | undefined {
  const configError = (why: string): Error => {
    const msg = `is not a valid gitleaks config: ${why}`;
    if (config.origin === 'input') return new InputError('config', msg);
    return new UserError(`${config.label.replace(/`/g, '')} ${msg}`);
  };
  // A signal death (SIGKILL: the out-of-memory killer) says so, whatever half-written log is left.
  const killed = signalReason(signal, exitCode);
  if (killed) return new ToolError(`gitleaks ${killed}`);
  if (log.panic) return log.panic.inConfig ? configError(log.panic.message) : new ToolError(`gitleaks crashed: ${log.panic.message}`);
  if (log.fatal) return config.origin !== 'default' && CONFIG_TROUBLE.test(log.fatal) ? configError(log.fatal) : new ToolError(`gitleaks failed: ${log.fatal}`);
  if (log.errors.length) {
    // e.g. "[git] fatal: bad object" then 'error="stderr is not empty"': commits that could not be read.
    const first = log.errors.find((e) => !/stderr is not empty/.test(e)) ?? log.errors[0];
    return new ToolError(`gitleaks could not read everything it was asked to scan: ${first.replace(/^\[git\]\s*/, 'git: ')}`);
  }
  if (exitCode !== 0 && exitCode !== LEAKS_EXIT) return new ToolError(`gitleaks exited with code ${exitCode}`);
  return undefined;
}

export interface ScanRun {
  /** The report's text (redacted by gitleaks). */
  report: string;
  log: LogFacts;
  durationMs: number;
}

/** Runs gitleaks and returns its report, or throws UserError/ToolError saying whose move it is. */
export async function runGitleaks(bin: string, cmd: ScanCommand, config: ConfigChoice, timeoutMs: number): Promise<ScanRun> {
  // A report left over from an earlier run must never pass for this one.
  rmSync(cmd.reportPath, { force: true });
  core.startGroup(`gitleaks ${cmd.subcommand} (${config.label.replace(/`/g, '')})`);
  let r: ExecResult;
  try {
    // No token in its environment: gitleaks never needs one (see env.ts).
    r = await exec(bin, gitleaksArgs(cmd), { cwd: cmd.source, timeoutMs, env: toolEnv(), replaceEnv: true });
    // Its log is short (no findings are printed without -v, and they are redacted anyway). It can quote
    // file names and git's words, so it is printed with workflow commands off: no line of it can forge
    // an annotation, a mask or an output.
    if (r.stderr.trim()) core.untrusted(r.stderr.replace(ANSI, '').trimEnd());
  } finally {
    core.endGroup();
  }
  if (r.timedOut) throw new ToolError(`gitleaks ${describeExit(r)} (raise the timeout input)`, tail(r.stderr));
  const log = parseLog(r.stderr);
  const problem = runProblem(r.exitCode, log, config, r.signal);
  if (problem instanceof ToolError) throw new ToolError(problem.message, tail(r.stderr, 30));
  if (problem) throw problem;
  if (!existsSync(cmd.reportPath)) throw new ToolError('gitleaks finished without writing its report', tail(r.stderr));
  return { report: readFileSync(cmd.reportPath, 'utf8'), log, durationMs: r.durationMs };
}
