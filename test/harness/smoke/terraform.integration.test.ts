// Smoke: real terraform and tofu binaries contend for real state locks in the harness lock stores
// (moto S3 with conditional PUT, moto DynamoDB, throwaway PostgreSQL). A holder `apply` parks in a
// local-exec provisioner (terraform_data is built in, so no provider download) until the test
// drops a `release` file; meanwhile a second command must fail with the holder's Lock Info.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { startLockStores, type LockStores } from '../services/lockstores.js';
import { startPostgres, type Postgres } from '../services/postgres.js';
import { HOLDER, holdLock, s3Backend as tfS3Backend, tfFlavors, tfRoot, type TfFlavor, type TfRoot } from '../terraform.js';
import { pinnedVersion } from '../tools.js';

jest.setTimeout(300_000);

const BUCKET = 'tfstate';
const TABLE = 'tflock';
const NO_COLOR = ['-no-color', '-input=false'];

// Parks until ./release exists (bounded to ~2 min so a broken test cannot leave it forever).

const s3Backend = (stores: LockStores, key: string, mode: 'lockfile' | 'dynamodb'): string =>
  tfS3Backend(stores, { bucket: BUCKET, key, locking: mode === 'lockfile' ? 'use_lockfile = true' : `dynamodb_table = "${TABLE}"` });

/** An apply that does not park (the release file already exists). */
async function applyNow(root: TfRoot): Promise<void> {
  writeFileSync(join(root.dir, 'release'), '');
  await root.ok(['apply', '-auto-approve', ...NO_COLOR]);
}

/**
 * A second command while the lock is held: must fail fast with Lock Info. Returns the ID it printed.
 * `operation` is the holder's (OperationTypeApply), except for pg, which cannot know the holder and
 * prints the requester's own info (OperationTypePlan).
 */
async function expectLocked(root: TfRoot, backendError: RegExp, operation = 'OperationTypeApply'): Promise<string> {
  const r = await root.run(['plan', '-lock-timeout=0s', ...NO_COLOR]);
  expect(r.code).not.toBe(0);
  expect(r.output).toContain('Error acquiring the state lock');
  expect(r.output).toMatch(backendError);
  const id = /Lock Info:\s*\n\s*ID:\s+(\S+)/.exec(r.output)?.[1];
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  expect(r.output).toMatch(new RegExp(`Operation:\\s+${operation}`));
  return id!;
}

let stores: LockStores;
let pg: Postgres;
const roots: TfRoot[] = [];
const newRoot = (flavor: TfFlavor, main: string, env: Record<string, string> = {}) => {
  const root = tfRoot(flavor, { 'main.tf': main }, { ...stores.env, ...env });
  roots.push(root);
  return root;
};

beforeAll(async () => {
  [stores, pg] = await Promise.all([startLockStores(), startPostgres()]);
  await stores.createBucket(BUCKET);
  await stores.createLockTable(TABLE);
});
afterAll(async () => {
  for (const r of roots) r.cleanup();
  await Promise.all([stores?.stop(), pg?.stop()]);
});

test('the S3 store enforces If-None-Match: * (conditional PUT), so S3-native locks can contend', async () => {
  expect(await stores.putIfAbsent(BUCKET, 'probe/x.tflock', '1')).toBe(200);
  expect(await stores.putIfAbsent(BUCKET, 'probe/x.tflock', '2')).toBe(412);
  expect(await stores.getObject(BUCKET, 'probe/x.tflock')).toBe('1');
});

