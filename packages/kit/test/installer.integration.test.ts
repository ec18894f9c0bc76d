// The installer against a real HTTP server shaped like a release host, with injected faults.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installRelease, type RetryPolicy, type ToolRelease, useSystemTool } from '@platform-actions/kit';
import { type ReleaseMirror, releaseAssets, sha256, startReleaseMirror } from '../../../test/harness/services/release-mirror.js';
import { type ActionEnv, actionEnv, captureStdout } from './env.js';

const FAST: RetryPolicy = { attempts: 4, baseDelayMs: 20, maxDelayMs: 2000 };
let mirror: ReleaseMirror;
let env: ActionEnv;
let version = 0;
let assets: Record<string, Buffer>;

beforeAll(async () => {
  mirror = await startReleaseMirror();
});
afterAll(async () => mirror?.stop());

// Each test gets its own version, so the tool cache never answers for another test.
function release(kind: 'tar.gz' | 'zip', pinned = false): { rel: ToolRelease; archivePath: string } {
  const v = `1.0.${++version}`;
  assets = releaseAssets({ version: v });
  for (const [p, b] of Object.entries(assets)) mirror.addFile(p, b);
  const dir = `v${v}`;
  const file = `mytool_${v}_linux_amd64.${kind}`;
  const archivePath = `/acme/mytool/releases/download/${dir}/${file}`;
  return {
    archivePath,
    rel: {
      tool: 'mytool',
      version: v,
      baseUrl: `${mirror.baseUrl}/acme/mytool/releases/download`,
      asset: pinned ? { path: `${dir}/${file}`, sha256: sha256(assets[archivePath]) } : { path: `${dir}/${file}`, checksumsPath: `${dir}/checksums.txt` },
      binaries: ['mytool'],
    },
  };
}
const hits = (path: string) => mirror.requests.filter((r) => r.path === path).length;
const quiet = <T>(fn: () => Promise<T>): Promise<T> => {
  let out!: T;
  return captureStdout(async () => {
    out = await fn();
  }).then(() => out);
};

beforeAll(() => {
  env = actionEnv({}, { RUNNER_TOOL_CACHE: mkdtempSync(join(tmpdir(), 'toolcache-')) });
});
afterAll(() => env.restore());

describe('installRelease', () => {
  test('tar.gz verified against the release checksums file, then served from the tool cache', async () => {
    const { rel, archivePath } = release('tar.gz');
    const first = await quiet(() => installRelease(rel, { retry: FAST }));
    expect(first.source).toBe('download');
    expect(execFileSync(first.bin.mytool).toString().trim()).toBe(`mytool ${rel.version}`);
    const second = await quiet(() => installRelease(rel, { retry: FAST }));
    expect(second.source).toBe('cache');
    expect(second.dir).toBe(first.dir);
    expect(hits(archivePath)).toBe(1);
  });

  test('zip with a digest pinned in code', async () => {
    const { rel } = release('zip', true);
    const t = await quiet(() => installRelease(rel, { retry: FAST }));
    expect(execFileSync(t.bin.mytool).toString().trim()).toBe(`mytool ${rel.version}`);
  });

  test('429 twice with Retry-After, then success; the wait honours Retry-After', async () => {
    const { rel, archivePath } = release('tar.gz');
    mirror.inject(archivePath, [
      { status: 429, retryAfter: 1 },
      { status: 429, retryAfter: 1 },
    ]);
    const t = await quiet(() => installRelease(rel, { retry: FAST }));
    expect(t.source).toBe('download');
    const times = mirror.requests.filter((r) => r.path === archivePath).map((r) => r.time);
    expect(times).toHaveLength(3);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(900);
  });

  test('500 and a truncated body are retried into success', async () => {
    const { rel, archivePath } = release('tar.gz');
    mirror.inject(archivePath, [500, { truncate: true }]);
    const t = await quiet(() => installRelease(rel, { retry: FAST }));
    expect(execFileSync(t.bin.mytool).toString()).toContain(rel.version);
    expect(hits(archivePath)).toBe(3);
  });

  test('a corrupt download fails hard on the checksum and is never retried or cached', async () => {
    const { rel, archivePath } = release('tar.gz');
    mirror.inject(archivePath, [{ corrupt: true }]);
    await expect(quiet(() => installRelease(rel, { retry: FAST }))).rejects.toThrow(
      /^checksum mismatch for mytool_1\.0\.\d+_linux_amd64\.tar\.gz: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}\. The file was not used\.$/,
    );
    expect(hits(archivePath)).toBe(1);
    expect(readdirSync(process.env.RUNNER_TOOL_CACHE as string).includes('mytool') ? readdirSync(join(process.env.RUNNER_TOOL_CACHE as string, 'mytool')) : []).not.toContain(
      rel.version,
    );
  });

  test('a 404 fails at once with a hint', async () => {
    const { rel } = release('tar.gz');
    const missing = { ...rel, asset: { ...rel.asset, path: `v${rel.version}/nope.tar.gz` } };
    await expect(quiet(() => installRelease(missing, { retry: FAST }))).rejects.toThrow(/HTTP 404 \(no such file: check the version and the mirror\)$/);
    expect(hits(`/acme/mytool/releases/download/v${rel.version}/nope.tar.gz`)).toBe(1);
  });

  test('persistent 5xx gives up after the bounded number of attempts', async () => {
    const { rel, archivePath } = release('tar.gz');
    mirror.inject(archivePath, [503, 503, 503, 503, 503]);
    await expect(quiet(() => installRelease(rel, { retry: FAST }))).rejects.toThrow(/failed after 4 attempts: HTTP 503$/);
    expect(hits(archivePath)).toBe(4);
  });

  test('a mirror base URL replaces the official host (GHES, air-gapped)', async () => {
    const { rel } = release('tar.gz');
    const offline = { ...rel, baseUrl: 'http://127.0.0.1:9/unreachable' };
    const t = await quiet(() => installRelease(offline, { retry: FAST, mirror: `${mirror.baseUrl}/acme/mytool/releases/download/` }));
    expect(t.source).toBe('download');
  });
});

describe('useSystemTool', () => {
  test('reads the version and enforces a minimum', async () => {
    const git = await useSystemTool({ tool: 'git', versionArgs: ['--version'], versionPattern: /git version (\d+\.\d+\.\d+)/, minVersion: '2.0.0' });
    expect(git.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(git.bin.git).toMatch(/\/git$/);
    await expect(useSystemTool({ tool: 'git', versionArgs: ['--version'], versionPattern: /git version (\d+\.\d+\.\d+)/, minVersion: '99.0.0' })).rejects.toThrow(
      /^git on PATH is \d+\.\d+\.\d+; this action needs 99\.0\.0 or newer$/,
    );
    await expect(useSystemTool({ tool: 'no-such-tool-xyz', versionArgs: ['--version'], versionPattern: /(.*)/ })).rejects.toThrow(
      'no-such-tool-xyz is not on PATH; install it in an earlier step or set the version input to a release number',
    );
  });
});
