// Rails (ActiveRecord) specifics. One step up is `db:migrate:up VERSION=<next>` with the next version taken
// from the file names: `db:forward STEP=1` applies two migrations on an empty database (Rails 6.1 starts
// counting at the first migration when none is applied). One step down is `db:rollback STEP=1`.
import type { Preset } from './presets.js';

/** Versions base → head from db/migrate file names (<version>_<name>.rb). */
export function railsVersions(names: readonly string[]): string[] {
  const v = names.map((n) => /^(\d+)_\w+\.rb$/.exec(n)?.[1]).filter((x): x is string => !!x);
  return [...new Set(v)].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
}

/**
 * The version of the migration whose `down` raised ActiveRecord::IrreversibleMigration, from the backtrace
 * line naming its file; PostgreSQL's transactional DDL has rolled back whatever that down had started.
 */
export function railsIrreversible(output: string): string | undefined {
  if (!/ActiveRecord::IrreversibleMigration/.test(output)) return undefined;
  return /\/(\d+)_\w+\.rb:\d+:in [`'](?:\w+#)?(?:down|change|revert)/.exec(output)?.[1] ?? 'the current migration';
}

export const RAILS: Preset = {
  name: 'rails',
  program: ['bin/rails'],
  up: ['db:migrate'],
  upOne: ['db:migrate:up', 'VERSION={next}'],
  downOne: ['db:rollback', 'STEP=1'],
  downN: (n) => ['db:rollback', `STEP=${n}`],
  bookkeeping: ['schema_migrations', 'ar_internal_metadata'],
  currentTable: 'schema_migrations',
  currentSql: 'SELECT max(version) FROM schema_migrations',
  revisionsFromFiles: railsVersions,
  irreversible: railsIrreversible,
  defaultDir: 'db/migrate',
};
