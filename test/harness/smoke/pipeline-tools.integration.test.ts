// The act pipeline runs' Python tools and npm cache are the pinned ones, pip finds every pin with no index,
// and the FAKE PyPI feed answers the real pip-audit (and nothing else).
// Provision first: bash test/harness/provision.sh pipeline-py frontend-npm
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startFakePypiFeed, type FakePypiFeed } from '../services/fake-pypi-feed.js';
import { toolBin, toolDir } from '../tools.js';

const pins = () =>
  readFileSync(join(toolDir('pipeline-py'), 'requirements.txt'), 'utf8')
    .split('\n')
    .map((l) => /^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], m[2]] as const);
const norm = (n: string) => n.toLowerCase().replace(/[-_.]+/g, '-');

describe('pipeline-py', () => {
  it('has every pin of its requirements file installed at its version, and a wheel of each in wheels/', () => {
    const installed = new Map(
      (JSON.parse(execFileSync(toolBin('pipeline-py', 'python'), ['-m', 'pip', 'list', '--format', 'json'], { encoding: 'utf8' })) as Array<{ name: string; version: string }>).map(
        (p) => [norm(p.name), p.version],
      ),
    );
    const wheels = readdirSync(join(toolDir('pipeline-py'), 'wheels')).map((w) => norm(w.split('-')[0]) + '==' + w.split('-')[1]);
    expect(pins().length).toBeGreaterThan(100);
    for (const [name, version] of pins()) {
      expect([name, installed.get(norm(name))]).toEqual([name, version]);
      expect(wheels).toContain(`${norm(name)}==${version}`);
    }
  });

  it('runs Semgrep and Bandit at the versions sast.yml installs', () => {
    expect(execFileSync(toolBin('pipeline-py', 'semgrep'), ['--version'], { encoding: 'utf8', env: { ...process.env, SEMGREP_ENABLE_VERSION_CHECK: '0' } }).trim()).toBe('1.187.0');
    expect(execFileSync(toolBin('pipeline-py', 'python'), ['-m', 'bandit', '--version'], { encoding: 'utf8' })).toMatch(/^\S+ 1\.9\.4\b/);
  });
});

describe('frontend-npm', () => {
  it('holds an npm cache warmed from the example lockfile', () => {
    expect(existsSync(join(toolDir('frontend-npm'), 'complete'))).toBe(true);
    expect(readdirSync(join(toolDir('frontend-npm'), 'npm-cache', '_cacache'))).toEqual(expect.arrayContaining(['content-v2', 'index-v5']));
  });
});

describe('the FAKE PyPI vulnerability feed', () => {
  let feed: FakePypiFeed;
  const dir = mkdtempSync(join(tmpdir(), 'pa-feed-smoke-'));
  beforeAll(async () => {
    feed = await startFakePypiFeed({ Flask: { '3.1.3': [{ id: 'PYSEC-2099-7', summary: 'FAKE advisory', fixed_in: ['3.1.4'] }] } });
  });
  afterAll(async () => {
    await feed?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('real pip-audit, resolving from the wheelhouse with no index, reports the planted advisory and exits 1', async () => {
    writeFileSync(join(dir, 'requirements.txt'), 'Flask==3.1.3\n');
    const run = promisify(execFile);
    const env = { ...process.env, ...feed.env, PIP_NO_INDEX: '1', PIP_FIND_LINKS: join(toolDir('pipeline-py'), 'wheels'), PIP_REQUIRE_VIRTUALENV: '1' };
    const err = (await run(
      toolBin('pipeline-py', 'python'),
      ['-m', 'pip_audit', '-r', 'requirements.txt', '--progress-spinner', 'off', '--format', 'json', '--output', 'audit.json'],
      {
        cwd: dir,
        env,
        timeout: 180_000,
      },
    ).catch((e: { code: number }) => e)) as { code?: number };
    expect(err.code).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'audit.json'), 'utf8')) as {
      dependencies: Array<{ name: string; version: string; vulns: Array<{ id: string; fix_versions: string[] }> }>;
    };
    expect(report.dependencies.find((d) => d.name === 'flask')).toMatchObject({ version: '3.1.3', vulns: [{ id: 'PYSEC-2099-7', fix_versions: ['3.1.4'] }] });
    // Flask's dependencies were asked about too, and came back clean.
    expect(feed.queries).toEqual(expect.arrayContaining(['flask==3.1.3', 'werkzeug==3.1.9', 'jinja2==3.1.6']));
  }, 240_000);

  it('refuses every host but pypi.org', async () => {
    const py = "import requests\ntry:\n  requests.get('https://example.com', timeout=10)\nexcept requests.exceptions.ProxyError:\n  print('refused')";
    const { stdout } = await promisify(execFile)(toolBin('pipeline-py', 'python'), ['-c', py], { env: { ...process.env, ...feed.env } });
    expect(stdout.trim()).toBe('refused');
  });
});
