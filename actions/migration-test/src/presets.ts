// Per-tool knowledge: how to go up to head, one step up, one step down, and which bookkeeping table
// says where the database is. Commands are argument arrays; `{dir}` is replaced by the migrations
// directory and `{url}` by database-url (only golang-migrate needs it: every other tool gets the URL through
// an environment variable, url-env, so it stays out of the process list).

import { djangoPreset } from './django.js';
import { RAILS } from './rails.js';

export interface Preset {
  name: string;
  /** Program and leading arguments; the `command` input replaces it (e.g. "poetry run alembic"). */
  program: string[];
  up: string[];
  /** One step up; without it the stepwise mode is not available. */
  upOne?: string[];
  /** One step down; without it the tool is forward-only. */
  downOne?: string[];
  /** Down n steps at once, when the tool has it (else downOne n times). */
  downN?: (n: number) => string[];
  /** Bookkeeping tables (LIKE patterns) left out of snapshots. */
  bookkeeping: string[];
  /** SQL giving the current revision label, run only when `currentTable` exists. */
  currentTable?: string;
  currentSql?: string;
  /** Revision labels base → head from the migration file names, for tools whose one-step up fails at head. */
  revisionsFromFiles?: (names: string[]) => string[];
  /** Default migrations directory (for annotations and the existence check). */
  defaultDir: string;
  /**
   * For tools that step by naming a target (Django): the command listing revision labels base → head.
   * upOne/downOne may then hold `{next}` / `{previous}`, filled in by the driver from that list (or from
   * revisionsFromFiles when there is no list command).
   */
  listRevisions?: { args: string[]; parse: (stdout: string) => string[] };
  /** Django: the app whose plan gives the state and every step (django-driver.ts). */
  djangoApp?: string;
  /** Names the migration when a failed downgrade's output says the tool refused it as irreversible. */
  irreversible?: (output: string) => string | undefined;
}

export const PRESETS: Record<string, Preset> = {
  // The action runs Alembic through its own Python session by revision id (alembic-session.ts); the relative
  // commands here only serve the generic Driver (and `program`/`up` the lint's offline SQL).
  alembic: {
    name: 'alembic',
    program: ['alembic'],
    up: ['upgrade', 'head'],
    upOne: ['upgrade', '+1'],
    downOne: ['downgrade', '-1'],
    downN: (n) => ['downgrade', `-${n}`],
    bookkeeping: ['alembic_version'],
    currentTable: 'alembic_version',
    currentSql: "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version",
    defaultDir: 'migrations',
  },
  'node-pg-migrate': {
    name: 'node-pg-migrate',
    program: ['node-pg-migrate', '--migrations-dir', '{dir}'],
    up: ['up'],
    upOne: ['up', '1'],
    downOne: ['down', '1'],
    downN: (n) => ['down', String(n)],
    bookkeeping: ['pgmigrations'],
    currentTable: 'pgmigrations',
    currentSql: 'SELECT name FROM pgmigrations ORDER BY id DESC LIMIT 1',
    defaultDir: 'migrations',
  },
  knex: {
    name: 'knex',
    // knex needs a local install (node_modules/knex) next to the knexfile, as in any knex project.
    program: ['knex'],
    up: ['migrate:latest'],
    upOne: ['migrate:up'],
    downOne: ['migrate:down'],
    bookkeeping: ['knex_migrations%'],
    currentTable: 'knex_migrations',
    currentSql: 'SELECT name FROM knex_migrations ORDER BY id DESC LIMIT 1',
    defaultDir: 'migrations',
  },
  dbmate: {
    name: 'dbmate',
    // dbmate has no "one step up", so stepwise is not available; --no-dump-schema keeps the checkout clean.
    program: ['dbmate', '--no-dump-schema', '--migrations-dir', '{dir}'],
    up: ['up'],
    downOne: ['rollback'],
    bookkeeping: ['schema_migrations'],
    currentTable: 'schema_migrations',
    currentSql: 'SELECT max(version) FROM schema_migrations',
    defaultDir: 'db/migrations',
  },
  'golang-migrate': {
    name: 'golang-migrate',
    // golang-migrate reads the URL only from its arguments ({url}); the value is masked in every log.
    program: ['migrate', '-path', '{dir}', '-database', '{url}'],
    up: ['up'],
    upOne: ['up', '1'],
    downOne: ['down', '1'],
    downN: (n) => ['down', String(n)],
    bookkeeping: ['schema_migrations'],
    currentTable: 'schema_migrations',
    currentSql: "SELECT version::text || CASE WHEN dirty THEN ' (dirty)' ELSE '' END FROM schema_migrations",
    // `up 1` at head fails ("file does not exist"), so stepwise needs the versions: N_name.up.sql.
    revisionsFromFiles: (names) =>
      [...new Set(names.map((n) => /^(\d+)_.*\.up\.sql$/.exec(n)?.[1]).filter((v): v is string => !!v))]
        .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))
        .map((v) => String(BigInt(v))),
    defaultDir: 'migrations',
  },
  rails: RAILS,
  // Rebuilt for the django-app input by settings.ts (the app label is part of every command).
  django: djangoPreset('app'),
  custom: {
    name: 'custom',
    program: [],
    up: [],
    bookkeeping: [],
    defaultDir: '.',
  },
};

export const PRESET_NAMES = Object.keys(PRESETS);
