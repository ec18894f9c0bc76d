// The real trivy finds the harness's made-up advisories: offline from an installed DB, and after
// downloading the DB from a real local OCI registry, including falling back past a 429 repository.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pushDb, startRateLimitProxy, startRegistry, type RateLimitProxy, type Registry } from '../services/registry.js';
import { pinnedVersion } from '../tools.js';
import { advisoryFor, allVulns, installTrivyDb, offlineFlags, runTrivy, trivyDb, writeAlpineRootfs, writeLangFixture, type Affected, type TrivyReport } from '../trivy-db.js';

jest.setTimeout(240_000);

let tmp: string;
let project: string;
let rootfs: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'trivy-smoke-'));
  project = join(tmp, 'project');
  rootfs = join(tmp, 'rootfs');
  await writeLangFixture(project);
  await writeAlpineRootfs(rootfs);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const freshCache = (): Promise<string> => mkdtemp(join(tmp, 'cache-'));

/** The report names the advisory's CVE for its package, with the severity trivy should pick and the fixed version. */
function expectFinding(report: TrivyReport | undefined, ecosystem: Affected['ecosystem'], severitySource: string): void {
  const { advisory, affected } = advisoryFor(ecosystem);
  const hits = allVulns(report!).filter((v) => v.VulnerabilityID === advisory.id);
  expect(hits).toHaveLength(1);
  expect(hits[0]).toMatchObject({
    PkgName: affected.package,
    Severity: advisory.severity[severitySource],
    SeveritySource: severitySource,
    FixedVersion: affected.fixed ?? affected.patched!.join(', '),
    Title: advisory.title,
  });
}

describe('trivy', () => {
  it('is the pinned version', async () => {
    const { code, stdout } = await runTrivy(['--version']);
    expect(code).toBe(0);
    expect(stdout).toContain(`Version: ${pinnedVersion('trivy').replace(/^v/, '')}`);
  });

  it('reports the npm and pip advisories offline (trivy fs), and nothing for unaffected packages', async () => {
    const cache = await freshCache();
    await installTrivyDb(cache);
    const { code, stderr, report } = await runTrivy(['fs', ...offlineFlags(cache), project]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(report?.Trivy?.Version).toBe(pinnedVersion('trivy').replace(/^v/, ''));
    expectFinding(report, 'npm', 'ghsa'); // ghsa (CRITICAL) wins over nvd for a GitHub advisory
    expectFinding(report, 'pip', 'ghsa');
    // Only our two advisories (trivy looks up Jinja2 by its normalised name, reports it as written);
    // ms and MarkupSafe have none.
    expect(
      allVulns(report!)
        .map((v) => `${v.PkgName}@${v.InstalledVersion}`)
        .sort(),
    ).toEqual(['Jinja2@3.1.2', 'lodash@4.17.20']);
    const targets = (report!.Results ?? []).map((r) => r.Target).sort();
    expect(targets).toEqual(['package-lock.json', 'requirements.txt']);
  });

  it('reports the Alpine OS package advisory offline (trivy rootfs)', async () => {
    const cache = await freshCache();
    await installTrivyDb(cache);
    const { code, stderr, report } = await runTrivy(['rootfs', ...offlineFlags(cache), rootfs]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(report?.Metadata?.OS).toMatchObject({ Family: 'alpine', Name: '3.22.2' });
    expectFinding(report, 'alpine', 'nvd'); // alpine's secdb has no severities: trivy falls back to nvd
    expect(allVulns(report!).map((v) => v.PkgName)).toEqual(['busybox']); // musl is unaffected
  });

  it('fails as trivy does when --skip-db-update has no DB', async () => {
    const cache = await freshCache();
    const { code, stderr } = await runTrivy(['fs', ...offlineFlags(cache), project]);
    expect(code).toBe(1);
    expect(stderr).toContain('--skip-db-update cannot be specified on the first run');
  });
});

describe('trivy with the DB in a local OCI registry', () => {
  let registry: Registry;
  let proxy: RateLimitProxy;
  beforeAll(async () => {
    registry = await startRegistry();
    await pushDb(registry, 'trivy-db');
    proxy = await startRateLimitProxy(registry, ['limited/trivy-db']);
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  // Online DB flags: no --skip-db-update, no --quiet (the download log is part of what we check).
  const onlineFlags = (cache: string, repos: string[]): string[] => [
    ...repos.flatMap((r) => ['--db-repository', r]),
    '--skip-version-check',
    '--disable-telemetry',
    '--offline-scan',
    '--no-progress',
    '--cache-dir',
    cache,
    '--scanners',
    'vuln',
    '--format',
    'json',
  ];

  it('downloads the DB into an empty cache over plain HTTP, then reports the advisory', async () => {
    const cache = await freshCache();
    const repo = `${registry.host}/trivy-db:2`;
    const { code, stderr, report } = await runTrivy(['fs', ...onlineFlags(cache, [repo]), project]);
    expect({ code, stderr }).toMatchObject({ code: 0, stderr: expect.stringContaining('Artifact successfully downloaded') });
    expect(stderr).toContain(repo);
    // The downloaded DB is ours (byte for byte) and trivy stamped DownloadedAt into its metadata.
    const ours = await readFile(join(trivyDb().dir, 'trivy.db'));
    expect((await readFile(join(cache, 'db', 'trivy.db'))).equals(ours)).toBe(true);
    const meta = JSON.parse(await readFile(join(cache, 'db', 'metadata.json'), 'utf8')) as { Version: number; DownloadedAt: string };
    expect(meta.Version).toBe(2);
    expect(Date.now() - Date.parse(meta.DownloadedAt)).toBeLessThan(10 * 60_000);
    expectFinding(report, 'npm', 'ghsa');
  });

  it('falls back to the next --db-repository when the first answers 429 TOOMANYREQUESTS', async () => {
    const cache = await freshCache();
    const limitedRepo = `${proxy.host}/limited/trivy-db:2`;
    const goodRepo = `${proxy.host}/trivy-db:2`;
    const { code, stderr, report } = await runTrivy(['fs', ...onlineFlags(cache, [limitedRepo, goodRepo]), project]);
    expect(code).toBe(0);
    // trivy really asked the limited repository, got 429, said so, and moved on.
    expect(proxy.limited.length).toBeGreaterThan(0);
    expect(stderr).toMatch(/Failed to download artifact.*limited\/trivy-db:2/);
    expect(stderr).toContain('TOOMANYREQUESTS');
    expect(stderr).toContain('Trying to download artifact from other repository');
    expect(stderr).toMatch(new RegExp(`Artifact successfully downloaded.*${goodRepo.replace(/[.]/g, '\\.')}`));
    expect(proxy.forwarded.some((p) => p.startsWith('/v2/trivy-db/blobs/'))).toBe(true);
    expect(existsSync(join(cache, 'db', 'trivy.db')) && statSync(join(cache, 'db', 'trivy.db')).size).toBeGreaterThan(0);
    expectFinding(report, 'npm', 'ghsa');
    expectFinding(report, 'pip', 'ghsa');
  });
});
