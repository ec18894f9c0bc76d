// migration-test: prove every migration goes up, comes down without a trace, and goes up again.
// inputs → wait for PostgreSQL → tool pre-checks (heads, empty downgrades) → round-trip or stepwise run
// with catalog snapshots → findings → gate → publish → fail unless clean.
import { readdirSync, readFileSync } from 'node:fs';
import { core, expectExit, failUnlessClean, type Finding, gate, publish, runAction, UserError } from '@platform-actions/kit';
import { classifyDowngrade, parseHeads, parseHistory } from './alembic.js';
import { type Config, readConfig } from './config.js';
import { buildDriver, listRevisions, type ToolRunner, toolRunner } from './driver.js';
import { runRoundTrip, runStepwise, type RunResult } from './execute.js';
import { dedupe, locateRevision, problemsToFindings, TOOL, toFinding } from './findings.js';
import { alembicUnits, runSquawk, type SqlUnit, sqlFileUnits, squawkFindings } from './lint.js';
import { Psql, scrub } from './psql.js';
import { detailsMarkdown } from './report.js';

interface PreCheck {
  findings: Finding[];
  /** Revision ids base → head, when the tool can list them. */
  revisions?: string[];
  paths: Map<string, string>;
  /** Stop before running anything (e.g. two heads make `upgrade head` fail). */
  blocked: boolean;
}

/** Django: the app's plan. Alembic: one head, and a look at each downgrade() body. Other tools have nothing to pre-check. */
async function preCheck(cfg: Config, tool: ToolRunner): Promise<PreCheck> {
  const out: PreCheck = { findings: [], paths: new Map(), blocked: false };
  if (cfg.preset.listRevisions) {
    out.revisions = await listRevisions(cfg, tool);
    if (out.revisions.length === 0) throw new UserError(`${cfg.preset.name}: ${cfg.preset.listRevisions.args.join(' ')} lists no migration; check django-app and working-directory`);
  }
  if (cfg.preset.name !== 'alembic') return out;
  const ask = async (args: string[]) => scrub(expectExit(await tool.run(args), [0], `alembic ${args.join(' ')}`).stdout, cfg.target.password);
  const revs = parseHistory(await ask(['history', '--verbose']));
  for (const r of revs) if (r.path) out.paths.set(r.id, r.path);
  const loc = (id: string) => locateRevision(id, cfg.migrationsAbs, out.paths);
  const heads = parseHeads(await ask(['heads']));
  if (heads.length > 1) {
    out.blocked = true;
    for (const h of heads) {
      out.findings.push(
        toFinding({ rule: 'multiple-heads', revision: h, path: loc(h), message: `${heads.length} heads (${heads.join(', ')}): ${h} is one of them; merge them with \`alembic merge heads\`` }),
      );
    }
    return out;
  }
  out.revisions = revs.map((r) => r.id);
  for (const r of revs) {
    if (!r.path) continue;
    const kind = classifyDowngrade(readFileSync(r.path, 'utf8'));
    if (kind.kind === 'irreversible') cfg.irreversible.add(r.id);
    if (kind.kind === 'empty' && !cfg.irreversible.has(r.id)) {
      out.findings.push(
        toFinding({ rule: 'empty-downgrade-source', revision: r.id, path: loc(r.id), line: kind.line, message: `downgrade() of ${r.id} is empty: it undoes nothing` }),
      );
    }
  }
  return out;
}

async function execute(cfg: Config, psql: Psql, tool: ToolRunner, pre: PreCheck): Promise<RunResult> {
  const driver = buildDriver(cfg, psql, tool);
  const fromFiles = cfg.preset.revisionsFromFiles?.(readdirSync(cfg.migrationsAbs));
  if (cfg.mode === 'stepwise') return runStepwise(driver, { revisions: pre.revisions ?? fromFiles, irreversible: cfg.irreversible });
  return runRoundTrip(driver, cfg.downSteps, pre.revisions ?? fromFiles);
}

