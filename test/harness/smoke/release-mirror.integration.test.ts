// The release mirror serves real archives (unpacked by real tar and python's zipfile, then executed)
// and injects each fault on real sockets.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { releaseAssets, sha256, startReleaseMirror, type ReleaseMirror } from '../services/release-mirror.js';

jest.setTimeout(120_000);
const run = promisify(execFile);
const dir = '/acme/mytool/releases/download/v1.2.3/';
const tgz = `${dir}mytool_1.2.3_linux_amd64.tar.gz`;
const zip = `${dir}mytool_1.2.3_linux_amd64.zip`;
const sums = `${dir}checksums.txt`;

let mirror: ReleaseMirror;
let tmp: string;
beforeAll(async () => {
  mirror = await startReleaseMirror({ files: releaseAssets({ version: '1.2.3' }) });
  tmp = await mkdtemp(join(tmpdir(), 'mirror-'));
});
afterAll(async () => {
  await mirror.stop();
  await rm(tmp, { recursive: true, force: true });
});

const get = (path: string, init?: RequestInit): Promise<Response> => fetch(mirror.baseUrl + path, init);
const bytes = async (path: string): Promise<Buffer> => Buffer.from(await (await get(path)).arrayBuffer());

describe('release mirror', () => {
  it('serves release archives whose checksums match and whose tool runs', async () => {
    const checksums = (await (await get(sums)).text()).trim().split('\n');
    expect(checksums).toHaveLength(2);
    for (const line of checksums) {
      const [sum, file] = line.split('  ');
      expect(sha256(await bytes(dir + file))).toBe(sum);
    }
    // tar.gz: unpacked by the system tar, the script keeps its executable bit and prints its version.
    await writeFile(join(tmp, 't.tgz'), await bytes(tgz));
    await run('tar', ['-xzf', join(tmp, 't.tgz'), '-C', tmp]);
    expect((await run(join(tmp, 'mytool'), [])).stdout).toBe('mytool 1.2.3\n');
    // zip: read by python's zipfile; the Unix mode is taken from the archive, not assumed.
    await writeFile(join(tmp, 't.zip'), await bytes(zip));
    const py = 'import os,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nfor i in z.infolist():\n p=z.extract(i,sys.argv[2]); os.chmod(p,i.external_attr>>16&0o777)';
    await run('python3', ['-c', py, join(tmp, 't.zip'), join(tmp, 'z')]);
    expect((await run(join(tmp, 'z', 'mytool'), [])).stdout).toBe('mytool 1.2.3\n');
    expect((await get(dir + 'nope.tar.gz')).status).toBe(404);
  });

  it('injects 429 twice (with Retry-After) and then serves the file', async () => {
    mirror.inject(sums, [{ status: 429, retryAfter: 1 }, 429]);
    const first = await get(sums);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('1');
    await first.text();
    expect((await get(sums)).status).toBe(429);
    const ok = await get(sums);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/^[0-9a-f]{64} {2}mytool_1\.2\.3_linux_amd64\.tar\.gz$/m);
    const seen = mirror.requests.filter((r) => r.path === sums).slice(-3);
    expect(seen.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(seen[2].time).toBeGreaterThanOrEqual(seen[0].time);
    expect(seen[0].headers['user-agent']).toBeDefined();
  });

  it('injects a 500', async () => {
    mirror.inject(tgz, [500]);
    const res = await get(tgz);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('injected 500');
  });

  it('injects a slow response', async () => {
    mirror.inject(tgz, [{ slow: 700 }]);
    const t0 = Date.now();
    const body = await bytes(tgz);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(650);
    expect(sha256(body)).toBe(sha256(await bytes(tgz)));
    // a client timeout fires against it for real
    mirror.inject(tgz, [{ slow: 2_000 }]);
    await expect(get(tgz, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
  });

  it('injects a truncated body: Content-Length promised, fewer bytes sent, socket dropped', async () => {
    const full = (await bytes(tgz)).length;
    mirror.inject(tgz, [{ truncate: true }]);
    const res = await get(tgz);
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBe(full);
    await expect(res.arrayBuffer()).rejects.toThrow(/terminated/);
    // a raw reader sees exactly the truncated length
    mirror.inject(tgz, [{ truncate: true, bytes: 10 }]);
    const reader = (await get(tgz)).body!.getReader();
    let got = 0;
    await expect(
      (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          got += value.length;
        }
      })(),
    ).rejects.toThrow();
    expect(got).toBe(10);
  });

  it('injects corrupt bytes: same length, different checksum', async () => {
    const good = await bytes(zip);
    mirror.inject(zip, [{ corrupt: true }]);
    const bad = await bytes(zip);
    expect(bad.length).toBe(good.length);
    expect(sha256(bad)).not.toBe(sha256(good));
    expect(sha256(await bytes(zip))).toBe(sha256(good)); // the queue is spent: healthy again
  });

  it('serves files added at runtime and answers HEAD', async () => {
    mirror.addFile('/acme/other/releases/download/v0.1.0/x.txt', 'hello');
    const head = await get('/acme/other/releases/download/v0.1.0/x.txt', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('5');
  });
});
