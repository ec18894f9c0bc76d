// Every input, read and checked before any work starts. Errors name the input; the database URL is
// masked the moment it is read and never appears in a message.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type FailOn, InputError, inputs, resolveRepoPath, workspace } from '@platform-actions/kit';
import { splitArgs } from './args.js';
import { secrets } from './secrets.js';
import { type DbTarget, parseDatabaseUrl } from './dburl.js';
import { djangoPreset, validAppLabel } from './django.js';
import { PRESET_NAMES, PRESETS, type Preset } from './presets.js';
import { BOOKKEEPING_TABLES, type ColumnOrder } from './snapshot.js';

type Mode = 'round-trip' | 'stepwise' | 'forward-only';

export interface Settings {
  databaseUrl: string;
  target: DbTarget;
  preset: Preset;
  workdir: string;
  /** Repository-relative migrations directory, for annotations. */
  migrationsDir: string;
  migrationsAbs: string;
  mode: Mode;
  downSteps: number;
  /** Stepwise: stop after this many failing revisions; 0 tests every revision. */
  maxFailures: number;
  urlEnv: string;
  excludeTables: string[];
  columnOrder: ColumnOrder;
  waitTimeoutMs: number;
  commandTimeoutMs: number;
  pgOptions: string;
  seedDir?: string;
  /** check-models: compare the models with the migrated schema; `metadata` (Alembic) names them as module:attribute. */
  checkModels?: { metadata?: string };
  irreversible: Set<string>;
  psql: string;
  lint: boolean;
  squawk: string;
  squawkExclude: string[];
  failOn: FailOn;
  sarifFile: string;
  comment: boolean;
  token?: string;
}

const rel = (abs: string) => {
  const ws = resolve(workspace());
  return abs === ws ? '.' : abs.startsWith(ws + '/') ? abs.slice(ws.length + 1) : abs;
};

/** The preset's commands, with the custom preset's taken from inputs and `command` replacing the program. */
function resolvePreset(name: string): Preset {
  const program = inputs.string('command');
  let base = PRESETS[name];
  if (name === 'django') {
    const app = inputs.string('django-app', { required: true })!;
    if (!validAppLabel(app)) throw new InputError('django-app', 'must be a Django app label such as shop (letters, digits, _)', app);
    base = djangoPreset(app);
  }
  if (name !== 'custom') return program ? { ...base, program: splitArgs('command', program) } : base;
  const cmd = (input: string, required: boolean) => {
    const v = inputs.string(input, { required });
    return v ? splitArgs(input, v) : undefined;
  };
  const up = cmd('up-command', true)!;
  return {
    ...base,
    program: [],
    up,
    upOne: cmd('step-up-command', false),
    downOne: cmd('down-command', false),
    currentTable: inputs.string('current-table'),
  };
}

/** check-models: false, true (Alembic: env.py's target_metadata; Django: makemigrations --check), or Alembic's module:attribute. */
function readCheckModels(tool: string): Settings['checkModels'] {
  const v = inputs.string('check-models', { default: 'false' })!;
  if (v === 'false') return undefined;
  if (tool !== 'alembic' && tool !== 'django') throw new InputError('check-models', `is only for tool alembic or django (${tool} has no models to compare)`, v);
  if (v === 'true') return {};
  if (tool === 'alembic' && /^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$/.test(v)) return { metadata: v };
  throw new InputError(
    'check-models',
    tool === 'alembic' ? "must be false, true (env.py's target_metadata) or the models' metadata as module:attribute, e.g. app.models:Base.metadata" : 'must be true or false',
    v,
  );
}

