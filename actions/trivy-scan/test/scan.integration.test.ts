// The action in-process with the real trivy, offline against the harness database: the gate, SARIF,
// suppressions, IaC, secrets, images built here, licences, SBOM and baseline.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sarifSchemaErrors } from '../../../test/helpers/sarif-schema.js';
import { toolBin } from '../../../test/harness/tools.js';
import { type Project, writeProject } from './fixtures.js';
import { type TrivyRun, runMain, trivyToolCache, warmCacheDir } from './helpers.js';

jest.setTimeout(120_000);
let tmp: string;
let toolCache: string;
let cacheDir: string;
let p: Project;
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'trivy-scan-'));
  toolCache = trivyToolCache(join(tmp, 'tool-cache'));
  cacheDir = await warmCacheDir(join(tmp, 'trivy-cache'));
  p = await writeProject(join(tmp, 'ws'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Offline against the harness DB in a warm cache dir. */
const scan = (inputs: Record<string, string>): Promise<TrivyRun> => runMain(p.ws, { offline: 'true', 'cache-dir': cacheDir, ...inputs }, { toolCache });
const results = (r: TrivyRun) =>
  (r.sarif?.runs ?? []).flatMap(
    (run) => run.results as Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }> }>,
  );

describe('a lockfile with known vulnerable packages', () => {
  test('fails at fail-on: high; the SARIF still holds every finding, valid against the schema', async () => {
    const r = await scan({ targets: 'fs:py' });
    expect(r.failed).toBe(true);
    expect(r.failure).toBe('trivy-scan: 1 finding at or above "high" (see the annotations and the job summary)');
    expect(r.outputs).toMatchObject({
      outcome: 'policy-failure',
      'findings-count': '2',
      'high-count': '1',
      'medium-count': '1',
      'critical-count': '0',
      'suppressed-count': '0',
      'db-source': 'local',
    });
    expect(
      results(r)
        .map((x) => [x.ruleId, x.level, x.locations[0].physicalLocation.artifactLocation.uri])
        .sort(),
    ).toEqual([
      ['CVE-2099-10003', 'warning', 'py/requirements.txt'],
      ['CVE-2099-10004', 'error', 'py/requirements.txt'],
    ]);
    expect(sarifSchemaErrors(r.sarif)).toEqual([]);
    expect(r.sarif!.runs[0].automationDetails.id).toBe('trivy-scan/fs-py/');
    const rule = r.sarif!.runs[0].tool.driver.rules.find((x: { id: string }) => x.id === 'CVE-2099-10004');
    expect(rule.properties['security-severity']).toBe('8.0');
    expect(rule.help.markdown).toContain('no fix yet');
    // Annotations at the lockfile; the summary groups by package with installed and fixed versions.
    expect(
      r.log.annotations
        .filter((a) => a.file === 'py/requirements.txt')
        .map((a) => a.level)
        .sort(),
    ).toEqual(['error', 'warning']);
    expect(r.summary).toContain('| high | PyYAML | 6.0.1 | no fix yet | [CVE-2099-10004](https://avd.aquasec.com/nvd/cve-2099-10004) | py/requirements.txt |');
    expect(r.summary).toContain('| medium | Jinja2 | 3.1.2 | 3.1.3 |');
    expect(existsSync(join(r.outputs['report-dir'], '01-fs.json'))).toBe(true);
  });

  test('passes at fail-on: critical, with the same report', async () => {
    const r = await scan({ targets: 'fs:py', 'fail-on': 'critical' });
    expect(r.failed).toBe(false);
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'findings-count': '2' });
    expect(results(r)).toHaveLength(2);
  });

  test('ignore-unfixed leaves out the vulnerability without a fix, and counts it', async () => {
    const r = await scan({ targets: 'fs:py', 'ignore-unfixed': 'true' });
    expect(r.failed).toBe(false);
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'findings-count': '1', 'medium-count': '1', 'suppressed-count': '1' });
    expect(r.summary).toContain('ignore-unfixed: 1 finding without a fix left out');
  });
});

