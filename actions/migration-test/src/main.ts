// migration-test: prove every migration goes up, comes down without a trace, and goes up again.
// inputs → wait for PostgreSQL → pre-checks and the test run (Alembic: one Python session walking the
// revision graph; other tools: their commands) with catalog snapshots → lint → findings → gate → publish →
// fail unless clean.
import { core, failUnlessClean, type Finding, gate, publish, ToolError } from '@platform-actions/kit';
import { testAlembic } from './alembic-test.js';
import { type Settings, readSettings } from './settings.js';
import { toolRunner } from './driver.js';
import type { RunResult } from './execute.js';
import { failingRevision, firstOfEachFingerprint, locateRevision, problemsToFindings } from './findings.js';
import { testGeneric } from './generic-test.js';
import { lint } from './lint.js';
import type { PreCheck } from './precheck.js';
import { Psql } from './psql.js';
import { detailsMarkdown } from './report.js';
import { secrets } from './secrets.js';
import { ACTION } from './action.js';

/**
 * One finding per defect: an empty downgrade() seen in the source and again by the snapshots is one finding
 * (the snapshot's, which carries the diff), placed at `def downgrade`.
 */
function mergeFindings(pre: PreCheck, run: RunResult, cfg: Settings): Finding[] {
  const locate = (rev: string) => locateRevision(rev, cfg.migrationsAbs, pre.paths);
  const dynamicDown = new Set(run.problems.filter((p) => p.phase === 'down').map((p) => p.revision));
  for (const p of run.problems) if (p.phase === 'down' && !p.line && pre.downLines.has(p.revision)) p.line = pre.downLines.get(p.revision);
  const preFindings = pre.findings.filter((f) => !(f.ruleId === 'empty-downgrade-source' && dynamicDown.has(String(f.properties?.revision))));
  return firstOfEachFingerprint([...problemsToFindings(run.problems, locate), ...preFindings]);
}

type Phase = { pre: PreCheck; run: RunResult; empty?: boolean };

/** The test run; a tool error part-way (the server went away, a command hung) still publishes what was tested. */
async function testMigrations(cfg: Settings, psql: Psql): Promise<Phase & { toolErrors: string[] }> {
  const toolErrors: string[] = [];
  let phase: Phase = { pre: { findings: [], paths: new Map(), downLines: new Map() }, run: { mode: cfg.mode, rows: [], problems: [] } };
  const keep = async (err: ToolError) => {
    if (err.detail) await core.group(`${ACTION}: tool output`, async () => core.untrusted(secrets.scrub(err.detail!)));
    toolErrors.push(secrets.scrub(err.message));
  };
  try {
    phase = cfg.preset.name === 'alembic' ? await testAlembic(cfg, psql) : await testGeneric(cfg, psql);
  } catch (err) {
    if (!(err instanceof ToolError)) throw err;
    await keep(err);
  }
  // Stopped part-way by a tool error: what was tested before it is still reported, next to the error.
  if (phase.run.stopped) await keep(phase.run.stopped);
  if (phase.empty) core.notice(`${ACTION}: ${cfg.preset.name} has no revisions in ${cfg.migrationsDir}: nothing to test`);
  else if (!toolErrors.length && phase.run.rows.length === 0 && phase.run.problems.length === 0) {
    core.notice(`${ACTION}: ${cfg.preset.name} found nothing to apply in ${cfg.migrationsDir} (is the database already at head, or migrations-dir wrong?)`);
  }
  return { ...phase, toolErrors };
}

/** Each problem in its own log group: the message, then the diff or the tool's output. */
function logProblems(run: RunResult): void {
  for (const p of run.problems) {
    core.startGroup(`${p.rule}: ${p.revision}`);
    core.untrusted(secrets.scrub(p.message));
    const body = [p.diff ?? p.output, p.detail].filter(Boolean).join('\n');
    if (body) core.untrusted(secrets.scrub(body)); // tool output: no line of it may act as a workflow command
    core.endGroup();
  }
}

export async function main(): Promise<void> {
  const cfg = readSettings();
  const psql = new Psql({ bin: cfg.psql, target: cfg.target, timeoutMs: 120_000 });
  const version = await core.group('Wait for PostgreSQL', () => psql.waitReady(cfg.waitTimeoutMs));
  core.info(`${ACTION}: PostgreSQL ${version} at ${cfg.target.display}; ${cfg.preset.name}, mode ${cfg.mode}, migrations in ${cfg.migrationsDir}`);

  const { pre, run, toolErrors } = await testMigrations(cfg, psql);
  logProblems(run);

  const locate = (rev: string) => locateRevision(rev, cfg.migrationsAbs, pre.paths);
  const lintFindings = cfg.lint && !toolErrors.length ? await core.group('Lint (squawk)', () => lint(cfg, toolRunner(cfg), Math.floor(version / 10_000), locate)) : [];
  // Everything below is written somewhere (log, annotations, SARIF, summary, comment): scrubbed once here.
  const findings = secrets.scrubDeep([...mergeFindings(pre, run, cfg), ...lintFindings]);
  const g = gate({ findings, failOn: cfg.failOn, toolErrors });
  core.setOutput('failing-revision', failingRevision(g.failing, run) ?? '');
  core.setOutput('head-revision', run.head?.revision ?? '');
  core.setOutput('steps-count', run.rows.length);
  await publish({
    action: ACTION,
    title: 'Migration test',
    gate: g,
    sarif: {
      path: cfg.sarifFile,
      inSummary: false, // a path on the runner means nothing to a reader; the sarif-file output names it
      runs: [
        { tool: { name: ACTION }, category: `${ACTION}/${cfg.migrationsDir}`, findings: g.active.filter((f) => !f.ruleId.startsWith('squawk/')) },
        ...(cfg.lint ? [{ tool: { name: 'squawk' }, category: `${ACTION}/squawk/${cfg.migrationsDir}`, findings: g.active.filter((f) => f.ruleId.startsWith('squawk/')) }] : []),
      ],
    },
    details: secrets.scrub(detailsMarkdown(secrets.scrubDeep(run), { tool: cfg.preset.name, database: cfg.target.display, columnOrder: cfg.columnOrder })),
    comment: cfg.comment ? { token: cfg.token } : undefined,
  });
  failUnlessClean(ACTION, g, cfg.failOn);
}
