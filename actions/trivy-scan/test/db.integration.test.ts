// The database from a real local OCI registry: downloaded on the first run and not at all on the second
// (bytes counted at the registry), a first repository answering 429 and the next one used, every
// repository failing → a tool-error naming each; and an image pulled by reference (no Docker daemon).
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pushDb, pushImage, type RateLimitProxy, type Registry, startRateLimitProxy, startRegistry } from '../../../test/harness/services/registry.js';
import { type Project, writeProject } from './fixtures.js';
import { runMain, trivyToolCache } from './helpers.js';

jest.setTimeout(180_000);
let tmp: string;
let p: Project;
let registry: Registry;
let proxy: RateLimitProxy;
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'trivy-db-'));
  p = await writeProject(join(tmp, 'ws'));
  registry = await startRegistry();
  await pushDb(registry, 'trivy-db');
  await pushImage(registry, { repo: 'acme/web', tag: '1.4.2' }, p.image);
  // Every request goes through the proxy, which counts the bytes served and rate-limits limited/*.
  proxy = await startRateLimitProxy(registry, ['limited/trivy-db']);
});
afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** A fresh runner: its own tool cache (so the default cache-dir inside it starts empty). */
const freshRunner = (): string => trivyToolCache(mkdtempSync(join(tmp, 'runner-')));

describe('vulnerability database', () => {
  test('first run downloads it from the registry; the second run downloads nothing (0 bytes served)', async () => {
    const toolCache = freshRunner();
    const repo = `${proxy.host}/trivy-db:2`;
    const inputs = { targets: `fs:py\nimage:${proxy.host}/acme/web:1.4.2`, 'db-repositories': repo, 'fail-on': 'none' };
    const before = proxy.bytesServed('/v2/trivy-db/');
    const first = await runMain(p.ws, inputs, { toolCache });
    const firstBytes = proxy.bytesServed('/v2/trivy-db/') - before;
    expect(first.outputs).toMatchObject({ outcome: 'clean', 'db-source': `downloaded from ${repo}` });
    expect(firstBytes).toBeGreaterThan(1000);
    // The image was pulled by reference from the registry (no daemon) and scanned: busybox from Alpine.
    expect(first.summary).toContain('| high | busybox | 1.37.0-r18 | 1.37.0-r19 |');
    expect(first.sarif!.runs.map((r) => r.automationDetails.id)).toEqual(['trivy-scan/fs-py/', `trivy-scan/image-${proxy.host.replace(':', '-')}-acme-web-1.4.2/`]);
    expect(first.stdout).toContain('Actions cache service not available');

    const second = await runMain(p.ws, inputs, { toolCache });
    expect(proxy.bytesServed('/v2/trivy-db/') - before - firstBytes).toBe(0);
    expect(second.outputs).toMatchObject({ outcome: 'clean', 'db-source': 'local', 'findings-count': first.outputs['findings-count'] });
  });

  test('a first repository answering 429 TOOMANYREQUESTS, then the next one is used', async () => {
    const limited = `${proxy.host}/limited/trivy-db:2`;
    const good = `${proxy.host}/trivy-db:2`;
    const n = proxy.limited.length;
    const r = await runMain(p.ws, { targets: 'fs:py', 'db-repositories': `${limited}\n${good}`, 'fail-on': 'none' }, { toolCache: freshRunner() });
    expect(proxy.limited.length).toBeGreaterThan(n);
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'db-source': `downloaded from ${good}`, 'findings-count': '2' });
    expect(r.stdout).toContain(`vulnerability database: ${limited}: 429 Too Many Requests`);
    expect(r.summary).toContain(`**Database fallbacks:** ${limited.replace(/[._-]/g, (c) => `\\${c}`)}: 429 Too Many Requests`);
  });

  test('every repository failing → a tool-error that names each one tried and why', async () => {
    const limited = `${proxy.host}/limited/trivy-db:2`;
    const refused = '127.0.0.1:9/trivy-db:2';
    const missing = `${proxy.host}/no-such/trivy-db:2`;
    const r = await runMain(p.ws, { targets: 'fs:py', 'db-repositories': [limited, refused, missing].join('\n') }, { toolCache: freshRunner() });
    expect(r.failed).toBe(true);
    expect(r.outputs.outcome).toBe('tool-error');
    expect(r.failure).toBe(
      `trivy-scan: could not download the vulnerability database from any repository: ${limited} (429 Too Many Requests); ${refused} (connection refused); ${missing} (not found (404)). Set db-repositories to a reachable mirror, or offline: true with a cached database`,
    );
    // Bounded: three rounds over the retryable ones, the 404 tried once.
    expect(r.stdout.match(new RegExp(`downloading from ${missing.replace(/[.]/g, '\\.')}`, 'g'))).toHaveLength(1);
    expect(r.stdout.match(/downloading from 127\.0\.0\.1:9\//g)).toHaveLength(3);
  });
});