describe('.trivyignore and .trivyignore.yaml', () => {
  test('.trivyignore suppresses by ID, counts it, and warns about an expired entry that no longer applies', async () => {
    writeFileSync(join(p.ws, 'ignores.trivyignore'), '# accepted until the upgrade lands\nCVE-2099-10002\nCVE-2099-10003 exp:2020-01-31\n');
    const r = await scan({ targets: 'fs:js\nfs:py', 'ignore-file': 'ignores.trivyignore', 'fail-on': 'critical' });
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'critical-count': '0', 'suppressed-count': '1' });
    expect(r.log.annotations).toContainEqual(
      expect.objectContaining({ level: 'warning', message: 'ignores.trivyignore:3: the entry for CVE-2099-10003 expired on 2020-01-31; it no longer suppresses anything' }),
    );
    // Jinja2 in both lockfiles (js/ has a requirements.txt too), PyYAML in py/; lodash suppressed.
    expect(
      results(r)
        .map((x) => x.ruleId)
        .sort(),
    ).toEqual(['CVE-2099-10003', 'CVE-2099-10003', 'CVE-2099-10004']);
    expect(r.summary).toContain('ignores.trivyignore: 1 active entry, 1 finding suppressed, 1 expired entry (CVE-2099-10003 since 2020-01-31)');
  });

  test('.trivyignore.yaml at the workspace root: scoped by path, with its statement', async () => {
    const ws = mkdtempSync(join(tmp, 'ws-yaml-'));
    await writeProject(ws);
    writeFileSync(
      join(ws, '.trivyignore.yaml'),
      [
        'vulnerabilities:',
        '  - id: CVE-2099-10004',
        '    paths: ["requirements.txt"]',
        '    statement: safe_load is never given untrusted input',
        '  - id: CVE-2099-10003',
        '    paths: ["elsewhere/**"]',
        '',
      ].join('\n'),
    );
    const r = await runMain(ws, { offline: 'true', 'cache-dir': cacheDir, targets: 'fs:py' }, { toolCache });
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'findings-count': '1', 'suppressed-count': '1' });
    expect(r.summary).toContain('.trivyignore.yaml: 2 active entries, 1 finding suppressed');
  });
});

describe('IaC, secrets, images, licences, SBOM, baseline', () => {
  test('config scan: Dockerfile and Kubernetes YAML misconfigurations at their lines, no database needed', async () => {
    const r = await scan({ targets: 'config:deploy', 'fail-on': 'none', 'cache-dir': join(tmp, 'never-used') });
    expect(r.outputs.outcome).toBe('clean');
    expect(r.outputs['db-source']).toBe('not needed');
    const ids = results(r).map((x) => `${x.ruleId} ${x.locations[0].physicalLocation.artifactLocation.uri}`);
    expect(ids).toEqual(expect.arrayContaining(['DS-0002 deploy/Dockerfile']));
    const privileged = results(r).find((x) => x.locations[0].physicalLocation.artifactLocation.uri === 'deploy/k8s.yaml' && x.ruleId === 'KSV-0017');
    expect(privileged?.locations[0].physicalLocation.region?.startLine).toBeGreaterThan(10);
    expect(Number(r.outputs['high-count'])).toBeGreaterThan(0);
  });

  test('a planted secret is found and never printed', async () => {
    const r = await scan({ targets: 'fs:secrets', scanners: 'secret' });
    expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'critical-count': '1' });
    expect(results(r)[0]).toMatchObject({
      ruleId: 'secret:aws-access-key-id',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'secrets/settings.env' }, region: { startLine: 2 } } }],
    });
    for (const text of [r.stdout, r.summary, JSON.stringify(r.outputs), JSON.stringify(r.sarif), readFileSync(join(r.outputs['report-dir'], '01-fs.json'), 'utf8')]) {
      expect(text).not.toContain(p.secret);
      expect(text).not.toContain(p.secret.slice(4));
    }
  });

  test('an image built here, from its OCI layout and from a tarball: OS and app packages, a forbidden licence, one SARIF category each, an SBOM', async () => {
    const sbom = join(p.ws, 'build', 'sbom.cdx.json');
    const r = await scan({
      targets: 'image-input:build/layout\nimage-input:build/image.tar',
      scanners: 'vuln,license',
      'forbidden-licenses': 'GPL-2.0-only, AGPL-3.0',
      'sbom-file': 'build/sbom.cdx.json',
    });
    expect(r.outputs.outcome).toBe('policy-failure');
    expect(r.sarif!.runs.map((x) => x.automationDetails.id)).toEqual(['trivy-scan/image-input-build-layout/', 'trivy-scan/image-input-build-image.tar/']);
    for (const run of r.sarif!.runs) {
      const ids = (run.results as Array<{ ruleId: string }>).map((x) => x.ruleId);
      expect(ids).toEqual(expect.arrayContaining(['CVE-2099-10001', 'CVE-2099-10003', 'CVE-2099-10004', 'license:GPL-2.0-only']));
    }
    expect(r.summary).toContain('| high | busybox | 1.37.0-r18 | 1.37.0-r19 |');
    expect(r.summary).toMatch(/OS alpine 3\.22\.2/);
    // No runner path in what people read.
    expect(r.summary).not.toContain(p.ws);
    expect(r.summary).toContain('busybox 1.37.0-r18 (in build/image.tar (alpine 3.22.2))');
    const lic = results(r).find((x) => x.ruleId === 'license:GPL-2.0-only');
    expect(lic?.level).toBe('error');
    expect(Number(r.outputs['critical-count'])).toBeGreaterThanOrEqual(2);
    expect(sarifSchemaErrors(r.sarif)).toEqual([]);
    const doc = JSON.parse(readFileSync(sbom, 'utf8')) as { bomFormat: string; components: Array<{ name: string; version: string }> };
    expect(doc.bomFormat).toBe('CycloneDX');
    expect(doc.components.map((c) => `${c.name}@${c.version}`)).toEqual(expect.arrayContaining(['busybox@1.37.0-r18', 'PyYAML@6.0.1']));
    expect(r.outputs['sbom-file']).toBe(sbom);
  });

  test('a baseline from an earlier run accepts what it holds', async () => {
    const first = await scan({ targets: 'fs:js' });
    expect(first.outputs.outcome).toBe('policy-failure');
    const baseline = join(p.ws, 'baseline.sarif');
    writeFileSync(baseline, JSON.stringify(first.sarif));
    const r = await scan({ targets: 'fs:js', 'baseline-path': 'baseline.sarif' });
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'findings-count': '0', 'suppressed-count': first.outputs['findings-count'] });
  });
});

