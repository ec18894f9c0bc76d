// Installing trivy through the kit installer: a release laid out like the official one (trivy_<v>_Linux-64bit.tar.gz
// and trivy_<v>_checksums.txt under /aquasecurity/trivy/releases/download/v<v>/), built at test time
// around the harness's real trivy binary and served by the harness release mirror (the fake for
// github.com downloads).
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { ToolError } from '@platform-actions/kit';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type ReleaseMirror, sha256, startReleaseMirror } from '../../../test/harness/services/release-mirror.js';
import { toolBin } from '../../../test/harness/tools.js';
import { DEFAULT_VERSION, installTrivy } from '../src/install.js';

jest.setTimeout(120_000);
const PREFIX = '/aquasecurity/trivy/releases/download';
let tmp: string;
let mirror: ReleaseMirror;
let archivePath: string;
const saved = { cache: process.env.RUNNER_TOOL_CACHE, temp: process.env.RUNNER_TEMP, path: process.env.PATH };

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'trivy-install-'));
  const stage = join(tmp, 'stage');
  mkdirSync(stage);
  copyFileSync(toolBin('trivy'), join(stage, 'trivy'));
  const name = `trivy_${DEFAULT_VERSION}_Linux-64bit.tar.gz`;
  // Fast compression: the binary is large and the test is about layout and verification.
  execFileSync('sh', ['-c', `tar -C '${stage}' -cf - trivy | gzip -1 > '${join(tmp, name)}'`]);
  const archive = readFileSync(join(tmp, name));
  archivePath = `${PREFIX}/v${DEFAULT_VERSION}/${name}`;
  mirror = await startReleaseMirror({
    files: {
      [archivePath]: archive,
      [`${PREFIX}/v${DEFAULT_VERSION}/trivy_${DEFAULT_VERSION}_checksums.txt`]: `${sha256(archive)}  ${name}\n${sha256('x')}  trivy_${DEFAULT_VERSION}_macOS-ARM64.tar.gz\n`,
    },
  });
  process.env.RUNNER_TOOL_CACHE = join(tmp, 'cache');
  process.env.RUNNER_TEMP = join(tmp, 'temp');
  mkdirSync(process.env.RUNNER_TEMP);
});
afterAll(async () => {
  await mirror?.stop();
  Object.assign(process.env, { RUNNER_TOOL_CACHE: saved.cache, RUNNER_TEMP: saved.temp, PATH: saved.path });
  rmSync(tmp, { recursive: true, force: true });
});

describe('installTrivy', () => {
  test('a corrupted download fails the checksum and is never run or cached', async () => {
    mirror.inject(archivePath, [{ corrupt: true }]);
    const err = await installTrivy(DEFAULT_VERSION, mirror.baseUrl + PREFIX).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as Error).message).toMatch(/checksum mismatch for trivy_[\d.]+_Linux-64bit\.tar\.gz/);
  });

  test('downloads from the mirror, verifies against the checksums file, runs; then comes from the tool cache', async () => {
    const first = await installTrivy(DEFAULT_VERSION, mirror.baseUrl + PREFIX);
    expect(first.source).toBe('download');
    expect(execFileSync(first.path, ['--version']).toString()).toContain(`Version: ${DEFAULT_VERSION}`);
    const before = mirror.requests.length;
    expect((await installTrivy(DEFAULT_VERSION, mirror.baseUrl + PREFIX)).source).toBe('cache');
    expect(mirror.requests.length).toBe(before);
  });

  test('system: the trivy on PATH, version read', async () => {
    process.env.PATH = `${dirname(toolBin('trivy'))}:${saved.path}`;
    expect(await installTrivy('system')).toMatchObject({ source: 'system', version: DEFAULT_VERSION });
  });
});