export function readSettings(): Settings {
  // Not inputs.secret(): that masks the whole URL even without a password, hiding host and database in every
  // message; secrets.ts masks the password in all its forms, and the URL only when it carries one.
  const databaseUrl = inputs.string('database-url', { required: true })!;
  secrets.addDatabaseUrl(databaseUrl);
  const target = parseDatabaseUrl('database-url', databaseUrl);
  const toolName = inputs.string('tool', { default: 'alembic' })!;
  if (!PRESET_NAMES.includes(toolName)) throw new InputError('tool', `must be one of ${PRESET_NAMES.join(', ')}`, toolName);
  const preset = resolvePreset(toolName);
  const workdir = inputs.path('working-directory', { default: '.', mustExist: 'dir' })!;
  const dirInput = inputs.string('migrations-dir', { default: preset.defaultDir })!;
  // Inside the workspace by real path (kit), like every path input: the tool reads every file under it.
  const migrationsAbs = resolveRepoPath(dirInput, { input: 'migrations-dir', base: workdir });
  if (!existsSync(migrationsAbs) || !statSync(migrationsAbs).isDirectory()) {
    throw new InputError('migrations-dir', `must name an existing directory (looked for ${rel(migrationsAbs)})`, dirInput);
  }
  const mode = inputs.oneOf<Mode>('mode', ['round-trip', 'stepwise', 'forward-only'], { default: 'round-trip' });
  if (mode !== 'forward-only' && !preset.downOne) {
    throw new InputError('down-command', `is required for mode ${mode} (or use mode: forward-only for a tool without downgrades)`);
  }
  if (mode === 'stepwise' && !preset.upOne) {
    if (toolName === 'custom') throw new InputError('step-up-command', 'is required for mode stepwise with tool: custom');
    throw new InputError('mode', `stepwise needs a one-step upgrade, which ${toolName} does not have; use round-trip`, mode);
  }
  const seed = inputs.string('seed-dir');
  const seedDir = seed ? inputs.checkPath('seed-dir', seed, { mustExist: 'dir' }) : undefined;
  const timeouts = ['statement-timeout', 'lock-timeout']
    .map((name) => ({ name, ms: inputs.string(name) ? inputs.duration(name) : undefined }))
    .filter((t) => t.ms !== undefined)
    .map((t) => `-c ${t.name.replace('-', '_')}=${t.ms}`);
  const urlEnv = inputs.string('url-env', { default: 'DATABASE_URL' })!;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(urlEnv)) throw new InputError('url-env', 'must be an environment variable name', urlEnv);
  const { enabled: comment, token } = inputs.comment();
  return {
    databaseUrl,
    target,
    preset,
    workdir,
    migrationsDir: rel(migrationsAbs),
    migrationsAbs,
    mode,
    downSteps: mode === 'forward-only' ? 0 : inputs.integer('down-steps', { default: 1, min: 1, max: 1000 }),
    maxFailures: inputs.integer('max-failures', { default: 0, min: 0, max: 100_000 }),
    urlEnv,
    excludeTables: [...BOOKKEEPING_TABLES, ...preset.bookkeeping, ...(preset.currentTable ? [preset.currentTable] : []), ...inputs.list('ignore-tables')],
    columnOrder: inputs.oneOf<ColumnOrder>('column-order', ['separate', 'strict', 'logical'], { default: 'separate' }),
    waitTimeoutMs: inputs.duration('wait-timeout', { default: '60s', minMs: 1000, maxMs: 900_000 }),
    commandTimeoutMs: inputs.duration('command-timeout', { default: '10m', minMs: 1000 }),
    pgOptions: timeouts.join(' '),
    seedDir,
    checkModels: readCheckModels(toolName),
    irreversible: new Set(inputs.list('irreversible-revisions')),
    psql: inputs.string('psql', { default: 'psql' })!,
    lint: inputs.boolean('lint', { default: false }),
    squawk: inputs.string('squawk', { default: 'squawk' })!,
    squawkExclude: inputs.list('squawk-exclude').map((r) => {
      if (!/^[a-z0-9-]+$/.test(r)) throw new InputError('squawk-exclude', 'must list squawk rule names such as prefer-robust-stmts', r);
      return r;
    }),
    failOn: inputs.failOn('medium'),
    sarifFile: inputs.outputFile('sarif-file', 'migration-test.sarif'),
    comment,
    token,
  };
}

/** Seed file for a revision: <seed-dir>/<revision>.sql. */
export const seedFile = (cfg: Settings, revision: string): string | undefined => {
  if (!cfg.seedDir || !/^[\w.-]+$/.test(revision)) return undefined;
  const f = join(cfg.seedDir, `${revision}.sql`);
  // psql quotes a seed file in its errors: one linked out of the workspace is refused, never read (kit).
  return existsSync(f) ? resolveRepoPath(f, { label: `seed file ${rel(f)}`, mustExist: 'file' }) : undefined;
};
