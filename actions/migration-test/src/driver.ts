// The Driver the test modes use, built from a preset: the tool's commands run through the kit's exec
// (argument arrays, timeout, process group), the database URL handed over in an environment variable,
// and snapshots and revision labels read with psql.
import { exec, type ExecResult, expectExit, signalReason, tail, ToolError } from '@platform-actions/kit';
import { readdirSync, readFileSync } from 'node:fs';
import type { Settings } from './settings.js';
import { seedFile } from './settings.js';
import type { CommandOutcome, Driver } from './execute.js';
import { djangoMoves } from './django-driver.js';
import { type Psql, scrub } from './psql.js';
import { parseSnapshot, snapshotSql } from './snapshot.js';

export interface ToolRunner {
  run(args: readonly string[]): Promise<ExecResult>;
}

/** Runs the preset's program with `args` in the working directory, the URL in `url-env`. */
export function toolRunner(cfg: Settings): ToolRunner {
  const [program, ...lead] = cfg.preset.program;
  const env: Record<string, string> = { [cfg.urlEnv]: cfg.databaseUrl };
  if (cfg.pgOptions) env.PGOPTIONS = [process.env.PGOPTIONS, cfg.pgOptions].filter(Boolean).join(' ');
  return {
    run: (args) => {
      const argv = (program === undefined ? [...args] : [program, ...lead, ...args]).map((a) => (a === '{dir}' ? cfg.migrationsAbs : a === '{url}' ? cfg.databaseUrl : a));
      return exec(argv[0], argv.slice(1), { cwd: cfg.workdir, env, timeoutMs: cfg.commandTimeoutMs });
    },
  };
}

function outcome(r: ExecResult, secret: string | undefined): CommandOutcome {
  const text = scrub(tail(`${r.stdout}\n${r.stderr}`.trim(), 30), secret);
  // A tool killed by a signal we did not send (SIGKILL from the out-of-memory killer) tells nothing about
  // the migration: it is a tool error, never a finding blamed on the user's migration.
  const killed = !r.timedOut && signalReason(r.signal, r.exitCode);
  if (killed) throw new ToolError(`${r.command} ${killed}`, text);
  return { ok: r.exitCode === 0 && !r.timedOut, output: r.timedOut ? `${text}\n(timed out after ${Math.round(r.durationMs / 1000)}s)` : text, durationMs: r.durationMs };
}

export function buildDriver(cfg: Settings, psql: Psql, tool: ToolRunner): Driver {
  const p = cfg.preset;
  const sql = snapshotSql({ columnOrder: cfg.columnOrder, excludeTables: cfg.excludeTables });
  const run = async (args: readonly string[]) => outcome(await tool.run(args), cfg.target.password);
  let currentSql = p.currentSql;
  const lit = (x: string) => `'${x.replace(/'/g, "''")}'`;
  // A custom tool's bookkeeping table: label the revision by its newest name/version column when it has one
  // (migration names start with a number or timestamp, so the greatest is the newest); else by a hash of
  // the rows, which still tells when a step changed nothing.
  const customCurrentSql = async (table: string): Promise<string> => {
    const cols = (await psql.query(`SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(${lit(table)}) AND attnum > 0 AND NOT attisdropped`))
      .split('\0')
      .map((c) => c.trim());
    const col = ['name', 'version', 'version_num', 'migration', 'filename'].find((c) => cols.includes(c));
    const rel = `"${table.replace(/"/g, '""').replace(/\./g, '"."')}"`;
    return col ? `SELECT max("${col}"::text) FROM ${rel}` : `SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM ${rel} t`;
  };
  // Tools that step by naming a target (Rails): the versions are read once, the target filled in per step.
  // Django steps by its app's plan instead (django-driver.ts).
  let plan: string[] | undefined;
  const step = async (args: readonly string[]): Promise<CommandOutcome> => {
    if (!args.some((a) => /\{(next|previous)\}/.test(a))) return withIrreversible(await run(args));
    plan ??= p.revisionsFromFiles?.(readdirSync(cfg.migrationsAbs)) ?? [];
    const t = stepTargets(plan, await driver.current());
    if (args.some((a) => a.includes('{next}')) && t.next === undefined) return run(p.up); // at head: a no-op, as "+1" is for other tools
    return withIrreversible(await run(args.map((a) => a.replace('{next}', t.next ?? '').replace('{previous}', t.previous))));
  };
  const withIrreversible = (r: CommandOutcome): CommandOutcome => {
    const irreversible = !r.ok && p.irreversible ? p.irreversible(r.output) : undefined;
    return irreversible ? { ...r, irreversible } : r;
  };
  const driver: Driver = {
    snapshot: async () => parseSnapshot(await psql.query(sql, 'schema snapshot (psql)')),
    async current() {
      if (!p.currentTable) return '';
      const exists = (await psql.query(`SELECT to_regclass(${lit(p.currentTable)}) IS NOT NULL`)).replace(/\0/g, '').trim();
      if (exists !== 't') return '';
      currentSql ??= await customCurrentSql(p.currentTable);
      return (await psql.query(currentSql, 'current revision (psql)')).replace(/\0/g, '').trim();
    },
    up: () => run(p.up),
    upOne: p.upOne ? () => step(p.upOne!) : undefined,
    downOne: p.downOne ? () => step(p.downOne!) : undefined,
    downN: p.downN ? async (n) => withIrreversible(await run(p.downN!(n))) : undefined,
    async seed(revision) {
      const f = seedFile(cfg, revision);
      if (!f) return undefined;
      readFileSync(f); // fail early (ENOENT/EACCES) with Node's message rather than psql's
      const err = await psql.file(f);
      return err ? scrub(err, cfg.target.password) : undefined;
    },
  };
  if (p.djangoApp) {
    const read = async (args: readonly string[]) => scrub(expectExit(await tool.run(args), [0], `manage.py ${args.join(' ')}`).stdout, cfg.target.password);
    Object.assign(driver, djangoMoves(p.djangoApp, { run: async (args) => withIrreversible(await run(args)), read, planArgs: p.listRevisions!.args }));
  }
  return driver;
}

/** `{next}` / `{previous}` for the step from `current` (a name, or '' at base) in `plan`. */
export function stepTargets(plan: readonly string[], current: string): { next: string | undefined; previous: string } {
  const i = current ? plan.indexOf(current) : -1;
  return { next: plan[i + 1], previous: i > 0 ? plan[i - 1] : 'zero' };
}

/** Revision labels base → head from the preset's list command (Django's showmigrations). */
export async function listRevisions(cfg: Settings, tool: ToolRunner): Promise<string[]> {
  const l = cfg.preset.listRevisions;
  if (!l) return [];
  const r = await tool.run(l.args);
  return l.parse(scrub(expectExit(r, [0], `${cfg.preset.name} ${l.args.join(' ')}`).stdout, cfg.target.password));
}