describe('several targets', () => {
  /** The real trivy behind a wrapper on PATH that logs when each run starts and ends (version: system). */
  function timedTrivy(): { env: Record<string, string>; runs: () => Array<{ what: string; start: number; end: number }> } {
    const dir = mkdtempSync(join(tmp, 'timed-'));
    const log = join(dir, 'runs.log');
    writeFileSync(
      join(dir, 'trivy'),
      `#!/bin/sh\necho "start $$ $1 $(date +%s%N)" >> '${log}'\n'${toolBin('trivy')}' "$@"\nrc=$?\necho "end $$ $1 $(date +%s%N)" >> '${log}'\nexit $rc\n`,
      { mode: 0o755 },
    );
    const runs = () => {
      const byPid = new Map<string, { what: string; start: number; end: number }>();
      for (const line of readFileSync(log, 'utf8').trim().split('\n')) {
        const [ev, pid, what, ns] = line.split(' ');
        const run = byPid.get(pid) ?? { what, start: 0, end: 0 };
        run[ev as 'start' | 'end'] = Number(BigInt(ns) / 1000n) / 1000;
        byPid.set(pid, run);
      }
      return [...byPid.values()].filter((r) => r.what !== '--version').sort((a, b) => a.start - b.start);
    };
    return { env: { PATH: `${dir}:${process.env.PATH}` }, runs };
  }

  test('scans that only read the cache overlap; the log, SARIF and summary keep the target order', async () => {
    const trivy = timedTrivy();
    const r = await runMain(p.ws, { offline: 'true', 'cache-dir': cacheDir, version: 'system', targets: 'fs:js\nfs:py' }, { toolCache, env: trivy.env });
    const [first, second] = trivy.runs();
    expect([first.what, second.what]).toEqual(['fs', 'fs']);
    expect(second.start).toBeLessThan(first.end);
    expect(r.log.display.split('\n').filter((l) => l.startsWith('▶ trivy '))).toEqual(['▶ trivy fs:js', '▶ trivy fs:py']);
    expect(r.sarif!.runs.map((x) => x.automationDetails.id)).toEqual(['trivy-scan/fs-js/', 'trivy-scan/fs-py/']);
    expect(r.summary.indexOf('fs:js')).toBeLessThan(r.summary.indexOf('fs:py'));
    expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'critical-count': '1', 'high-count': '1' });
  });

  test('a misconfiguration scan (which may write the checks bundle into the cache folder) runs alone', async () => {
    const trivy = timedTrivy();
    const r = await runMain(p.ws, { offline: 'true', 'cache-dir': cacheDir, version: 'system', targets: 'fs:py\nconfig:deploy' }, { toolCache, env: trivy.env });
    const [first, second] = trivy.runs();
    expect([first.what, second.what]).toEqual(['fs', 'config']);
    expect(second.start).toBeGreaterThanOrEqual(first.end);
    expect(r.outputs.outcome).toBe('policy-failure');
  });
});

describe('the example: the hardened Python service', () => {
  test('its lockfile and IaC pass the high gate; the Jinja2 advisory is reported at its lockfile line', async () => {
    const example = join(process.cwd(), 'examples', 'python-web-service-image');
    const r = await runMain(example, { offline: 'true', 'cache-dir': cacheDir, targets: 'fs:.\nconfig:.' }, { toolCache });
    expect(r.failure).toBeUndefined();
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'critical-count': '0', 'high-count': '0' });
    const jinja = results(r).find((x) => x.ruleId === 'CVE-2099-10003');
    expect(jinja?.locations[0].physicalLocation.artifactLocation.uri).toBe('requirements.txt');
    expect(r.summary).toContain('| medium | Jinja2 | 3.1.2 | 3.1.3 |');
  });
});
