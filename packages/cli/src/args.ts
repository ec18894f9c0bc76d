// The command line: usage, and a parser whose every mistake is one UsageError line naming the flag and
// what it expects.
import { addSecret, addUrlSecretsIn, redactUrl } from '@platform-actions/kit';
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ourActions } from './assets.js';
import { CONFIG_FILE } from './repo-config.js';
import { UsageError } from './workflows.js';

export const USAGE = `usage: platform-actions <command> [options]

commands:
  check                     run every step of .github/workflows that uses one of our actions or reusable workflows
  run <action>              run one action with --input name=value …
  pre-push [<remote>]       check what a git push sends (the refs git gives the pre-push hook on standard input)
  --version                 the version and the commit this package was built from

check options (pre-push takes the same, except --changed and --list):
  --repo <dir>              repository to check (default: the git repository of the current directory)
  --only <stage>            run only these stages (a stage or action name; repeatable, or comma-separated)
  --skip <stage>            leave these stages out (same forms)
  --input <stage>.<name>=v  set an input of a stage (or of every stage of an action), e.g. gitleaks-scan.config=gl.toml
  --changed                 only what the branch changes: gitleaks-scan the commits not yet pushed
                            (@{upstream}..HEAD); helm-validate and our fan-out workflows' shards what
                            the working tree changes since the merge base with @{upstream} (CI's plan)
  --database-url <url>      PostgreSQL for migration-test stages (an empty database)
  --postgres                start a throwaway PostgreSQL for them (needs the server binaries)
  --run-steps               run the whole pipeline: the jobs the event triggers (default pull_request), in
                            order, their run: steps on this machine too (read them first: they run as you)
  --redis                   with --run-steps: start a throwaway Redis for jobs with a redis service
                            (--postgres does the same for postgres services)
  --event <name>            github.event_name the stages see (default workflow_dispatch; push with --changed)
  --payload <file>          the event payload (JSON)
  --json <file>             write a JSON report, on every exit (schema: schema/report.schema.json in the package)
  --list                    print the stages and what each still needs, without running them
  --timeout <seconds>       longest one stage may take (default 600)

run options:
  --input <name>=<value>    an input of the action (repeatable); report files you name here are kept
  --repo <dir>, --database-url <url>, --postgres, --event <name>, --payload <file>, --json <file>, --timeout <seconds>

Flags a repository always needs can live in its ${CONFIG_FILE} (repository, only, skip, inputs, postgres, redis); flags win.
Colour only on a terminal and when NO_COLOR is unset. Exit code: 0 clean, 1 policy failure, 2 tool or configuration error.`;

export type Command = 'check' | 'run' | 'pre-push' | 'help' | 'usage' | 'version';

export interface Args {
  command: Command;
  action?: string;
  /** --repo, resolved; undefined: the git repository of the current directory. */
  repo?: string;
  only: string[];
  skip: string[];
  inputs: Record<string, string>;
  changed: boolean;
  databaseUrl?: string;
  postgres: boolean;
  redis: boolean;
  runSteps: boolean;
  list: boolean;
  event?: string;
  payload?: string;
  json?: string;
  timeoutMs: number;
  /** pre-push: the remote git names (first hook argument). */
  remote?: string;
}

/** Inputs whose value is a credential wherever it appears (`--input <stage>.<name>=…` or `--input <name>=…`). */
const CREDENTIAL_INPUT = /(^|[.-])(token|password|passwd|secret|api-key|database-url|webhook-url|kubeconfig|credentials?)$/i;

/**
 * Registers every credential on the command line before anything parses it, so no message — a parse
 * error echoing a value, a stage's output, the report — can print it, whatever a URL parser makes of it
 * (a password with `/` in it splits differently for each). `--database-url` is a secret whole; any value
 * holding a URL with user:password@ has that userinfo registered; credential-named inputs are secrets whole.
 */
export function registerCredentials(argv: readonly string[]): void {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = inline ?? (FLAGS_WITH_VALUE.has(flag) ? argv[i + 1] : undefined);
    addUrlSecretsIn(arg);
    if (value === undefined) continue;
    if (flag === '--database-url') addSecret(value);
    if (flag === '--input') {
      const at = value.indexOf('=');
      if (at > 0 && CREDENTIAL_INPUT.test(value.slice(0, at))) addSecret(value.slice(at + 1));
    }
  }
}

