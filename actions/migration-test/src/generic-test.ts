// Every tool but Alembic: its own commands through the generic Driver (execute.ts), the plan read first when
// the tool can list it (Django), and for Django the models compared with the migrations when asked.
import { readdirSync } from 'node:fs';
import { core } from '@platform-actions/kit';
import type { Settings } from './settings.js';
import { buildDriver, toolRunner } from './driver.js';
import { keepPartial, runRoundTrip, runStepwise, type RunResult } from './execute.js';
import { djangoModelFindings } from './models.js';
import { genericPreCheck, type PreCheck } from './precheck.js';
import type { Psql } from './psql.js';

/** Every tool but Alembic: its own commands through the generic Driver. */
export async function testGeneric(cfg: Settings, psql: Psql): Promise<{ pre: PreCheck; run: RunResult }> {
  const tool = toolRunner(cfg);
  const pre = await genericPreCheck(cfg, tool);
  const driver = buildDriver(cfg, psql, tool);
  const revisions = pre.revisions ?? cfg.preset.revisionsFromFiles?.(readdirSync(cfg.migrationsAbs));
  const run = await core.group(`${cfg.preset.name}: ${cfg.mode}`, () =>
    cfg.mode === 'stepwise'
      ? runStepwise(driver, { revisions, irreversible: cfg.irreversible, columnOrder: cfg.columnOrder })
      : runRoundTrip(driver, cfg.downSteps, { revisions, columnOrder: cfg.columnOrder }),
  );
  // Django compares the models with the migration files (not the database): whatever the run found.
  if (cfg.checkModels && cfg.preset.djangoApp) {
    const head = pre.revisions?.at(-1) ?? '';
    await keepPartial(run, async () => {
      pre.findings.push(...(await core.group('django: do the models match the migrations?', () => djangoModelFindings(cfg, tool, head))));
    });
  }
  return { pre, run };
}
