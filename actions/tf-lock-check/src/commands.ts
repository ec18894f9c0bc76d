// One terraform, tofu or terragrunt command line, read the way the tool reads it: the subcommand, the
// directory it runs in, the lock flags (also from TF_CLI_ARGS / TF_CLI_ARGS_<command>) and the
// -backend-config values. The shell around the command is read by shell.ts; the known apply actions by
// actions.ts. Also path helpers shared by both.

export type Tool = 'terraform' | 'tofu' | 'terragrunt';

export interface TfCommand {
  tool: Tool;
  /** Subcommand, e.g. "apply"; "" when none was found. */
  sub: string;
  /** How to name the command in a message when not `<tool> <sub>` (e.g. "terragrunt run-all apply", "dflook/terraform-apply"). */
  label?: string;
  args: string[];
  /** 1-based line in the script text where the command starts. */
  line: number;
  /** Directory the command runs in: relative to the repository root when the caller gave the script's start directory. */
  chdir: string;
  lockDisabled: boolean;
  lockTimeout?: string;
  /** Where -lock=false / -lock-timeout came from when not on the command line (TF_CLI_ARGS_apply, …). */
  lockFrom?: string;
  timeoutFrom?: string;
  /** -backend-config values: a file path or key=value. */
  backendConfig: string[];
  /** Runs on HCP Terraform / TFE (an API-driven run), which queues runs and locks the workspace itself. */
  remote?: boolean;
}