/** What each flag that takes a value does with it; every check throws one UsageError line naming the flag. */
const VALUE_FLAGS: Record<string, (a: Args, value: string, flag: string) => void> = {
  '--repo': (a, value) => (a.repo = existingDirectory(value)),
  '--only': (a, value, flag) => a.only.push(...stageList(flag, value)),
  '--skip': (a, value, flag) => a.skip.push(...stageList(flag, value)),
  '--input': (a, value) => {
    const [key, inputValue] = stageInput(a.command, value);
    a.inputs[key] = inputValue;
  },
  '--database-url': (a, value) => {
    if (!/^postgres(ql)?(\+[a-z0-9]+)?:\/\//.test(value)) throw new UsageError(`--database-url expects a postgres:// or postgresql:// URL; got "${redactUrl(value)}"`);
    a.databaseUrl = value;
  },
  '--event': (a, value) => {
    if (!/^[a-z_]+$/.test(value)) throw new UsageError(`--event expects an event name such as push or pull_request; got "${value}"`);
    a.event = value;
  },
  '--payload': (a, value) => (a.payload = value),
  '--json': (a, value) => (a.json = reportFile(value)),
  '--timeout': (a, value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--timeout expects a number of seconds greater than 0; got "${value}"`);
    a.timeoutMs = n * 1000;
  },
};
/** The flags that take no value and the field each one turns on (--help and -h stop parsing instead). */
const SWITCHES = new Map<string, 'changed' | 'postgres' | 'redis' | 'runSteps' | 'list'>([
  ['--changed', 'changed'],
  ['--postgres', 'postgres'],
  ['--redis', 'redis'],
  ['--run-steps', 'runSteps'],
  ['--list', 'list'],
]);
const FLAGS_WITH_VALUE = new Set(Object.keys(VALUE_FLAGS));
const BOOLEAN_FLAGS = new Set([...SWITCHES.keys(), '--help', '-h']);
const COMMANDS = ['check', 'run', 'pre-push'];

/**
 * `--json <file>` as it appears on a command line, even one that does not parse (the report is written on
 * every exit), when it can be written: not a folder, in a folder that exists.
 */
export function jsonTarget(argv: string[]): string | undefined {
  let file: string | undefined;
  for (let i = 0; i < argv.length && !file; i++) {
    if (argv[i] === '--json' && argv[i + 1] && !argv[i + 1].startsWith('-')) file = resolve(argv[i + 1]);
    else if (argv[i].startsWith('--json=')) file = resolve(argv[i].slice('--json='.length));
  }
  const ok = (p: string, dir: boolean) => existsSync(p) && statSync(p).isDirectory() === dir;
  return file && !ok(file, true) && ok(dirname(file), true) ? file : undefined;
}

/** Parses the command line; every mistake is a UsageError with one line naming the flag and what it expects. */
export function parseArgs(argv: string[]): Args {
  const a: Args = { command: 'usage', only: [], skip: [], inputs: {}, changed: false, postgres: false, redis: false, runSteps: false, list: false, timeoutMs: 600_000 };
  const [command, ...rest] = argv;
  const early = commandWithoutOptions(command);
  if (early) return { ...a, command: early };
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command "${command}" (expected check, run or pre-push; see platform-actions --help)`);
  a.command = command as Command;
  for (let i = 0; i < rest.length; i++) {
    const { flag, value } = splitInlineValue(rest[i]);
    if (FLAGS_WITH_VALUE.has(flag)) VALUE_FLAGS[flag](a, value ?? valueAfter(flag, rest[++i]), flag);
    else if (flag === '--help' || flag === '-h') return { ...a, command: 'help' };
    else if (SWITCHES.has(flag)) a[SWITCHES.get(flag)!] = true;
    else takePositional(a, rest, i);
  }
  checkAction(a);
  checkCombinations(a);
  return a;
}

/** No command (usage), or one that takes no options: help and version. */
function commandWithoutOptions(command: string | undefined): Command | undefined {
  if (command === undefined) return 'usage';
  if (command === 'help' || command === '--help' || command === '-h') return 'help';
  if (command === '--version' || command === '-V' || command === 'version') return 'version';
  return undefined;
}

/** `--flag=value` into its flag and value, for flags that take one; any other argument is a flag whole. */
function splitInlineValue(arg: string): { flag: string; value?: string } {
  const eq = arg.indexOf('=');
  return arg.startsWith('--') && eq > 0 && FLAGS_WITH_VALUE.has(arg.slice(0, eq)) ? { flag: arg.slice(0, eq), value: arg.slice(eq + 1) } : { flag: arg };
}

/** The value of `--flag value`: the next argument, unless there is none or it is another flag of ours. */
function valueAfter(flag: string, next: string | undefined): string {
  if (next === undefined || FLAGS_WITH_VALUE.has(next) || BOOLEAN_FLAGS.has(next)) throw new UsageError(`${flag} needs a value`);
  return next;
}

/** An argument that is not a flag of ours: run's action name, pre-push's remote name and URL, or a mistake. */
function takePositional(a: Args, rest: string[], i: number): void {
  const arg = rest[i];
  if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg} for ${a.command} (see platform-actions --help)`);
  if (a.command === 'run' && a.action === undefined) {
    a.action = arg;
    return;
  }
  // git runs the hook as `pre-push <remote name> <remote url>`.
  if (a.command === 'pre-push' && i < 2 && rest.slice(0, i).every((x) => !x.startsWith('-'))) {
    if (i === 0) a.remote = arg;
    return;
  }
  throw new UsageError(`unexpected argument "${arg}" for ${a.command} (see platform-actions --help)`);
}

/** run names one of our actions. */
function checkAction(a: Args): void {
  if (a.command !== 'run') return;
  const actions = ourActions();
  if (!a.action) throw new UsageError(`run needs an action name (one of: ${actions.join(', ')})`);
  if (!actions.includes(a.action)) throw new UsageError(`run: unknown action "${a.action}" (one of: ${actions.join(', ')})`);
}

/** Flags that do not go together, in the order they are checked: the first that applies is the message. */
const CONFLICTS: [(a: Args) => boolean, string][] = [
  [(a) => Boolean(a.databaseUrl) && a.postgres, '--database-url and --postgres: give one of them, not both'],
  [
    (a) => a.command === 'run' && (a.only.length > 0 || a.skip.length > 0 || a.changed || a.list || a.runSteps || a.redis),
    '--only, --skip, --changed, --list, --run-steps and --redis are options of check, not run',
  ],
  [(a) => a.command === 'pre-push' && (a.runSteps || a.redis), '--run-steps and --redis are options of check, not pre-push (a hook runs only the checks of ours)'],
  [(a) => a.redis && !a.runSteps, "--redis starts Redis for the jobs' redis services, which only --run-steps runs: add --run-steps"],
  [
    (a) => a.command === 'pre-push' && (a.changed || a.list || Boolean(a.event) || Boolean(a.payload)),
    '--changed, --list, --event and --payload are options of check, not pre-push (it checks what the push sends)',
  ],
];

function checkCombinations(a: Args): void {
  const conflict = CONFLICTS.find(([applies]) => applies(a));
  if (conflict) throw new UsageError(conflict[1]);
}

function existingDirectory(value: string): string {
  const dir = resolve(value);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--repo: ${value} is not a directory`);
  return dir;
}

/** `--only`/`--skip`: stage names, comma-separated, blanks dropped; at least one. */
function stageList(flag: string, value: string): string[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!list.length) throw new UsageError(`${flag} needs a stage name`);
  return list;
}

/** `--input`: `<name>=value` for run (one action), `<stage>.<name>=value` otherwise (which stage it is for). */
function stageInput(command: Command, value: string): [string, string] {
  const at = value.indexOf('=');
  const expect = command === 'run' ? '<name>=value' : '<stage>.<name>=value';
  if (at < 1) throw new UsageError(`--input expects ${expect}; got "${value}"`);
  const key = value.slice(0, at);
  if (command !== 'run' && key.lastIndexOf('.') < 1) throw new UsageError(`--input expects ${expect}; got "${value}" (which stage? e.g. gitleaks-scan.${key}=…)`);
  return [key, value.slice(at + 1)];
}

/** `--json`: a file path (not a folder) in a folder that exists. */
function reportFile(value: string): string {
  const file = resolve(value);
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`--json: ${value} is a directory; expected a file path`);
  const dir = dirname(file);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--json: the folder ${dirname(value)} does not exist; create it or write the report elsewhere`);
  return file;
}
