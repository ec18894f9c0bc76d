// main() in-process (test/helpers/main-in-process.ts) on the harness's real PostgreSQL, with the custom
// preset and two plain scripts as the migration tool: a clean round trip, and a bad input that ends in
// config-error, one line naming the input, before the database is touched.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from '../../../test/helpers/main-in-process.js';
import { type Postgres, startPostgres } from '../../../test/harness/services/postgres.js';
import { ACTION } from '../src/action.js';
import { main } from '../src/main.js';

jest.setTimeout(120_000);

let pg: Postgres;
const dirs: string[] = [];
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** A workspace whose migration tool is bin/up.sh and bin/down.sh (psql against $DATABASE_URL). */
function scripts(): string {
  const ws = mkdtempSync(join(tmpdir(), 'migration-main-'));
  dirs.push(ws);
  mkdirSync(join(ws, 'bin'));
  const psql = (sql: string) => `#!/bin/sh\nexec psql -w -q -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "${sql}"\n`;
  writeFileSync(join(ws, 'bin', 'up.sh'), psql('create table orders (id int primary key)'));
  writeFileSync(join(ws, 'bin', 'down.sh'), psql('drop table orders'));
  for (const f of ['up.sh', 'down.sh']) chmodSync(join(ws, 'bin', f), 0o755);
  return ws;
}

let n = 0;
const roundTrip = async (inputs: Record<string, string>) =>
  runMain(ACTION, main, {
    workspace: scripts(),
    inputs: { tool: 'custom', 'database-url': await pg.createDatabase(`main_${++n}`), 'up-command': 'bin/up.sh', 'down-command': 'bin/down.sh', comment: 'false', ...inputs },
    env: { GITHUB_REPOSITORY: 'acme/app' },
  });

describe('main() in-process', () => {
  test('clean: the upgrade and its downgrade leave the schema as they found it', async () => {
    const r = await roundTrip({});
    expect(r.failure).toBeUndefined();
    expect(r.failed).toBe(false);
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'findings-count': '0' });
    expect(r.stdout).toMatch(/migration-test: PostgreSQL \d+/);
  });
  test('config-error: an unknown mode is one line naming the input, and outcome and counts are set', async () => {
    const r = await roundTrip({ mode: 'roundtrip' });
    expect(r.failed).toBe(true);
    expect(r.failure).toMatch(/^migration-test: input "mode" /);
    expect(r.outputs).toMatchObject({ outcome: 'config-error', 'findings-count': '0' });
  });
});
