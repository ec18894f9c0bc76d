// provision.sh's download path, end to end: the real script and its fetch_release, against a loopback mirror
// serving official-release-shaped assets that this test makes (small shell scripts in .tar.gz, .zip and raw
// form). A test-only pin file (PA_PINS) points the tools' download pins at the mirror, so the same code that
// fetches github.com runs here: download, sha256 check, unpack, version check, atomic commit — and the
// refusals: a corrupted asset is never kept or run, an unreachable host falls back to the Go module proxy
// build and says so in one line, and PA_TOOL_SOURCE=download turns either into a failure naming the tool.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ReleaseMirror, sha256, startReleaseMirror } from '../services/release-mirror.js';
import { pinnedVersion } from '../tools.js';

jest.setTimeout(120_000);
const provisionSh = join(dirname(fileURLToPath(import.meta.url)), '..', 'provision.sh');
const platform = `${process.platform === 'darwin' ? 'darwin' : 'linux'}_${process.arch === 'arm64' ? 'arm64' : 'amd64'}`.toUpperCase();

let tmp: string;
let mirror: ReleaseMirror;
/** A closed loopback port: connecting is refused at once, like a host that does not answer. */
let deadBase: string;

/** An executable shell script that prints `out`, packed the way a release ships it. */
function asset(kind: 'tar.gz' | 'zip' | 'raw', bin: string, out: string): Buffer {
  const dir = mkdtempSync(join(tmp, 'asset-'));
  writeFileSync(join(dir, bin), `#!/bin/sh\necho '${out}'\n`, { mode: 0o755 });
  const file = join(dir, `a.${kind}`);
  if (kind === 'tar.gz') execFileSync('tar', ['-czf', file, '-C', dir, bin]);
  else if (kind === 'zip') execFileSync('python3', ['-m', 'zipfile', '-c', file, join(dir, bin)]);
  else return readFileSync(join(dir, bin));
  return readFileSync(file);
}

