// Reading and releasing locks in the real lock stores (moto's S3 and DynamoDB), through a tap that records
// what the store received: the object a request touches is the one the action prints, in path-style and
// virtual-hosted addressing; a double lock is released whole or the result says exactly which store still
// holds it; an S3 store that sends no ETag never gets a DELETE.
import { afterAll, beforeAll, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { PolicyError, ToolError } from '@platform-actions/kit';
import dns from 'node:dns';
import { startLockStores, type LockStores } from '../../../test/harness/services/lockstores.js';
import { lockTargets, readLocks, releaseStale } from '../src/lock.js';
import { receivedLocation, startTap, type Tap } from './storetap.js';

jest.setTimeout(120_000);

const BUCKET = 'tfstate';
const TABLE = 'tflock';
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
const HOUR = 3_600_000;
let stores: LockStores;
let tap: Tap;
let realLookup: typeof dns.lookup | undefined;
let n = 0;

const lockInfo = (id: string, path: string, ageMs = 3 * HOUR) =>
  JSON.stringify({ ID: id, Operation: 'OperationTypeApply', Info: '', Who: 'ci@runner-9', Version: '1.11.4', Created: new Date(Date.now() - ageMs).toISOString(), Path: path });

beforeAll(async () => {
  stores = await startLockStores();
  await stores.createBucket(BUCKET);
  await stores.createLockTable(TABLE);
  tap = await startTap(stores.s3Endpoint);
  // Virtual-hosted requests go to tfstate.s3.test:<port>; there is no DNS here, so *.test resolves to the
  // tap. (fetch connects through net, which looks names up with dns.lookup at connect time.)
  realLookup = dns.lookup;
  const lookup = (host: string, opts: unknown, cb?: unknown) => {
    const done = (typeof opts === 'function' ? opts : cb) as (...a: unknown[]) => void;
    const all = typeof opts === 'object' && opts !== null && (opts as { all?: boolean }).all;
    if (!host.endsWith('.test')) return (realLookup as (...a: unknown[]) => void)(host, opts, cb);
    return all ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4);
  };
  (dns as { lookup: unknown }).lookup = lookup;
});
afterAll(async () => {
  if (realLookup) (dns as { lookup: unknown }).lookup = realLookup;
  await tap?.close();
  await stores?.stop();
});
beforeEach(() => {
  tap.seen = [];
  tap.stripEtag = false;
  tap.before = undefined;
});

/** A stale lock held in the configured stores at a fresh key; returns the targets and the lock ID. */
async function staleLock(opts: { key?: string; ddb?: boolean; s3?: boolean; virtual?: boolean; workspace?: string; prefix?: string } = {}) {
  const id = `aaaaaaaa-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const key = opts.key ?? `stores/${n}/terraform.tfstate`;
  const config = {
    bucket: BUCKET,
    key,
    region: stores.region,
    ...(opts.s3 === false ? {} : { use_lockfile: true }),
    ...(opts.ddb ? { dynamodb_table: TABLE } : {}),
    ...(opts.prefix === undefined ? {} : { workspace_key_prefix: opts.prefix }),
    use_path_style: !opts.virtual,
    endpoints: { s3: opts.virtual ? `http://s3.test:${tap.port}` : tap.endpoint, dynamodb: tap.endpoint },
  };
  const t = lockTargets(config, opts.workspace ?? 'default', {});
  const statePath = t.s3 ? t.s3.key.replace(/\.tflock$/, '') : t.ddb!.lockId.slice(BUCKET.length + 1);
  if (t.s3) expect(await stores.putIfAbsent(BUCKET, t.s3.key, lockInfo(id, `${BUCKET}/${statePath}`))).toBe(200);
  if (t.ddb) await stores.putLockItem(TABLE, t.ddb.lockId, lockInfo(id, `${BUCKET}/${statePath}`));
  return { t, id };
}

const s3Seen = () => tap.seen.filter((s) => !s.op);

