// The Alembic phase: one Python session reads the history, proves env.py loads and connects (a setup problem
// is reported as such before any migration runs), then the mode walks the graph by revision ids. A failure
// that leaves the database in an unknown state continues on a fresh database, dropped again at the end.
import { core, type Finding, InputError, ToolError, UserError } from '@platform-actions/kit';
import { alembicRoundTrip, alembicStepwise, describeGraph, topoOrder } from './alembic-run.js';
import { headline, setupError } from './alembic-errors.js';
import { type AlembicInfo, AlembicSession, SessionError } from './alembic-session.js';

import { alembicModelFindings } from './models.js';
import type { Settings } from './settings.js';
import { seedFile } from './settings.js';
import type { RunResult } from './execute.js';
import { alembicPreCheck, type PreCheck } from './precheck.js';
import { Psql } from './psql.js';
import { secrets } from './secrets.js';
import { parseSnapshot, snapshotSql } from './snapshot.js';
import { ACTION } from './action.js';

export interface PhaseResult {
  pre: PreCheck;
  run: RunResult;
  /** Nothing to test (no revisions): a notice, not a failure. */
  empty?: boolean;
}

function sessionEnv(cfg: Settings, url: string): Record<string, string> {
  const env: Record<string, string> = { [cfg.urlEnv]: url, PGCONNECT_TIMEOUT: '10' };
  if (cfg.pgOptions) env.PGOPTIONS = [process.env.PGOPTIONS, cfg.pgOptions].filter(Boolean).join(' ');
  return env;
}

/** Turns a failure to read the project into a config or tool error with its fix. */
function setupFailure(err: SessionError, cfg: Settings, revFiles: Map<string, string>, envPy?: string): Error {
  const e = err.error;
  if (e)
    return (
      setupError(e, { envPy, revFiles, urlEnv: cfg.urlEnv }, err.what.replace(/^alembic: /, '')) ??
      new ToolError(secrets.scrub(err.message), secrets.scrub(err.output + '\n' + e.traceback))
    );
  return new ToolError(secrets.scrub(err.message), secrets.scrub(err.output));
}

/**
 * check-models: at heads, what autogenerate finds between the models and the database. Skipped with a
 * notice when the run did not end at heads (a failed upgrade): the models would be compared with a schema
 * the migrations did not finish building.
 */
async function compareModels(session: AlembicSession, info: AlembicInfo, cfg: Settings): Promise<Finding[]> {
  const cur = await session.current();
  const heads = [...info.heads].sort().join(',');
  if (!cur.ok || [...cur.heads].sort().join(',') !== heads) {
    core.notice(`${ACTION}: check-models skipped: the database did not end at heads (${heads}), so the models cannot be compared with what the migrations build`);
    return [];
  }
  const r = await session.models(cfg.checkModels?.metadata);
  if (!r.ok) throw new ToolError(`comparing the models with the migrated schema failed: ${secrets.scrub(r.error ? headline(r.error) : 'no answer')}`, secrets.scrub(r.output));
  const findings = alembicModelFindings(r.diffs, { head: heads, file: r.file ?? info.envPy });
  core.info(`${findings.length} difference(s) between the models and the migrated schema`);
  return findings;
}

