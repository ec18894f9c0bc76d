// Installing gitleaks: release asset names, and the download path end to end against the harness
// release mirror serving an archive that holds the real gitleaks binary.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { ToolError, UserError } from '@platform-actions/kit';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type ReleaseMirror, startReleaseMirror } from '../../../test/harness/services/release-mirror.js';
import { toolBin } from '../../../test/harness/tools.js';
import { gitleaksRelease, installGitleaks } from '../src/install.js';
import { parseVersion } from '../src/settings.js';
import { gitleaksReleaseFiles, RELEASE_PREFIX } from './release.js';

jest.setTimeout(120_000);

describe('release assets', () => {
  test.each([
    ['linux', 'x64', 'v8.30.1/gitleaks_8.30.1_linux_x64.tar.gz', 'gitleaks'],
    ['linux', 'arm64', 'v8.30.1/gitleaks_8.30.1_linux_arm64.tar.gz', 'gitleaks'],
    ['darwin', 'arm64', 'v8.30.1/gitleaks_8.30.1_darwin_arm64.tar.gz', 'gitleaks'],
    ['win32', 'x64', 'v8.30.1/gitleaks_8.30.1_windows_x64.zip', 'gitleaks.exe'],
  ])('%s/%s → %s', (os, arch, path, bin) => {
    const r = gitleaksRelease('8.30.1', os as NodeJS.Platform, arch as NodeJS.Architecture);
    expect(r).toMatchObject({
      baseUrl: 'https://github.com/gitleaks/gitleaks/releases/download',
      asset: { path, checksumsPath: 'v8.30.1/gitleaks_8.30.1_checksums.txt' },
      binaries: [bin],
    });
  });
  test('no release for this platform: say how to proceed', () => {
    expect(() => gitleaksRelease('8.30.1', 'aix', 'ppc64')).toThrow(UserError);
    expect(() => gitleaksRelease('8.30.1', 'aix', 'ppc64')).toThrow(/set version: system/);
  });
  test.each([
    ['8.30.1', '8.30.1'],
    ['v8.24.0', '8.24.0'],
    ['system', 'system'],
  ])('version %s', (v, want) => expect(parseVersion(v)).toBe(want));
  test.each([
    ['latest', /must be a gitleaks release such as 8.30.1, or system; got "latest"/],
    ['8.18.0', /must be 8.24.0 or newer/],
  ])('bad version %s', (v, re) => expect(() => parseVersion(v)).toThrow(re));
});

describe('installGitleaks from a mirror (real binary inside a release-shaped archive)', () => {
  let mirror: ReleaseMirror;
  let tmp: string;
  const saved = { cache: process.env.RUNNER_TOOL_CACHE, temp: process.env.RUNNER_TEMP };
  let release: ReturnType<typeof gitleaksReleaseFiles>;
  beforeAll(async () => {
    release = gitleaksReleaseFiles();
    mirror = await startReleaseMirror({ files: release.files });
    tmp = mkdtempSync(join(tmpdir(), 'gitleaks-install-'));
    process.env.RUNNER_TOOL_CACHE = join(tmp, 'cache');
    process.env.RUNNER_TEMP = join(tmp, 'temp');
    mkdirSync(process.env.RUNNER_TEMP);
  });
  afterAll(async () => {
    await mirror.stop();
    process.env.RUNNER_TOOL_CACHE = saved.cache;
    process.env.RUNNER_TEMP = saved.temp;
    rmSync(tmp, { recursive: true, force: true });
  });

  test('a corrupted download fails the checksum and is never run or cached', async () => {
    mirror.inject(release.archivePath, [{ corrupt: true }]);
    const err = await installGitleaks(release.version, mirror.baseUrl + RELEASE_PREFIX).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as Error).message).toMatch(/^checksum mismatch for gitleaks_[\d.]+_linux_x64\.tar\.gz/);
  });

  test('downloads, verifies against the release checksums file, runs; then comes from the tool cache', async () => {
    const first = await installGitleaks(release.version, mirror.baseUrl + RELEASE_PREFIX);
    expect(first.source).toBe('download');
    expect(execFileSync(first.path, ['version']).toString().trim()).toBe(`v${release.version}`);
    const before = mirror.requests.length;
    const second = await installGitleaks(release.version, mirror.baseUrl + RELEASE_PREFIX);
    expect(second.source).toBe('cache');
    expect(mirror.requests.length).toBe(before);
    expect(mirror.requests.map((r) => r.path)).toContain(`${RELEASE_PREFIX}/v${release.version}/gitleaks_${release.version}_checksums.txt`);
  });

  test('system: the gitleaks on PATH, version checked', async () => {
    const path = process.env.PATH;
    process.env.PATH = `${dirname(toolBin('gitleaks'))}:${path}`;
    try {
      const t = await installGitleaks('system');
      expect(t).toMatchObject({ source: 'system', version: release.version });
    } finally {
      process.env.PATH = path;
    }
  });
});