// Go's strconv.ParseBool, which terraform's flag parsing uses: every spelling of false it accepts.
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/** Splits TF_CLI_ARGS the way terraform does (github.com/mattn/go-shellwords: blanks, quotes, backslashes). */
export function cliArgs(v: string | undefined): string[] {
  const out: string[] = [];
  if (!v) return out;
  let cur = '';
  let inWord = false;
  let quote = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"' && i + 1 < v.length) cur += v[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < v.length) {
      cur += v[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** One terraform/tofu command from its arguments; TF_CLI_ARGS and TF_CLI_ARGS_<sub> from `env` count. */
export function tfCommand(tool: 'terraform' | 'tofu', argv: string[], line: number, cwd: string, env: Record<string, string> = {}): TfCommand {
  let chdir = cwd;
  let sub = '';
  const rest: string[] = [];
  for (const a of argv) {
    if (!sub && a.startsWith('-chdir=')) chdir = joinRel(cwd, a.slice('-chdir='.length));
    else if (!sub && !a.startsWith('-')) sub = a;
    else rest.push(a);
  }
  return { tool, sub, args: argv, line, chdir, ...lockFlags(sub, rest, env) };
}

// Terragrunt's own flags that take their value as the next word (the old --terragrunt-* names and the
// names of the 2025 CLI); every other flag is passed through to terraform/tofu.
const TG_VALUE_FLAGS = new Set(
  [
    'config',
    'tf-path',
    'tfpath',
    'source',
    'include-dir',
    'exclude-dir',
    'queue-include-dir',
    'queue-exclude-dir',
    'log-level',
    'parallelism',
    'iam-role',
    'iam-assume-role',
    'download-dir',
    'modules-that-include',
    'units-that-include',
    'queue-include-units-reading',
    'filter',
    'feature',
    'out-dir',
    'json-out-dir',
  ].flatMap((f) => [f, `terragrunt-${f}`]),
);
// Subcommands terragrunt passes to terraform; the first of these among the words is the command.
const TF_SUBCOMMANDS = new Set([
  'apply',
  'destroy',
  'plan',
  'init',
  'validate',
  'output',
  'import',
  'refresh',
  'show',
  'state',
  'taint',
  'untaint',
  'workspace',
  'force-unlock',
  'providers',
  'get',
  'graph',
  'console',
  'fmt',
  'test',
]);

/**
 * One terragrunt command: `apply`, `run-all apply`, `run --all apply`, `run --all -- apply`, `run apply`,
 * `stack run apply`, the old `apply-all` / `destroy-all`. Flags terragrunt does not know (-lock=false,
 * -lock-timeout=…) reach terraform/tofu, so they count as they would there; so does TF_CLI_ARGS.
 */
export function terragruntCommand(argv: string[], line: number, cwd: string, env: Record<string, string> = {}): TfCommand {
  let chdir = cwd;
  const words: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') continue; // `run --all -- apply -lock=false`: the rest is the terraform command line
    if (!a.startsWith('-')) {
      words.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = (eq < 0 ? a : a.slice(0, eq)).replace(/^--?/, '');
    const value = eq < 0 ? undefined : a.slice(eq + 1);
    if (name === 'working-dir' || name === 'terragrunt-working-dir') {
      const dir = value ?? argv[++i];
      if (dir !== undefined) chdir = joinRel(cwd, dir);
    } else if (TG_VALUE_FLAGS.has(name) && value === undefined) i++;
    else flags.push(a);
  }
  let prefix = 'terragrunt';
  let rest = words;
  if (rest[0] === 'stack' && rest[1] === 'run') [prefix, rest] = ['terragrunt stack run', rest.slice(2)];
  else if (rest[0] === 'run-all') [prefix, rest] = ['terragrunt run-all', rest.slice(1)];
  else if (rest[0] === 'run') [prefix, rest] = [flags.includes('--all') ? 'terragrunt run --all' : 'terragrunt run', rest.slice(1)];
  else if (/^(apply|destroy|plan|output|validate)-all$/.test(rest[0] ?? '')) [prefix, rest] = ['terragrunt run-all', [rest[0].replace(/-all$/, ''), ...rest.slice(1)]];
  const sub = rest.find((w) => TF_SUBCOMMANDS.has(w)) ?? rest[0] ?? '';
  return { tool: 'terragrunt', sub, label: `${prefix} ${sub}`.trim(), args: argv, line, chdir, ...lockFlags(sub, flags, env) };
}

/** The lock flags and -backend-config values of a command's arguments after its subcommand, TF_CLI_ARGS first. */
function lockFlags(sub: string, rest: string[], env: Record<string, string>): Pick<TfCommand, 'lockDisabled' | 'lockTimeout' | 'lockFrom' | 'timeoutFrom' | 'backendConfig'> {
  // terraform inserts TF_CLI_ARGS, then TF_CLI_ARGS_<sub>, after the subcommand; later flags win.
  const subVar = `TF_CLI_ARGS_${sub.replace(/-/g, '_')}`;
  const fromEnv: Array<[string, string[]]> = [
    ['TF_CLI_ARGS', cliArgs(env.TF_CLI_ARGS)],
    [subVar, cliArgs(sub ? env[subVar] : undefined)],
  ];
  const all: Array<[string | undefined, string]> = [
    ...fromEnv.flatMap(([n, xs]) => xs.map((x) => [n, x] as [string, string])),
    ...rest.map((x) => [undefined, x] as [undefined, string]),
  ];
  const isFlag = (a: string, name: string) => a === `-${name}` || a === `--${name}` || a.startsWith(`-${name}=`) || a.startsWith(`--${name}=`);
  const value = (a: string) => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : 'true');
  const lock = all.filter(([, a]) => isFlag(a, 'lock')).at(-1);
  const timeout = all.filter(([, a]) => isFlag(a, 'lock-timeout')).at(-1);
  const backendConfig: string[] = [];
  rest.forEach((a, idx) => {
    if (a.startsWith('-backend-config=') || a.startsWith('--backend-config=')) backendConfig.push(value(a));
    else if ((a === '-backend-config' || a === '--backend-config') && rest[idx + 1]) backendConfig.push(rest[idx + 1]);
  });
  const lockDisabled = lock !== undefined && FALSE.has(value(lock[1]));
  return {
    lockDisabled,
    lockTimeout: timeout ? value(timeout[1]) : undefined,
    lockFrom: lockDisabled ? lock[0] : undefined,
    timeoutFrom: timeout?.[0],
    backendConfig,
  };
}

// Docker images whose ENTRYPOINT is the tool: `args:` is its command line.
const IMAGE_ENTRYPOINTS: Array<[RegExp, string]> = [
  [/^(docker\.io\/)?hashicorp\/terraform(:|@|$)/, 'terraform'],
  [/^(ghcr\.io\/)?opentofu\/opentofu(:|@|$)/, 'tofu'],
];

/** The image's entrypoint when it is terraform or tofu. */
export const imageEntrypoint = (image: string): string | undefined => IMAGE_ENTRYPOINTS.find(([re]) => re.test(image))?.[1];

/** What $GITHUB_WORKSPACE expands to: a marker that joinRel reads as "from the repository root". */
export const WORKSPACE_MARK = '\u0001';

/** Joins relative POSIX paths and normalises `.`/`..`; "" means the start directory. */
export function joinRel(a: string, b: string): string {
  if (b.startsWith(WORKSPACE_MARK)) return joinRel('', b.slice(WORKSPACE_MARK.length).replace(/^\/+/, ''));
  if (b.startsWith('/')) return b;
  const parts: string[] = [];
  for (const p of `${a}/${b}`.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..' && parts.length && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(p);
  }
  return parts.join('/');
}

/** A directory we cannot know statically: an unresolved expression or shell variable, or outside the repository. */
export const unknownDir = (dir: string): boolean => dir.includes('${{') || dir.includes('$') || dir.startsWith('/') || dir === '..' || dir.startsWith('../');

/** Subcommands that write state and hold the lock for a long time. */
export const WRITES_STATE = new Set(['apply', 'destroy']);

// Every subcommand that writes state (`state` for mv/rm/push/replace-provider). A plan only reads it:
// `plan -lock=false` on pull requests is common and safe (dflook's plan does it), so it is not a finding.
const STATE_WRITERS = new Set(['apply', 'destroy', 'import', 'refresh', 'taint', 'untaint', 'state', 'force-unlock']);
const STATE_READS = new Set(['list', 'show', 'pull']);

/** Whether the command writes state, so that turning its lock off lets two runs write at once. */
export const writesState = (c: TfCommand): boolean =>
  STATE_WRITERS.has(c.sub) && !(c.sub === 'state' && STATE_READS.has(c.args.find((a, i) => i > c.args.indexOf('state') && !a.startsWith('-')) ?? ''));

/** Parses a Go duration as terraform's -lock-timeout takes it (e.g. 300s, 5m, 1m30s); undefined if malformed. */
export function goDurationMs(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let end = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * unit[m[2]];
    end = re.lastIndex;
  }
  if (text === '0') return 0;
  return end === text.length && end > 0 ? total : undefined;
}