describe.each(tfFlavors)('%s', (flavor) => {
  test('binary is the pinned version', async () => {
    const root = newRoot(flavor, '');
    const r = await root.ok(['version', '-json']);
    expect(JSON.parse(r.stdout).terraform_version).toBe(pinnedVersion(flavor));
  });

  test('s3 use_lockfile: .tflock contention, release, stale lock after SIGKILL, force-unlock', async () => {
    const key = `${flavor}/lockfile/terraform.tfstate`;
    const root = newRoot(flavor, s3Backend(stores, key, 'lockfile'));
    await root.ok(['init', ...NO_COLOR]);
    await applyNow(root); // a plain apply works and writes state
    expect(JSON.parse((await stores.getObject(BUCKET, key))!).resources).toHaveLength(1);

    const held = await holdLock(root);
    const lock = JSON.parse((await stores.getObject(BUCKET, `${key}.tflock`))!);
    expect(lock).toMatchObject({ Operation: 'OperationTypeApply', Path: `${BUCKET}/${key}` });
    expect(await expectLocked(root, /StatusCode: 412|PreconditionFailed/)).toBe(lock.ID);
    held.release();
    expect((await held.run.done).code).toBe(0);
    expect(await stores.getObject(BUCKET, `${key}.tflock`)).toBeNull();
    await root.ok(['plan', '-lock-timeout=0s', ...NO_COLOR]);

    // SIGKILL of the holder (whole tree, like a CI runner) leaves the lock object behind.
    const victim = await holdLock(root);
    victim.run.killTree('SIGKILL');
    expect((await victim.run.done).signal).toBe('SIGKILL');
    const stale = JSON.parse((await stores.getObject(BUCKET, `${key}.tflock`))!);
    expect(await expectLocked(root, /StatusCode: 412|PreconditionFailed/)).toBe(stale.ID);
    const unlock = await root.ok(['force-unlock', '-force', '-no-color', stale.ID]);
    expect(unlock.output).toMatch(/successfully unlocked/);
    expect(await stores.getObject(BUCKET, `${key}.tflock`)).toBeNull();
    await root.ok(['plan', '-lock-timeout=0s', ...NO_COLOR]);
  });

  test('s3 dynamodb_table: LockID item contention, release, stale lock after SIGKILL, force-unlock', async () => {
    const key = `${flavor}/dynamodb/terraform.tfstate`;
    const lockId = `${BUCKET}/${key}`;
    const root = newRoot(flavor, s3Backend(stores, key, 'dynamodb'));
    await root.ok(['init', ...NO_COLOR]);
    await applyNow(root);
    expect((await stores.getLockItem(TABLE, `${lockId}-md5`))?.Digest).toMatch(/^[0-9a-f]{32}$/);

    const held = await holdLock(root);
    const info = JSON.parse((await stores.getLockItem(TABLE, lockId))!.Info);
    expect(info).toMatchObject({ Operation: 'OperationTypeApply', Path: lockId });
    expect(await stores.getObject(BUCKET, `${key}.tflock`)).toBeNull(); // DynamoDB only, no S3 lock object
    expect(await expectLocked(root, /ConditionalCheckFailedException/)).toBe(info.ID);
    held.release();
    expect((await held.run.done).code).toBe(0);
    expect(await stores.getLockItem(TABLE, lockId)).toBeNull();
    await root.ok(['plan', '-lock-timeout=0s', ...NO_COLOR]);

    const victim = await holdLock(root);
    victim.run.killTree('SIGKILL');
    await victim.run.done;
    const stale = JSON.parse((await stores.getLockItem(TABLE, lockId))!.Info);
    expect(await expectLocked(root, /ConditionalCheckFailedException/)).toBe(stale.ID);
    expect((await root.ok(['force-unlock', '-force', '-no-color', stale.ID])).output).toMatch(/successfully unlocked/);
    expect(await stores.getLockItem(TABLE, lockId)).toBeNull();
    await root.ok(['plan', '-lock-timeout=0s', ...NO_COLOR]);
  });

  test('pg backend: a real advisory lock in pg_locks while held, gone after release and after SIGKILL', async () => {
    const db = `tfstate_${flavor}`; // tofu >= 1.10 must not share a pg backend database with older versions
    const url = `${await pg.createDatabase(db)}?sslmode=disable`;
    const root = newRoot(flavor, `terraform {\n  backend "pg" {}\n}\n${HOLDER}`, { PG_CONN_STR: url });
    const advisoryLocks = () =>
      pg.psql(`SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND l.granted AND d.datname = '${db}'`);
    await root.ok(['init', ...NO_COLOR]);
    await applyNow(root);
    expect(await pg.psql('SELECT count(*) FROM terraform_remote_state.states', db)).toBe('1');
    expect(await advisoryLocks()).toBe('0');

    const held = await holdLock(root);
    expect(Number(await advisoryLocks())).toBeGreaterThanOrEqual(1);
    await expectLocked(root, /Workspace is already locked|Already locked for workspace creation/, 'OperationTypePlan');
    held.release();
    expect((await held.run.done).code).toBe(0);
    expect(await advisoryLocks()).toBe('0');

    // Session locks die with the session: SIGKILL leaves nothing stale (unlike S3/DynamoDB).
    const victim = await holdLock(root);
    expect(Number(await advisoryLocks())).toBeGreaterThanOrEqual(1);
    victim.run.killTree('SIGKILL');
    await victim.run.done;
    await waitZero(advisoryLocks);
    await root.ok(['plan', '-lock-timeout=0s', ...NO_COLOR]);
  });
});

async function waitZero(count: () => Promise<string>): Promise<void> {
  for (let i = 0; i < 50 && (await count()) !== '0'; i++) await new Promise((r) => setTimeout(r, 200));
  expect(await count()).toBe('0');
}
