// check-models: do the models match the migrations? After the migrations reach head, the models must
// describe the schema they built, or the next `alembic revision --autogenerate` / `makemigrations` writes a
// migration nobody reviewed, and code expecting a column no migration creates fails in production.
// Alembic: autogenerate's comparison (pytest-alembic's model_definitions_match_ddl, `alembic check`);
// Django: `makemigrations <app> --check --dry-run`. One finding per missing table, column, index or type.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Finding, ToolError } from '@platform-actions/kit';
import { repoPath } from './alembic-errors.js';
import type { ModelDiff } from './alembic-session.js';
import type { Settings } from './settings.js';
import type { ToolRunner } from './driver.js';
import { keyLine } from './execute.js';
import { toFinding } from './findings.js';
import { scrub } from './psql.js';

const qualified = (d: ModelDiff) => [d.schema, d.table].filter(Boolean).join('.');
const AUTOGEN = 'autogenerate would write a migration for it (alembic check fails)';
const kindOf = (op: string) => op.replace(/^(add|remove)_/, '').replace(/^fk$/, 'foreign key');

/** What one autogenerate difference means, in the words of the models and the migrated schema. */
function describeModelDiff(d: ModelDiff): string {
  const t = qualified(d);
  const col = `${t}.${d.name}`;
  switch (d.op) {
    case 'add_table':
      return `table ${t} is in the models but no migration creates it`;
    case 'remove_table':
      return `table ${t} is created by the migrations but is not in the models`;
    case 'add_column':
      return `column ${col}${d.new ? ` (${d.new})` : ''} is in the models but no migration creates it`;
    case 'remove_column':
      return `column ${col} is created by the migrations but is not in the models`;
    case 'add_index':
    case 'add_constraint':
    case 'add_fk':
      return `${[kindOf(d.op), d.name, d.new && `(${d.new})`].filter(Boolean).join(' ')} on ${t} is in the models but no migration creates it`;
    case 'remove_index':
    case 'remove_constraint':
    case 'remove_fk':
      return `${[kindOf(d.op), d.name].filter(Boolean).join(' ')} on ${t} is created by the migrations but is not in the models`;
    case 'modify_type':
      return `column ${col} is ${d.old} after the migrations but ${d.new} in the models`;
    case 'modify_nullable':
      return `column ${col} is ${d.old === 'True' ? 'nullable' : 'NOT NULL'} after the migrations but ${d.new === 'True' ? 'nullable' : 'NOT NULL'} in the models`;
    default:
      return `autogenerate finds ${d.op} on ${d.name ? col : t || 'the schema'}${d.old !== null || d.new !== null ? `: ${d.old ?? ''} → ${d.new ?? ''}` : ''}`;
  }
}

/** Findings for autogenerate's differences, each at the mapped class when known, else at the models' module. */
export function alembicModelFindings(diffs: readonly ModelDiff[], where: { head: string; file?: string }): Finding[] {
  return diffs.map((d) => {
    const path = (d.file && repoPath(d.file)) ?? (where.file ? repoPath(where.file) : undefined);
    return toFinding({
      rule: 'models-differ',
      revision: where.head,
      message: `${describeModelDiff(d)}: ${AUTOGEN}`,
      path,
      line: d.file && path === repoPath(d.file) ? (d.line ?? undefined) : undefined,
      key: [d.op, qualified(d), d.name ?? ''],
    });
  });
}

/**
 * The operations `makemigrations --check --dry-run` would write, from its output: "Migrations for 'shop':",
 * the file, then one line per operation ("+ Add field weight to widget"; before Django 5: "- Add field …").
 */
export function parseMakemigrations(text: string, app: string): { file?: string; ops: string[] } {
  let inApp = false;
  let file: string | undefined;
  const ops: string[] = [];
  for (const line of text.split('\n')) {
    const head = /^Migrations for '(\w+)':/.exec(line);
    if (head) {
      inApp = head[1] === app;
      continue;
    }
    if (!inApp) continue;
    const op = /^ {4}[+\-~*x]?\s*(\S.*)$/.exec(line);
    if (op) ops.push(op[1].trim());
    else if (/^ {2}\S/.test(line)) file ??= line.trim();
  }
  return { file, ops };
}

/** The line of `class <Model>(` in the app's models (models.py or a models/ package), for an operation naming it. */
function modelLine(appDir: string, op: string): { path: string; line: number } | undefined {
  const model = /(?:model|to|on|from) (\w+)$/i.exec(op)?.[1] ?? /^Create model (\w+)/i.exec(op)?.[1];
  const files = [join(appDir, 'models.py'), ...(existsSync(join(appDir, 'models')) ? readdirSync(join(appDir, 'models')).map((f) => join(appDir, 'models', f)) : [])].filter(
    (f) => f.endsWith('.py') && existsSync(f),
  );
  for (const f of files) {
    const lines = readFileSync(f, 'utf8').split('\n');
    const i = model ? lines.findIndex((l) => new RegExp(`^class ${model}\\b`, 'i').test(l)) : -1;
    if (i >= 0 || (!model && f.endsWith('models.py'))) return { path: f, line: i + 1 || 1 };
  }
  return files[0] ? { path: files[0], line: 1 } : undefined;
}

/** Django: `manage.py makemigrations <app> --check --dry-run`; one finding per operation it would write. */
export async function djangoModelFindings(cfg: Settings, tool: ToolRunner, head: string): Promise<Finding[]> {
  const app = cfg.preset.djangoApp!;
  const args = ['makemigrations', app, '--check', '--dry-run', '--no-input'];
  const r = await tool.run(args);
  const out = scrub(`${r.stdout}\n${r.stderr}`, cfg.target.password);
  if (r.exitCode === 0) return [];
  const { file, ops } = parseMakemigrations(out, app);
  if (r.exitCode !== 1 || !ops.length) throw new ToolError(`django: manage.py ${args.join(' ')} failed: ${keyLine(out) || `exit code ${r.exitCode}`}`, out);
  const appDir = join(cfg.migrationsAbs, '..');
  return ops.map((op) => {
    const at = modelLine(appDir, op);
    return toFinding({
      rule: 'models-differ',
      revision: head,
      message: `the models of ${app} differ from its migrations: makemigrations would write "${op}"${file ? ` (${file})` : ''}`,
      path: at ? repoPath(at.path) : undefined,
      line: at?.line,
      key: [app, op],
    });
  });
}