describe('the object the store receives is the object the action names', () => {
  test.each([
    ['path-style', false],
    ['virtual-hosted', true],
  ])('%s: every request (read, re-read, conditional delete) lands on the printed s3:// location', async (_name, virtual) => {
    const style = virtual ? 'virtual' : 'path';
    const { t, id } = await staleLock({ key: `loc/${style}/env:/a b/ünï=x@y.tfstate`, virtual, workspace: 'blue', prefix: 'team//ws' });
    const [held] = await readLocks(t, creds);
    expect(held.where).toBe(`s3://${BUCKET}/team/ws/blue/loc/${style}/env:/a b/ünï=x@y.tfstate.tflock`);
    const r = await releaseStale(t, id, HOUR, creds);
    expect(r.failure).toBeUndefined();
    expect(r.released.map((l) => l.where)).toEqual([held.where]);
    const endpointHost = virtual ? `s3.test:${tap.port}` : `127.0.0.1:${tap.port}`;
    expect(s3Seen().map((s) => `${s.method} ${receivedLocation(s, endpointHost)}`)).toEqual([`GET ${held.where}`, `GET ${held.where}`, `DELETE ${held.where}`]);
    if (virtual) expect(s3Seen().every((s) => s.host === `${BUCKET}.s3.test:${tap.port}`)).toBe(true);
    expect(await stores.getObject(BUCKET, t.s3!.key)).toBeNull();
  });
});