export async function testAlembic(cfg: Settings, psql: Psql): Promise<PhaseResult> {
  const session = new AlembicSession({ program: cfg.preset.program, cwd: cfg.workdir, env: sessionEnv(cfg, cfg.databaseUrl), timeoutMs: cfg.commandTimeoutMs });
  const created: string[] = [];
  const original = cfg.target.database;
  try {
    const info = await core.group('Alembic: revision history', async () => {
      try {
        return await session.info();
      } catch (err) {
        throw err instanceof SessionError ? setupFailure(err, cfg, new Map()) : err;
      }
    });
    const revFiles = new Map(info.revisions.filter((r) => r.path).map((r) => [r.path!, r.id]));
    const pre = alembicPreCheck(cfg, info);
    const order = topoOrder(info.revisions);
    core.info(`${order.length} revision(s), ${info.heads.length} head(s): ${describeGraph(order, new Map(info.revisions.map((r) => [r.id, r])))}`);
    if (order.length === 0) return { pre, run: { mode: cfg.mode, rows: [], problems: [] }, empty: true };

    // env.py runs once without migrating: a bad URL scheme, a missing driver, a broken env.py or a refused
    // connection is reported here, as what it is, before any migration is blamed.
    const probe = await session.current();
    if (!probe.ok) {
      const setup = { envPy: info.envPy, revFiles, urlEnv: cfg.urlEnv };
      if (probe.error)
        throw (
          setupError(probe.error, setup, 'connecting through env.py') ??
          new ToolError(`env.py failed: ${secrets.scrub(probe.error.message.split('\n')[0])}`, secrets.scrub(probe.output + probe.error.traceback))
        );
      throw new ToolError(`env.py did not finish${probe.timedOut ? ' within command-timeout' : ''}`, secrets.scrub(probe.output));
    }

    // check-models names the models' metadata: it must import before any migration runs.
    const spec = cfg.checkModels?.metadata;
    if (cfg.checkModels && !spec && (await session.models()).noMetadata) {
      throw new UserError(
        `check-models is true but env.py passes no target_metadata to context.configure(); name the models' metadata instead, e.g. check-models: app.models:Base.metadata`,
      );
    }
    if (spec) {
      const loaded = await session.loadModels(spec);
      if (!loaded.ok) {
        const why = loaded.error ? headline(loaded.error) : 'the Python process did not answer';
        throw new InputError('check-models', `must name the models' metadata as module:attribute importable from working-directory (${secrets.scrub(why)})`, spec);
      }
    }

    const sql = snapshotSql({ columnOrder: cfg.columnOrder, excludeTables: cfg.excludeTables });
    let k = 0;
    const ctx = {
      session,
      info,
      snapshot: async () => parseSnapshot(await psql.query(sql, 'schema snapshot (psql)')),
      seed: async (revision: string) => {
        const f = seedFile(cfg, revision);
        if (!f) return undefined;
        const err = await psql.file(f);
        return err ? secrets.scrub(err) : undefined;
      },
      freshDatabase: async () => {
        // A fresh database on the same server (the role that runs migrations can usually create one in a CI
        // service container); the URL keeps its scheme, credentials and query, with only the name changed.
        const name = `${original.slice(0, 50)}_mt${++k}`;
        psql.useDatabase(original);
        await psql.dropDatabase(name, original);
        await psql.createDatabase(name);
        created.push(name);
        psql.useDatabase(name);
        const u = new URL(cfg.databaseUrl);
        u.pathname = `/${encodeURIComponent(name)}`;
        secrets.addDatabaseUrl(u.href);
        core.info(`continuing on a fresh database ${name}`);
        await session.reconfigure(sessionEnv(cfg, u.href));
      },
      irreversible: cfg.irreversible,
      setup: { envPy: info.envPy, revFiles, urlEnv: cfg.urlEnv },
      scrub: (t: string) => secrets.scrub(t),
      maxFailures: cfg.maxFailures,
      columnOrder: cfg.columnOrder,
    };
    const run = await core.group(`Alembic: ${cfg.mode}`, () => (cfg.mode === 'stepwise' ? alembicStepwise(ctx, order) : alembicRoundTrip(ctx, order, cfg.downSteps)));
    if (cfg.checkModels && !run.stopped) pre.findings.push(...(await core.group('Alembic: do the models match the migrations?', () => compareModels(session, info, cfg))));
    return { pre, run };
  } finally {
    await session.close();
    if (created.length) {
      psql.useDatabase(original);
      for (const name of created) await psql.dropDatabase(name, original);
    }
  }
}
