// `platform-actions`: run the checks a repository's GitHub workflows run with our actions, here, before
// pushing (with --run-steps, the whole pipeline). Exit codes: 0 clean, 1 policy failure or (--run-steps) a
// failed step, 2 tool or configuration error (also bad flags).
import { announceMasks, scrub } from '@platform-actions/kit';
import { existsSync, readFileSync } from 'node:fs';
import { type Args, jsonTarget, parseArgs, registerCredentials, USAGE } from './args.js';
import { versionLine } from './assets.js';
import { check, type CheckOptions, type CheckResult, failedResult, runOne } from './check.js';
import { readRepoConfig } from './repo-config.js';
import { prePush, stopLine } from './hook.js';
import { gitRoot } from './local.js';
import { flagPostgres, flagRedis } from './services.js';
import { painter, Progress, renderNotes, renderReport, useColour } from './render.js';
import { jobEndLines, jobHeader, renderJobsList, renderJobsReport, stepDetails, stepLine } from './render-jobs.js';
import { writeJsonReport } from './report.js';
import { UsageError } from './workflows.js';

export { parseArgs, USAGE } from './args.js';

export interface MainIo {
  stdout: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
  /** Standard input (the refs git gives a pre-push hook); undefined when it is a terminal. */
  stdin?: () => Promise<string>;
  /** Node for the bundles; default the Node running the CLI. */
  node?: string;
  cwd?: string;
}

const readStdin = async (): Promise<string> => {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
};

const defaultIo = (): MainIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env, stdin: process.stdin.isTTY ? undefined : readStdin });

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

/** What check, run and pre-push share: the repository, its .platform-actions.yml under the flags, and progress. */
function commonOptions(a: Args, io: MainIo, progress: Progress): CheckOptions {
  // check works from any folder of the repository: the default is its root, not the current folder.
  const cwd = io.cwd ?? process.cwd();
  const repo = a.repo ?? gitRoot(cwd) ?? cwd;
  const cfg = readRepoConfig(repo);
  registerCredentials(Object.entries(cfg.inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`]));
  const payload = readPayload(a.payload);
  const paint = painter(progress.colour);
  return {
    repo,
    only: a.only.length ? a.only : cfg.only,
    skip: a.skip.length ? a.skip : cfg.skip,
    inputs: { ...cfg.inputs, ...a.inputs },
    repositories: cfg.repositories,
    changed: a.changed,
    event: a.event || a.payload ? { name: a.event ?? 'workflow_dispatch', payload } : undefined,
    databaseUrl: a.databaseUrl,
    startPostgres: a.postgres || (cfg.postgres && !a.databaseUrl) ? (opts) => flagPostgres(opts) : undefined,
    startRedis: a.redis || (cfg.redis && a.runSteps) ? (opts) => flagRedis(opts) : undefined,
    runSteps: a.runSteps,
    node: io.node,
    timeoutMs: a.timeoutMs,
    listOnly: a.list,
    onNotes: (notes) => progress.write(renderNotes(notes, progress.colour)),
    onStageStart: (s, i, n) => progress.start(s, i, n),
    onStageLine: (s, l) => progress.line(s, l),
    onStageEnd: (r, i, n) => progress.end(r, i, n),
    onJobStart: (j) => progress.write(jobHeader(j, paint)),
    onStepStart: (l, i, n) => progress.start(l, i, n),
    onStepLine: (l, line) => progress.line(l, line),
    onStepEnd: (r, i, n, job) => progress.finish(stepLine(r, i, n, paint, job), stepDetails(r, paint)),
    onJobEnd: (r) => {
      for (const l of jobEndLines(r, paint)) progress.write(`${l}\n`);
    },
  };
}

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
  const out = { write: (s: string) => void io.stdout.write(s), isTTY: !!io.stdout.isTTY, columns: io.stdout.columns };
  let a: Args | undefined;
  let res: CheckResult;
  try {
    a = parseArgs(argv);
    if (a.command === 'usage') {
      io.stderr.write(`${USAGE}\n`);
      return 2;
    }
    if (a.command === 'help' || a.command === 'version') {
      io.stdout.write(`${a.command === 'help' ? USAGE : versionLine()}\n`);
      return 0;
    }
    const o = commonOptions(a, io, new Progress(out, colour));
    if (a.command === 'pre-push') res = await prePush(o, { remote: a.remote, stdin: io.stdin, env: io.env, out, colour });
    else {
      res = a.command === 'run' ? await runOne({ ...o, inputs: a.inputs, action: a.action! }) : await check(o);
      if (!res.errors.length) out.write(a.list ? (res.jobs ? renderJobsList(res) : renderList(res)) : res.jobs ? renderJobsReport(res, colour) : renderReport(res, colour));
    }
  } catch (e) {
    const line = e instanceof UsageError ? e.message : `internal error: ${(e as Error).message.split('\n')[0]}`;
    res = failedResult(a?.repo ?? io.cwd ?? process.cwd(), [line]);
  }
  for (const e of res.errors) err(e);
  const json = a?.json ?? jsonTarget(argv);
  if (json) {
    try {
      writeJsonReport(json, res, a?.command === 'run' ? 'run' : 'check');
    } catch (e) {
      err(`--json: could not write ${json} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      return 2;
    }
  }
  // A stopped push ends with what stopped it and the way out (git shows the hook's output on stderr).
  if (a?.command === 'pre-push' && res.exitCode !== 0) io.stderr.write(`${stopLine(res, p)}\n`);
  return res.exitCode;
}

/** `--list`: one line per stage, then what it still needs or why it would be skipped. */
function renderList(res: CheckResult): string {
  const lines = res.stages.map((s) => [`${s.name}\t${s.action}\t${s.workflow} › ${s.job}`, ...s.notes.filter((n) => !n.startsWith('listed')).map((n) => `  ${n}`)].join('\n'));
  if (res.notOurs.length) lines.push(`not ours, not run: ${res.notOurs.map((n) => n.uses).join(', ')}`);
  return lines.join('\n') + '\n';
}