interface Run {
  code: number;
  out: string;
  cache: string;
}
/** Runs provision.sh for `tools` with a fresh cache and the given pins and environment. */
function provision(tools: string[], pins: Record<string, string>, env: Record<string, string> = {}): Promise<Run> {
  const cache = mkdtempSync(join(tmp, 'cache-'));
  const pinFile = join(cache, 'pins.env');
  writeFileSync(
    pinFile,
    Object.entries(pins)
      .map(([k, v]) => `${k}="${v}"\n`)
      .join(''),
  );
  // No Go build can succeed here: the proxy is off and the module cache empty, so a fallback fails fast
  // and visibly instead of compiling for minutes.
  const goEnv = { GOPROXY: 'off', GOMODCACHE: join(cache, 'gomod') };
  return new Promise((resolve) => {
    execFile(
      'bash',
      [provisionSh, ...tools],
      { env: { ...process.env, ...goEnv, PA_CACHE: cache, PA_PINS: pinFile, PA_JOBS: '1', PA_CONNECT_TIMEOUT: '2', ...env } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr, cache }),
    );
  });
}
const lines = (r: Run): string[] => r.out.trim().split('\n');

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'provision-download-'));
  mirror = await startReleaseMirror();
  const closed = await startReleaseMirror();
  deadBase = closed.baseUrl;
  await closed.stop();
});
afterAll(async () => {
  await mirror?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('provision.sh downloads pinned official releases', () => {
  it('fetches a .tar.gz asset, checks its sha256, and caches the executable it holds', async () => {
    const v = pinnedVersion('gitleaks');
    const body = asset('tar.gz', 'gitleaks', v); // the official release prints the version without a v
    mirror.addFile('/gl/gitleaks.tar.gz', body);
    const r = await provision(['gitleaks'], { [`GITLEAKS_DOWNLOAD_${platform}`]: `gitleaks=${mirror.baseUrl}/gl/gitleaks.tar.gz@${sha256(body)}` });
    expect(r.code).toBe(0);
    expect(lines(r)[0]).toMatch(
      new RegExp(`^provision: gitleaks ${v} \\(secret scanner.*\\): downloading the official gitleaks.tar.gz from 127\\.0\\.0\\.1:\\d+ \\(sha256 pinned`),
    );
    expect(lines(r)[1]).toMatch(/^provision: gitleaks ready in \d+s$/);
    expect(lines(r).at(-1)).toMatch(/^provision: 1 tool\(s\) ready in \d+s \(1 download\)$/);
    const bin = join(r.cache, 'tools', 'gitleaks', v, 'bin', 'gitleaks');
    expect(execFileSync(bin).toString().trim()).toBe(v);
    // Nothing of the download is left beside the tool.
    expect(readdirSync(join(r.cache, 'tools', 'gitleaks')).sort()).toEqual([v]);
    expect(readdirSync(join(r.cache, 'tools', 'gitleaks', v))).toEqual(['bin']);
  });

  it('unpacks .zip assets and several raw executables for one tool', async () => {
    const tv = pinnedVersion('terraform');
    const tf = asset('zip', 'terraform', `Terraform v${tv}`);
    mirror.addFile('/tf/terraform.zip', tf);
    const kv = pinnedVersion('kwok');
    const kwok = asset('raw', 'kwok', `kwok version v${kv}`);
    const kwokctl = asset('raw', 'kwokctl', `kwokctl version v${kv}`);
    mirror.addFile('/kwok/kwok-x', kwok);
    mirror.addFile('/kwok/kwokctl-x', kwokctl);
    const r = await provision(
      ['terraform', 'kwok'],
      {
        [`TERRAFORM_DOWNLOAD_${platform}`]: `terraform=${mirror.baseUrl}/tf/terraform.zip@${sha256(tf)}`,
        [`KWOK_DOWNLOAD_${platform}`]: `kwok=${mirror.baseUrl}/kwok/kwok-x@${sha256(kwok)} kwokctl=${mirror.baseUrl}/kwok/kwokctl-x@${sha256(kwokctl)}`,
      },
      { TERRAFORM_SYSTEM_BIN: '/nonexistent/terraform' }, // not the machine's terraform: the download path
    );
    expect(r.out).toContain('provision: 2 tool(s) ready');
    expect(r.code).toBe(0);
    expect(execFileSync(join(r.cache, 'tools', 'terraform', tv, 'bin', 'terraform')).toString()).toContain(`Terraform v${tv}`);
    expect(execFileSync(join(r.cache, 'tools', 'kwok', kv, 'bin', 'kwokctl')).toString()).toContain(kv);
    expect(execFileSync(join(r.cache, 'tools', 'kwok', kv, 'bin', 'kwok')).toString()).toContain(kv);
  });

  it('never keeps an asset whose sha256 does not match, and names the tool and the reason in one line', async () => {
    const v = pinnedVersion('gitleaks');
    const body = asset('tar.gz', 'gitleaks', v);
    mirror.addFile('/bad/gitleaks.tar.gz', body);
    mirror.inject('/bad/gitleaks.tar.gz', [{ corrupt: true }]);
    const r = await provision(
      ['gitleaks'],
      { [`GITLEAKS_DOWNLOAD_${platform}`]: `gitleaks=${mirror.baseUrl}/bad/gitleaks.tar.gz@${sha256(body)}` },
      { PA_TOOL_SOURCE: 'download' },
    );
    expect(r.code).toBe(1);
    const failure = lines(r).filter((l) => l.includes('FAILED'));
    expect(failure[0]).toMatch(
      new RegExp(
        `^provision: gitleaks FAILED after \\d+s: gitleaks ${v}: checksum mismatch for gitleaks.tar.gz: expected sha256 ${sha256(body)}, got [0-9a-f]{64}; the file was not used`,
      ),
    );
    expect(lines(r).at(-1)).toMatch(/^provision: 1 of 1 tool\(s\) FAILED/);
    expect(r.out).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack trace
    expect(existsSync(join(r.cache, 'tools', 'gitleaks', v))).toBe(false);
    expect(readdirSync(join(r.cache, 'tools', 'gitleaks'))).toEqual([]); // no stage folder left with the file
  });

  it('falls back to the Go module proxy build after a checksum mismatch, saying so in one line', async () => {
    const v = pinnedVersion('gitleaks');
    const body = asset('tar.gz', 'gitleaks', v);
    const r = await provision(['gitleaks'], {
      [`GITLEAKS_DOWNLOAD_${platform}`]: `gitleaks=${mirror.baseUrl}/gl/gitleaks.tar.gz@${sha256(Buffer.concat([body, Buffer.from('x')]))}`,
    });
    const fallback = lines(r).filter((l) => l.includes('building instead'));
    expect(fallback).toHaveLength(1);
    expect(fallback[0]).toMatch(
      /^provision: gitleaks [\d.]+: checksum mismatch for gitleaks.tar.gz: .*; the file was not used; building instead from the Go module proxy \(~\d+ min on 2 cores; go output: .*\/logs\/gitleaks.log\)$/,
    );
    // This test's Go has no proxy, so the build fails: one line naming the tool and Go's reason.
    expect(r.code).toBe(1);
    expect(lines(r).find((l) => l.includes('FAILED'))).toMatch(/^provision: gitleaks FAILED after \d+s: .*GOPROXY=off.* \(log: .*gitleaks.log\)$/);
  });

  it('falls back to the Go module proxy build when the download host does not answer', async () => {
    const r = await provision(['gitleaks'], { [`GITLEAKS_DOWNLOAD_${platform}`]: `gitleaks=${deadBase}/gl/gitleaks.tar.gz@${'0'.repeat(64)}` });
    expect(lines(r).filter((l) => l.includes('building instead'))[0]).toMatch(
      /^provision: gitleaks [\d.]+: could not download gitleaks.tar.gz from 127\.0\.0\.1:\d+ \(.*[Cc]onnect.*\); building instead from the Go module proxy/,
    );
  });

  it('with PA_TOOL_SOURCE=download, an unreachable host is a failure, not a build', async () => {
    const r = await provision(['gitleaks'], { [`GITLEAKS_DOWNLOAD_${platform}`]: `gitleaks=${deadBase}/gl/gitleaks.tar.gz@${'0'.repeat(64)}` }, { PA_TOOL_SOURCE: 'download' });
    expect(r.code).toBe(1);
    expect(r.out).not.toContain('building instead');
    expect(lines(r).find((l) => l.includes('FAILED'))).toMatch(/gitleaks [\d.]+: could not download gitleaks.tar.gz .*\(PA_TOOL_SOURCE=download: not building\)/);
    expect(existsSync(join(r.cache, 'tools', 'gitleaks', pinnedVersion('gitleaks')))).toBe(false);
  });

  it('provisions independent tools side by side with PA_JOBS=2, each with its own lines and log', async () => {
    const gv = pinnedVersion('gitleaks');
    const kv = pinnedVersion('kubeconform');
    const gl = asset('tar.gz', 'gitleaks', gv);
    const kc = asset('tar.gz', 'kubeconform', `v${kv}`);
    mirror.addFile('/par/gitleaks.tar.gz', gl);
    mirror.addFile('/par/kubeconform.tar.gz', kc);
    mirror.inject('/par/gitleaks.tar.gz', [{ slow: 1500 }]); // still downloading when kubeconform starts
    const r = await provision(
      ['gitleaks', 'kubeconform'],
      {
        [`GITLEAKS_DOWNLOAD_${platform}`]: `gitleaks=${mirror.baseUrl}/par/gitleaks.tar.gz@${sha256(gl)}`,
        [`KUBECONFORM_DOWNLOAD_${platform}`]: `kubeconform=${mirror.baseUrl}/par/kubeconform.tar.gz@${sha256(kc)}`,
      },
      { PA_JOBS: '2' },
    );
    expect(r.code).toBe(0);
    const ready = lines(r).filter((l) => /^provision: \S+ ready in /.test(l));
    expect(ready.map((l) => l.split(' ')[1])).toEqual(['kubeconform', 'gitleaks']); // the second finished first
    expect(lines(r).at(-1)).toMatch(/^provision: 2 tool\(s\) ready in \d+s \(2 download\)$/);
    expect(readFileSync(join(r.cache, 'logs', 'kubeconform.log'), 'utf8')).toContain('kubeconform');
  });

  it('says "cached" in one line for a tool already in the cache, and counts it', async () => {
    const v = pinnedVersion('gitleaks');
    const body = asset('tar.gz', 'gitleaks', v);
    mirror.addFile('/again/gitleaks.tar.gz', body);
    const pins = { [`GITLEAKS_DOWNLOAD_${platform}`]: `gitleaks=${mirror.baseUrl}/again/gitleaks.tar.gz@${sha256(body)}` };
    const first = await provision(['gitleaks'], pins);
    const second = await new Promise<string>((resolve) =>
      execFile('bash', [provisionSh, 'gitleaks'], { env: { ...process.env, PA_CACHE: first.cache, PA_JOBS: '1' } }, (_e, out) => resolve(out)),
    );
    expect(second.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^provision: gitleaks ${v} \\(secret scanner.*\\): cached$`)),
      expect.stringMatching(/^provision: 1 tool\(s\) ready in \d+s \(1 cached\)$/),
    ]);
  });
});
