// `platform-actions`: run the checks a repository's GitHub workflows run with our actions, here, before
// pushing. Exit codes: 0 clean, 1 policy failure, 2 tool or configuration error (also bad flags).
import { addSecret, addUrlSecretsIn, announceMasks, redactUrl, scrub } from '@platform-actions/kit';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { check, type CheckResult, ConfigProblems, stageErrors, stageFindings, type StageResult, SEVERITIES, verdictOf } from './check.js';
import { CONFIG_FILE, readRepoConfig } from './config.js';
import { gitFacts, onPath, TOOL_INPUTS, userToolCache } from './local.js';
import { startPostgres } from './postgres.js';
import { painter, Progress, renderReport, useColour } from './render.js';
import { writeJsonReport } from './report.js';
import { readActionYaml, resolveActionDir, runAction } from './runner.js';
import { ourActions, UsageError } from './workflows.js';

export const USAGE = `usage: platform-actions <command> [options]

commands:
  check                     run every step of .github/workflows that uses one of our actions or reusable workflows
  run <action>              run one action with --input name=value …

check options:
  --repo <dir>              repository to check (default: the current directory)
  --only <stage>            run only these stages (a stage or action name; repeatable, or comma-separated)
  --skip <stage>            leave these stages out (same forms)
  --input <stage>.<name>=v  set an input of a stage (or of every stage of an action), e.g. gitleaks-scan.config=gl.toml
  --changed                 scan only the commits not yet pushed (@{upstream}..HEAD) with gitleaks-scan
  --database-url <url>      PostgreSQL for migration-test stages (an empty database)
  --postgres                start a throwaway PostgreSQL for them (needs the server binaries)
  --event <name>            github.event_name the stages see (default workflow_dispatch; push with --changed)
  --payload <file>          the event payload (JSON)
  --json <file>             write a JSON report (schema: packages/cli/schema/report.schema.json)
  --list                    print the stages (and any input that needs --input) without running them
  --timeout <seconds>       longest one stage may take (default 600)

run options:
  --input <name>=<value>    an input of the action (repeatable)
  --repo <dir>, --event <name>, --payload <file>, --json <file>, --timeout <seconds>

Flags a repository always needs can live in its ${CONFIG_FILE} (only, skip, inputs, postgres); flags win.
Colour only on a terminal and when NO_COLOR is unset. Exit code: 0 clean, 1 policy failure, 2 tool or configuration error.`;

interface Args {
  command: 'check' | 'run' | 'help';
  action?: string;
  repo: string;
  only: string[];
  skip: string[];
  inputs: Record<string, string>;
  changed: boolean;
  databaseUrl?: string;
  postgres: boolean;
  list: boolean;
  event?: string;
  payload?: string;
  json?: string;
  timeoutMs: number;
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
const BOOLEAN_FLAGS = new Set(['--changed', '--postgres', '--list', '--help', '-h']);

/** Parses the command line; every mistake is a UsageError with one line naming the flag and what it expects. */
export function parseArgs(argv: string[]): Args {
  const a: Args = { command: 'help', repo: process.cwd(), only: [], skip: [], inputs: {}, changed: false, postgres: false, list: false, timeoutMs: 600_000 };
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return a;
  if (command !== 'check' && command !== 'run') throw new UsageError(`unknown command "${command}" (expected check or run; see platform-actions --help)`);
  a.command = command;
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
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${arg} for ${command} (see platform-actions --help)`);
    } else throw new UsageError(`unexpected argument "${arg}" for ${command} (see platform-actions --help)`);

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
        const expect = command === 'check' ? '<stage>.<name>=value' : '<name>=value';
        if (at < 1) throw new UsageError(`--input expects ${expect}; got "${value}"`);
        const key = value!.slice(0, at);
        if (command === 'check' && key.lastIndexOf('.') < 1) throw new UsageError(`--input expects ${expect}; got "${value}" (which stage? e.g. gitleaks-scan.${key}=…)`);
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
      case '--json':
        a.json = resolve(value!);
        if (existsSync(a.json) && statSync(a.json).isDirectory()) throw new UsageError(`--json: ${value} is a directory; expected a file path`);
        break;
      case '--timeout': {
        const n = Number(value);
        if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--timeout expects a number of seconds greater than 0; got "${value}"`);
        a.timeoutMs = n * 1000;
        break;
      }
    }
    if (flag === '--changed') a.changed = true;
    if (flag === '--postgres') a.postgres = true;
    if (flag === '--list') a.list = true;
  }
  if (command === 'run' && !a.action) throw new UsageError(`run needs an action name (one of: ${ourActions().join(', ')})`);
  if (command === 'run' && !ourActions().includes(a.action!)) throw new UsageError(`run: unknown action "${a.action}" (one of: ${ourActions().join(', ')})`);
  if (a.databaseUrl && a.postgres) throw new UsageError('--database-url and --postgres: give one of them, not both');
  if (command === 'run' && (a.only.length || a.skip.length || a.changed || a.list)) throw new UsageError('--only, --skip, --changed and --list are options of check, not run');
  return a;
}