describe('a double lock (S3 lockfile + DynamoDB) is released whole, or the result says exactly what was', () => {
  test('both stores: released together', async () => {
    const { t, id } = await staleLock({ ddb: true });
    const r = await releaseStale(t, id, HOUR, creds);
    expect(r.failure).toBeUndefined();
    expect(r.released.map((l) => l.store)).toEqual(['s3', 'dynamodb']);
    expect(await stores.getObject(BUCKET, t.s3!.key)).toBeNull();
    expect(await stores.getLockItem(TABLE, t.ddb!.lockId)).toBeNull();
  });

  test('the DynamoDB item changes after the S3 object was deleted: says S3 was released and DynamoDB still holds the state', async () => {
    const { t, id } = await staleLock({ ddb: true });
    const newer = lockInfo('bbbbbbbb-0000-4000-8000-000000000001', `${BUCKET}/x`, 0);
    // Another client writes its lock item just before our conditional DeleteItem reaches the store.
    tap.before = async (s) => {
      if (s.op === 'DeleteItem') await stores.putLockItem(TABLE, t.ddb!.lockId, newer);
    };
    const r = await releaseStale(t, id, HOUR, creds);
    expect(r.released.map((l) => l.store)).toEqual(['s3']);
    expect(r.failure).toBeInstanceOf(PolicyError);
    expect(r.failure!.message).toBe(
      `stale lock ${id} was released only in part: s3://${BUCKET}/${t.s3!.key} was released, but dynamodb://${TABLE}/${t.ddb!.lockId} was not (it changed between the check and the release), so the state is still locked; run recover again or terraform force-unlock ${id}`,
    );
    expect(await stores.getObject(BUCKET, t.s3!.key)).toBeNull();
    expect((await stores.getLockItem(TABLE, t.ddb!.lockId))!.Info).toBe(newer);
  });

  test('DynamoDB refuses the delete (a role without dynamodb:DeleteItem): a tool error that says S3 was released', async () => {
    const { t, id } = await staleLock({ ddb: true });
    // moto does not enforce IAM: the tap answers as DynamoDB does for a denied action.
    tap.before = async (s) =>
      s.op === 'DeleteItem'
        ? { status: 400, body: JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', message: 'not authorized to perform: dynamodb:DeleteItem' }) }
        : undefined;
    const r = await releaseStale(t, id, HOUR, creds);
    expect(r.released.map((l) => l.store)).toEqual(['s3']);
    expect(r.failure).toBeInstanceOf(ToolError);
    expect(r.failure!.message).toBe(
      `stale lock ${id} was released only in part: s3://${BUCKET}/${t.s3!.key} was released, but dynamodb://${TABLE}/${t.ddb!.lockId} was not (DynamoDB DeleteItem on table ${TABLE} failed: HTTP 400 AccessDeniedException), so the state is still locked; run recover again or terraform force-unlock ${id}`,
    );
    expect(await stores.getLockItem(TABLE, t.ddb!.lockId)).not.toBeNull();
  });

  test('the S3 object changes before its delete: nothing is released and DynamoDB is not touched', async () => {
    const { t, id } = await staleLock({ ddb: true });
    const newer = lockInfo('cccccccc-0000-4000-8000-000000000001', `${BUCKET}/x`, 0);
    tap.before = async (s) => {
      if (s.method === 'DELETE' && !s.op) await stores.putObject(BUCKET, t.s3!.key, newer);
    };
    const r = await releaseStale(t, id, HOUR, creds);
    expect(r.released).toEqual([]);
    expect(r.failure).toBeInstanceOf(PolicyError);
    expect(r.failure!.message).toBe(`stale lock ${id} was not released: s3://${BUCKET}/${t.s3!.key}: it changed between the check and the release; nothing was released`);
    expect(tap.seen.some((s) => s.op === 'DeleteItem')).toBe(false);
    expect(await stores.getObject(BUCKET, t.s3!.key)).toBe(newer);
    expect(await stores.getLockItem(TABLE, t.ddb!.lockId)).not.toBeNull();
  });

  test('a lock with another ID or younger than stale-after in either store: nothing is released', async () => {
    const { t, id } = await staleLock({ ddb: true });
    let r = await releaseStale(t, 'another-id', HOUR, creds);
    expect(r.failure!.message).toBe(
      `stale lock another-id was not released: on re-reading, s3://${BUCKET}/${t.s3!.key} now holds ID ${id}, not another-id; dynamodb://${TABLE}/${t.ddb!.lockId} now holds ID ${id}, not another-id; nothing was released`,
    );
    r = await releaseStale(t, id, 5 * HOUR, creds);
    expect(r.failure!.message).toMatch(
      new RegExp(`^stale lock ${id} was not released: on re-reading, s3://\\S+ is younger than stale-after \\(3h0m\\); dynamodb://\\S+ is younger`),
    );
    expect(tap.seen.filter((s) => s.method === 'DELETE' || s.op === 'DeleteItem')).toEqual([]);
  });

  test('a lock released by its holder in between: nothing to release', async () => {
    const { t } = await staleLock();
    const first = await readLocks(t, creds);
    await fetch(`${stores.s3Endpoint}/${BUCKET}/${t.s3!.key}`, {
      method: 'DELETE',
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=test/20200101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0' },
    });
    expect((await releaseStale(t, first[0].info.ID, HOUR, creds)).gone).toBe(true);
  });
});

test('an S3 store that sends no ETag gets no DELETE: the release is refused, saying why', async () => {
  const { t, id } = await staleLock({ ddb: true });
  tap.stripEtag = true;
  const r = await releaseStale(t, id, HOUR, creds);
  expect(r.released).toEqual([]);
  expect(r.failure).toBeInstanceOf(ToolError);
  expect(r.failure!.message).toBe(
    `stale lock ${id} was not released: the S3 store sent no ETag for s3://${BUCKET}/${t.s3!.key}, so it cannot be deleted on the condition that it is still the lock judged stale (If-Match), and an unconditional DELETE could remove a newer lock; nothing was released`,
  );
  expect(tap.seen.filter((s) => s.method === 'DELETE' || s.op === 'DeleteItem')).toEqual([]);
  expect(await stores.getObject(BUCKET, t.s3!.key)).not.toBeNull();
  expect(await stores.getLockItem(TABLE, t.ddb!.lockId)).not.toBeNull();
});
