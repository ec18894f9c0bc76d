// Smoke: the provisioned redis-server (Debian's, unpacked by provision/redis.sh) starts as a throwaway
// server through the shared starter, answers commands, honours a password, and is gone after stop().
// Provision first: bash test/harness/provision.sh redis
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { type Redis, startRedis } from '../services/redis.js';
import { pinnedVersion } from '../tools.js';

jest.setTimeout(60_000);

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => (sock.destroy(), resolve(false)));
    sock.once('error', () => resolve(true));
  });

/** The whole first reply to one inline command, without AUTH. */
const raw = (port: number, command: string) =>
  new Promise<string>((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(`${command}\r\n`));
    sock.once('data', (d) => (sock.end(), resolve(d.toString())));
    sock.once('error', reject);
  });

describe('redis service', () => {
  let redis: Redis;
  beforeAll(async () => void (redis = await startRedis()));
  afterAll(async () => redis?.stop());

  test('is the pinned Redis 7 on loopback and stores values', async () => {
    expect(redis.version).toBe(pinnedVersion('redis').split('-')[0]);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}/0`);
    expect(await redis.command('SET smoke ok')).toBe('+OK');
    expect(await redis.command('GET smoke')).toBe('$2');
    // No persistence: a throwaway server never writes a dump.
    expect(await redis.command('CONFIG GET save')).toBe('*2');
  });

  test('with a password (REDIS_PASSWORD of a service container), commands need AUTH', async () => {
    const locked = await startRedis({ password: 'pw' });
    try {
      expect(locked.url).toBe(`redis://:pw@127.0.0.1:${locked.port}/0`);
      expect(await locked.command('PING')).toBe('+PONG');
      expect(await raw(locked.port, 'PING')).toMatch(/^-NOAUTH/);
    } finally {
      await locked.stop();
    }
  });

  test('two servers get two ports; stop() frees the port and removes the folder', async () => {
    const other = await startRedis();
    expect(other.port).not.toBe(redis.port);
    // *2 $3 dir $<n> <dir>
    const dir = (await raw(other.port, 'CONFIG GET dir')).split('\r\n')[4];
    expect(existsSync(dir)).toBe(true);
    await other.stop();
    expect(await refused(other.port)).toBe(true);
    expect(existsSync(dir)).toBe(false);
    await other.stop(); // twice is fine
  });
});