/** squawk over the migrations' SQL: Alembic's offline SQL per revision, else the .sql files in the migrations dir. */
async function lint(cfg: Config, tool: ToolRunner, pgMajor: number, locate: (rev: string) => string | undefined): Promise<Finding[]> {
  let units: SqlUnit[] = [];
  if (cfg.preset.name === 'alembic') {
    const r = await tool.run(['upgrade', 'head', '--sql']);
    if (r.exitCode === 0) units = alembicUnits(r.stdout, locate);
    else core.warning(`lint: alembic offline mode (upgrade head --sql) failed, so Alembic migrations were not linted; does env.py handle context.is_offline_mode()?`);
  } else units = sqlFileUnits(cfg.migrationsAbs);
  if (units.length === 0) {
    core.notice(`lint: no migration SQL found in ${cfg.migrationsDir}`);
    return [];
  }
  const violations = await runSquawk(units, { squawk: cfg.squawk, pgMajor, exclude: cfg.squawkExclude, inTransaction: cfg.preset.name === 'alembic', timeoutMs: 120_000 });
  return squawkFindings(violations, units);
}

async function main(): Promise<void> {
  const cfg = readConfig();
  const psql = new Psql({ bin: cfg.psql, target: cfg.target, timeoutMs: 120_000 });
  const version = await psql.waitReady(cfg.waitTimeoutMs);
  core.info(`${TOOL}: PostgreSQL ${version} at ${cfg.target.display}; ${cfg.preset.name}, mode ${cfg.mode}, migrations in ${cfg.migrationsDir}`);

  const tool = toolRunner(cfg);
  const pre = await preCheck(cfg, tool);
  const run: RunResult = pre.blocked ? { mode: cfg.mode, rows: [], problems: [] } : await execute(cfg, psql, tool, pre);
  for (const p of run.problems) {
    core.startGroup(`${p.rule}: ${p.revision}`);
    core.info(p.message);
    if (p.diff ?? p.output) core.info((p.diff ?? p.output)!);
    core.endGroup();
  }

  const locate = (rev: string) => locateRevision(rev, cfg.migrationsAbs, pre.paths);
  const lintFindings = cfg.lint ? await lint(cfg, tool, Math.floor(version / 10_000), locate) : [];
  const findings = dedupe([...problemsToFindings(run.problems, locate), ...pre.findings, ...lintFindings]);
  const g = gate({ findings, failOn: cfg.failOn });
  const failing = run.problems[0]?.revision ?? pre.findings.find((f) => f.ruleId === 'multiple-heads')?.properties?.revision;
  core.setOutput('failing-revision', failing ?? '');
  core.setOutput('head-revision', run.head?.revision ?? '');
  core.setOutput('steps-count', run.rows.length);
  if (run.problems.length === 0 && !pre.blocked && !run.rows.length) {
    throw new UserError(`no migration to test: ${cfg.preset.name} found nothing to apply in ${cfg.migrationsDir} (is the database already at head, or migrations-dir wrong?)`);
  }
  await publish({
    action: TOOL,
    title: 'Migration test',
    gate: g,
    sarif: {
      path: cfg.sarifFile,
      runs: [
        { tool: { name: TOOL }, category: `${TOOL}/${cfg.migrationsDir}`, findings: g.active.filter((f) => !f.ruleId.startsWith('squawk/')) },
        ...(cfg.lint ? [{ tool: { name: 'squawk' }, category: `${TOOL}/squawk/${cfg.migrationsDir}`, findings: g.active.filter((f) => f.ruleId.startsWith('squawk/')) }] : []),
      ],
    },
    details: detailsMarkdown(run, { tool: cfg.preset.name, database: cfg.target.display, columnOrder: cfg.columnOrder }),
    comment: cfg.comment ? { token: cfg.token } : undefined,
  });
  failUnlessClean(TOOL, g, cfg.failOn);
}

await runAction({ name: TOOL, main });
