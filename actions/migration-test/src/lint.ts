// Optional lint of the migrations' SQL with squawk (dangerous DDL: NOT NULL without a default, DROP COLUMN,
// non-concurrent index creation, …). SQL comes from the migrations' .sql files or, for Alembic, from its
// offline mode (`upgrade head --sql`), split per revision so every finding points at its revision file.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { core, exec, type Finding, fingerprint, type Severity, ToolError, workspace } from '@platform-actions/kit';
import type { Settings } from './settings.js';
import type { ToolRunner } from './driver.js';
import { ACTION } from './action.js';

export interface SqlUnit {
  /** File squawk reads. */
  sqlPath: string;
  /** Repository-relative file the finding points at (the .sql file itself, or the Alembic revision file). */
  location: string;
  /** True when sqlPath is generated SQL, so its line numbers do not apply to `location`. */
  generated: boolean;
  revision?: string;
}

export interface SquawkViolation {
  file: string;
  line: number;
  column: number;
  level: string;
  message: string;
  help: string | null;
  rule_name: string;
}

/** Rules about operations that lock or break a live table: worth failing a PR over (the rest are hygiene). */
const DANGEROUS = new Set([
  'adding-required-field',
  'adding-not-nullable-field',
  'adding-field-with-default',
  'adding-foreign-key-constraint',
  'constraint-missing-not-valid',
  'changing-column-type',
  'ban-drop-column',
  'ban-drop-table',
  'ban-drop-database',
  'ban-drop-not-null',
  'require-concurrent-index-creation',
  'require-concurrent-index-deletion',
  'ban-concurrent-index-creation-in-transaction',
  'renaming-column',
  'renaming-table',
  'disallowed-unique-constraint',
  'adding-serial-primary-key-field',
]);

function squawkSeverity(v: SquawkViolation): Severity {
  if (DANGEROUS.has(v.rule_name)) return 'medium';
  return v.level.toLowerCase() === 'error' ? 'medium' : 'low';
}

/** Every .sql file under the migrations directory, sorted. */
export function sqlFileUnits(dir: string): SqlUnit[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => ({ sqlPath: join(dir, f), location: relative(workspace(), join(dir, f)).split('\\').join('/'), generated: false }));
}

/** Splits `alembic upgrade head --sql` output at its "-- Running upgrade A -> B" markers; drops the alembic_version bookkeeping. */
export function splitAlembicSql(sql: string): Array<{ revision: string; sql: string }> {
  const parts: Array<{ revision: string; sql: string }> = [];
  const re = /^-- Running upgrade\s+(?:\S*\s+)?->\s+(\S+)\s*$/gm;
  const marks = [...sql.matchAll(re)];
  marks.forEach((m, i) => {
    const end = i + 1 < marks.length ? marks[i + 1].index : sql.length;
    const body = sql
      .slice(m.index + m[0].length, end)
      .replace(/^(?:INSERT INTO|UPDATE) alembic_version\b[^;]*;\s*$/gm, '')
      .replace(/^COMMIT;\s*$/gm, '')
      .trim();
    parts.push({ revision: m[1], sql: body ? `${body}\n` : '' });
  });
  return parts.filter((p) => p.sql !== '');
}

/** Writes each revision's SQL to a temp file for squawk. */
export function alembicUnits(sql: string, locate: (rev: string) => string | undefined): SqlUnit[] {
  const dir = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'migration-test-sql-'));
  return splitAlembicSql(sql).map((p) => {
    const sqlPath = join(dir, `${p.revision.replace(/[^\w.-]/g, '_')}.sql`);
    writeFileSync(sqlPath, p.sql);
    return { sqlPath, location: locate(p.revision) ?? sqlPath, generated: true, revision: p.revision };
  });
}

function parseSquawk(stdout: string): SquawkViolation[] {
  const text = stdout.trim();
  if (text === '') return [];
  try {
    const v = JSON.parse(text) as unknown;
    if (!Array.isArray(v)) throw new Error('not an array');
    return v as SquawkViolation[];
  } catch (e) {
    throw new ToolError(`squawk printed output that is not its JSON report (${(e as Error).message})`, text.slice(0, 2000));
  }
}

export function squawkFindings(violations: readonly SquawkViolation[], units: readonly SqlUnit[]): Finding[] {
  const byPath = new Map(units.map((u) => [u.sqlPath, u]));
  return violations.map((v): Finding => {
    const u = byPath.get(v.file) ?? [...byPath.values()].find((x) => x.sqlPath.endsWith(`/${v.file}`));
    const where = u?.generated ? ` (${u.revision}, line ${v.line + 1} of its generated SQL)` : '';
    return {
      tool: ACTION,
      ruleId: `squawk/${v.rule_name}`,
      severity: squawkSeverity(v),
      title: v.rule_name,
      message: `${v.message}${v.help ? ` ${v.help}` : ''}${where}`,
      location: u ? { path: u.location, ...(u.generated ? { startLine: 1 } : { startLine: v.line + 1, startColumn: v.column + 1 }) } : undefined,
      fingerprint: fingerprint(ACTION, 'squawk', v.rule_name, u?.location ?? v.file, v.message),
      help: { text: v.help ?? v.message, uri: `https://squawkhq.com/docs/${v.rule_name}` },
      tags: ['squawk'],
      properties: u?.revision ? { revision: u.revision } : undefined,
    };
  });
}

export interface LintOptions {
  squawk: string;
  pgMajor: number;
  exclude: readonly string[];
  /** Alembic runs each migration in a transaction: squawk should judge statements as inside one. */
  inTransaction: boolean;
  timeoutMs: number;
}

/** Runs squawk over the units; returns its violations. */
export async function runSquawk(units: readonly SqlUnit[], o: LintOptions): Promise<SquawkViolation[]> {
  if (units.length === 0) return [];
  const args = ['--reporter', 'json', '--pg-version', String(o.pgMajor), ...(o.inTransaction ? ['--assume-in-transaction'] : [])];
  if (o.exclude.length) args.push('--exclude', o.exclude.join(','));
  const r = await exec(o.squawk, [...args, ...units.map((u) => u.sqlPath)], { timeoutMs: o.timeoutMs });
  if (r.timedOut) throw new ToolError(`squawk timed out after ${Math.round(r.durationMs / 1000)}s`);
  // squawk exits 1 when it found something; anything else without a JSON report is a failure.
  if (r.exitCode !== 0 && r.exitCode !== 1) throw new ToolError(`squawk failed with exit code ${r.exitCode}`, (r.stderr || r.stdout).slice(-2000));
  return parseSquawk(r.stdout);
}

/** squawk over the migrations' SQL: Alembic's offline SQL per revision, else the .sql files in the migrations dir. */
export async function lint(cfg: Settings, tool: ToolRunner, pgMajor: number, locate: (rev: string) => string | undefined): Promise<Finding[]> {
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
