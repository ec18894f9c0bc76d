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

const FLAGS_WITH_VALUE = new Set(['--repo', '--only', '--skip', '--input', '--database-url', '--event', '--payload', '--json', '--timeout']);
const BOOLEAN_FLAGS = new Set(['--changed', '--postgres', '--redis', '--run-steps', '--list', '--help', '-h']);
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
  if (command === undefined) return a;
  if (command === 'help' || command === '--help' || command === '-h') return { ...a, command: 'help' };
  if (command === '--version' || command === '-V' || command === 'version') return { ...a, command: 'version' };
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command "${command}" (expected check, run or pre-push; see platform-actions --help)`);
  a.command = command as Command;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    let flag = arg;
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0 && FLAGS_WITH_VALUE.has(arg.slice(0, eq))) {
      flag = arg.slice(0, eq);
      value = arg.slice(eq + 1);
    }
    if (FLAGS_WITH_VALUE.has(flag)) {
      if (value === undefined) {
        value = rest[++i];
        if (value === undefined || FLAGS_WITH_VALUE.has(value) || BOOLEAN_FLAGS.has(value)) throw new UsageError(`${flag} needs a value`);
      }
    } else if (BOOLEAN_FLAGS.has(flag)) {
      if (flag === '--help' || flag === '-h') return { ...a, command: 'help' };
    } else if (!arg.startsWith('-') && command === 'run' && a.action === undefined) {
      a.action = arg;
      continue;
    } else if (!arg.startsWith('-') && command === 'pre-push' && i < 2 && rest.slice(0, i).every((x) => !x.startsWith('-'))) {
      // git runs the hook as `pre-push <remote name> <remote url>`.
      if (i === 0) a.remote = arg;
      continue;
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${arg} for ${command} (see platform-actions --help)`);
    } else throw new UsageError(`unexpected argument "${arg}" for ${command} (see platform-actions --help)`);
    applyFlag(a, command, flag, value);
  }
  if (command === 'run' && !a.action) throw new UsageError(`run needs an action name (one of: ${ourActions().join(', ')})`);
  if (command === 'run' && !ourActions().includes(a.action!)) throw new UsageError(`run: unknown action "${a.action}" (one of: ${ourActions().join(', ')})`);
  if (a.databaseUrl && a.postgres) throw new UsageError('--database-url and --postgres: give one of them, not both');
  if (command === 'run' && (a.only.length || a.skip.length || a.changed || a.list || a.runSteps || a.redis))
    throw new UsageError('--only, --skip, --changed, --list, --run-steps and --redis are options of check, not run');
  if (command === 'pre-push' && (a.runSteps || a.redis)) throw new UsageError('--run-steps and --redis are options of check, not pre-push (a hook runs only the checks of ours)');
  if (a.redis && !a.runSteps) throw new UsageError("--redis starts Redis for the jobs' redis services, which only --run-steps runs: add --run-steps");
  if (command === 'pre-push' && (a.changed || a.list || a.event || a.payload))
    throw new UsageError('--changed, --list, --event and --payload are options of check, not pre-push (it checks what the push sends)');
  return a;
}

function applyFlag(a: Args, command: string, flag: string, value: string | undefined): void {
  switch (flag) {
    case '--repo':
      a.repo = resolve(value!);
      if (!existsSync(a.repo) || !statSync(a.repo).isDirectory()) throw new UsageError(`--repo: ${value} is not a directory`);
      break;
    case '--only':
    case '--skip': {
      const list = value!
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (!list.length) throw new UsageError(`${flag} needs a stage name`);
      (flag === '--only' ? a.only : a.skip).push(...list);
      break;
    }
    case '--input': {
      const at = value!.indexOf('=');
      const expect = command === 'run' ? '<name>=value' : '<stage>.<name>=value';
      if (at < 1) throw new UsageError(`--input expects ${expect}; got "${value}"`);
      const key = value!.slice(0, at);
      if (command !== 'run' && key.lastIndexOf('.') < 1) throw new UsageError(`--input expects ${expect}; got "${value}" (which stage? e.g. gitleaks-scan.${key}=…)`);
      a.inputs[key] = value!.slice(at + 1);
      break;
    }
    case '--database-url':
      if (!/^postgres(ql)?(\+[a-z0-9]+)?:\/\//.test(value!)) throw new UsageError(`--database-url expects a postgres:// or postgresql:// URL; got "${redactUrl(value!)}"`);
      a.databaseUrl = value;
      break;
    case '--event':
      if (!/^[a-z_]+$/.test(value!)) throw new UsageError(`--event expects an event name such as push or pull_request; got "${value}"`);
      a.event = value;
      break;
    case '--payload':
      a.payload = value;
      break;
    case '--json': {
      a.json = resolve(value!);
      if (existsSync(a.json) && statSync(a.json).isDirectory()) throw new UsageError(`--json: ${value} is a directory; expected a file path`);
      const dir = dirname(a.json);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--json: the folder ${dirname(value!)} does not exist; create it or write the report elsewhere`);
      break;
    }
    case '--timeout': {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--timeout expects a number of seconds greater than 0; got "${value}"`);
      a.timeoutMs = n * 1000;
      break;
    }
    case '--changed':
      a.changed = true;
      break;
    case '--postgres':
      a.postgres = true;
      break;
    case '--redis':
      a.redis = true;
      break;
    case '--run-steps':
      a.runSteps = true;
      break;
    case '--list':
      a.list = true;
      break;
  }
}
