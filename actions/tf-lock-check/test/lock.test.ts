import { describe, expect, test } from '@jest/globals';
import { credentialsFromEnv } from '../src/aws.js';
import { parsePgLocks } from '../src/pg.js';
import { backoff, formatAge, isStale, lockAge, lockTargets, parseLockInfo } from '../src/lock.js';

describe('lock locations', () => {
  const cfg = { bucket: 'tfstate', key: 'envs/dev/terraform.tfstate', region: 'eu-west-1', use_lockfile: true, dynamodb_table: 'locks' };
  test('S3 .tflock next to the state and the DynamoDB LockID bucket/key; config endpoints win over env', () => {
    const t = lockTargets({ ...cfg, endpoints: { s3: 'http://127.0.0.1:1' } }, 'default', { AWS_ENDPOINT_URL_S3: 'http://x', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:2' });
    expect(t.s3).toMatchObject({ endpoint: 'http://127.0.0.1:1', bucket: 'tfstate', key: 'envs/dev/terraform.tfstate.tflock', region: 'eu-west-1' });
    expect(t.ddb).toMatchObject({ endpoint: 'http://127.0.0.1:2', table: 'locks', lockId: 'tfstate/envs/dev/terraform.tfstate' });
    expect(lockTargets({ ...cfg, dynamodb_table: undefined as unknown as string }, 'default', {}).s3?.endpoint).toBe('https://s3.eu-west-1.amazonaws.com');
  });
  test('no locking or no key is a one-line user error', () => {
    expect(() => lockTargets({ bucket: 'bucket', key: 'k', region: 'r' }, 'default', {})).toThrow(/has no locking/);
    expect(() => lockTargets({ bucket: 'bucket', region: 'r', use_lockfile: true }, 'default', {})).toThrow(/no static "key"; pass it with the backend-config input/);
  });
});

describe('lock info and staleness', () => {
  const text =
    '{"ID":"4f4c6a0e-0000-4000-8000-000000000001","Operation":"OperationTypeApply","Info":"","Who":"runner@host","Version":"1.11.4","Created":"2026-11-22T10:00:00.123456789Z","Path":"tfstate/k"}';
  test('parses terraform LockInfo, nanosecond Created included', () => {
    const info = parseLockInfo(text)!;
    expect(info.Who).toBe('runner@host');
    expect(lockAge(info, Date.parse('2026-11-22T10:05:00.123Z'))).toBe(300_000);
    expect(parseLockInfo('not json')).toBeUndefined();
  });
  test('stale only at or past the threshold; no Created time is never stale', () => {
    expect(isStale({ store: 's3', where: '', info: { ID: 'x' }, ageMs: 59_999 }, 60_000)).toBe(false);
    expect(isStale({ store: 's3', where: '', info: { ID: 'x' }, ageMs: 60_000 }, 60_000)).toBe(true);
    expect(isStale({ store: 's3', where: '', info: { ID: 'x' } }, 0)).toBe(false);
  });
  test('backoff doubles from 1s to a 16s cap; ages read well', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((a) => backoff(a))).toEqual([1000, 2000, 4000, 8000, 16000, 16000, 16000]);
    expect([5_000, 150_000, 3 * 3_600_000 + 60_000].map(formatAge)).toEqual(['5s', '2m30s', '3h1m']);
  });
});

test('credentials: missing ones are named, present ones are returned', () => {
  expect(() => credentialsFromEnv({})).toThrow(/set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  expect(credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' })).toEqual({ accessKeyId: 'a', secretAccessKey: 'b', sessionToken: undefined });
});

test('pg: psql rows become lock holders; the creation lock is flagged', () => {
  expect(parsePgLocks('4242\tpostgres\t127.0.0.1\t\t2026-11-22T10:00:00Z\t1500\tf\n77\tci\tlocal\tpsql\t2026-11-22T10:00:00Z\t10\tt\n')).toEqual([
    { pid: 4242, user: 'postgres', client: '127.0.0.1', application: '', sessionStart: '2026-11-22T10:00:00Z', ageMs: 1500, creation: false },
    { pid: 77, user: 'ci', client: 'local', application: 'psql', sessionStart: '2026-11-22T10:00:00Z', ageMs: 10, creation: true },
  ]);
  expect(parsePgLocks('')).toEqual([]);
});