function readPayload(file: string | undefined): Record<string, unknown> {
  if (!file) return {};
  if (!existsSync(file)) throw new UsageError(`--payload: ${file} does not exist`);
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`--payload: ${file} is not a JSON object (${(e as Error).message.split('\n')[0]})`);
  }
}

export interface MainIo {
  stdout: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
  /** Node for the bundles; default the Node running the CLI. */
  node?: string;
}

const defaultIo = (): MainIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

/** Runs the CLI; returns the exit code (0 clean, 1 policy failure, 2 tool or configuration error). */
export async function main(argv: string[], given: MainIo = defaultIo()): Promise<number> {
  // Not a workflow step: secrets are scrubbed from every line we print, and no ::add-mask:: is written.
  announceMasks(false);
  registerCredentials(argv);
  const io: MainIo = {
    ...given,
    stdout: { write: (s: string) => given.stdout.write(scrub(s)), isTTY: given.stdout.isTTY, columns: given.stdout.columns },
    stderr: { write: (s: string) => given.stderr.write(scrub(s)) },
  };
  const colour = useColour(io.stdout, io.env);
  const p = painter(colour);
  const err = (s: string) => io.stderr.write(`${p.red('platform-actions:')} ${s}\n`);
  try {
    const a = parseArgs(argv);
    if (a.command === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const payload = readPayload(a.payload);
    const out = { write: (s: string) => void io.stdout.write(s), isTTY: !!io.stdout.isTTY, columns: io.stdout.columns };
    const progress = new Progress(out, colour);
    let res: CheckResult;
    if (a.command === 'check') {
      // The repository's .platform-actions.yml first; flags on the command line win.
      const cfg = readRepoConfig(a.repo);
      if (!a.only.length) a.only = cfg.only;
      if (!a.skip.length) a.skip = cfg.skip;
      a.inputs = { ...cfg.inputs, ...a.inputs };
      registerCredentials(Object.entries(cfg.inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`]));
      if (cfg.postgres && !a.databaseUrl) a.postgres = true;
      res = await check({
        repo: a.repo,
        only: a.only,
        skip: a.skip,
        inputs: a.inputs,
        changed: a.changed,
        event: a.event || a.payload ? { name: a.event ?? 'workflow_dispatch', payload } : undefined,
        databaseUrl: a.databaseUrl,
        startPostgres: a.postgres ? startPostgres : undefined,
        node: io.node,
        timeoutMs: a.timeoutMs,
        listOnly: a.list,
        onStageStart: (s, i, n) => progress.start(s, i, n),
        onStageLine: (s, l) => progress.line(s, l),
        onStageEnd: (r, i, n) => progress.end(r, i, n),
      });
      if (a.list) {
        for (const s of res.stages) io.stdout.write(`${s.name}\t${s.action}\t${s.workflow} › ${s.job}\n`);
        return 0;
      }
      if (res.stages.length === 0) io.stdout.write(`No step in ${res.workflows.length} workflow(s) uses one of our actions (${ourActions().join(', ')}).\n`);
    } else {
      res = await runOne(a, payload, io, progress);
    }
    io.stdout.write(renderReport(res, colour));
    if (a.json) writeJsonReport(a.json, res, a.command);
    return res.exitCode;
  } catch (e) {
    if (e instanceof ConfigProblems) {
      for (const pr of e.problems) err(pr);
      return 2;
    }
    if (e instanceof UsageError) {
      err(e.message);
      return 2;
    }
    err(`internal error: ${(e as Error).message.split('\n')[0]}`);
    return 2;
  }
}

/** `run <action>`: one action through the runner, reported like a one-stage check. */
async function runOne(a: Args, payload: Record<string, unknown>, io: MainIo, progress: Progress): Promise<CheckResult> {
  const started = Date.now();
  const action = a.action!;
  const declared = readActionYaml(resolveActionDir(action)).inputs ?? {};
  for (const k of Object.keys(a.inputs)) {
    if (!(k in declared)) throw new UsageError(`--input ${k}: ${action} has no input "${k}" (inputs: ${Object.keys(declared).join(', ')})`);
  }
  const inputs = { ...a.inputs };
  // The same local values as check: no PR comment, system tools when on PATH, no ${{ github.token }} literal.
  if ('comment' in declared && !('comment' in inputs)) inputs.comment = 'false';
  if ('token' in declared && !('token' in inputs)) inputs.token = '';
  const tool = TOOL_INPUTS[action];
  if (tool && !(tool.input in inputs)) inputs[tool.input] = onPath(tool.bin) ? 'system' : tool.pinned;
  if (a.databaseUrl && 'database-url' in declared && !('database-url' in inputs)) inputs['database-url'] = a.databaseUrl;
  const git = gitFacts(a.repo);
  const stage = { name: action, action, workflow: '(command line)', job: 'run', with: {}, env: {}, conditions: [], inputs: {}, callChain: [], services: [], jobKey: 'run' };
  progress.start(stage, 0, 1);
  const pg = a.postgres && 'database-url' in declared && !inputs['database-url'] ? await startPostgres() : undefined;
  if (pg) inputs['database-url'] = pg.url;
  let res: StageResult;
  try {
    const r = await runAction({
      action,
      inputs,
      event: { name: a.event ?? 'workflow_dispatch', payload },
      workspace: a.repo,
      env: Object.fromEntries(Object.entries(io.env).filter(([k, v]) => v !== undefined && !/^(GITHUB_|INPUT_|RUNNER_|ACTIONS_|STATE_)/.test(k) && k !== 'CI')) as Record<
        string,
        string
      >,
      node: io.node,
      toolCache: userToolCache(),
      repository: git.repository,
      sha: git.sha,
      ref: git.branch ? `refs/heads/${git.branch}` : undefined,
      timeoutMs: a.timeoutMs,
      onLine: (l) => progress.line(stage, l),
    });
    const outcome = r.main.timedOut
      ? 'tool-error'
      : ((['clean', 'policy-failure', 'tool-error', 'config-error'] as const).find((x) => x === r.outputs.outcome) ?? (r.main.exitCode === 0 ? 'clean' : 'tool-error'));
    const counts = Object.fromEntries(SEVERITIES.map((s) => [s, Number(r.outputs[`${s}-count`] ?? 0) || 0])) as StageResult['counts'];
    const findings = stageFindings(r, a.repo);
    res = {
      name: stage.name,
      action,
      workflow: stage.workflow,
      job: stage.job,
      outcome,
      notes: [],
      errors: outcome === 'clean' || outcome === 'policy-failure' ? [] : stageErrors(r, a.timeoutMs),
      durationMs: Date.now() - started,
      findingsCount: r.outputs['findings-count'] !== undefined ? Number(r.outputs['findings-count']) : findings.length,
      counts,
      findings,
      outputs: r.outputs,
      exitCode: r.main.exitCode,
    };
  } catch (e) {
    // The runner could not start the step (no bundle, bad action.yml): a tool error, reported like one.
    res = {
      name: action,
      action,
      workflow: stage.workflow,
      job: stage.job,
      outcome: 'tool-error',
      notes: [],
      errors: [(e as Error).message.split('\n')[0]],
      durationMs: Date.now() - started,
      findingsCount: 0,
      counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
      findings: [],
      outputs: {},
      exitCode: null,
    };
  } finally {
    await pg?.stop();
  }
  progress.end(res, 0, 1);
  return {
    repo: a.repo,
    event: a.event ?? 'workflow_dispatch',
    workflows: [],
    stages: [res],
    ...verdictOf([res.outcome]),
    durationMs: Date.now() - started,
    startedAt: new Date(started).toISOString(),
  };
}
