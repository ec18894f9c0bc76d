// The pure parts: targets and scanners, trivy's argument arrays and environment, release names, ignore
// files, database freshness and download-failure classes, the findings parser and the Markdown.
import { describe, expect, test } from '@jest/globals';
import { InputError, UserError } from '@platform-actions/kit';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheKey, classify, isFresh, VULN_DB } from '../src/db.js';
import { metaOf, parseReport, toFindings } from '../src/findings.js';
import { applyIgnores, loadIgnoreFiles, parseTrivyignore, parseTrivyignoreYaml } from '../src/ignore.js';
import { trivyRelease } from '../src/install.js';
import { detailsMarkdown } from '../src/report.js';
import { parseBaseline, parseRepositories, parseVersion } from '../src/settings.js';
import { parseScanners, parseTargets } from '../src/targets.js';
import { envFor, scanArgs, scanConcurrency, trivyEnv } from '../src/trivy.js';

const ws = mkdtempSync(join(tmpdir(), 'trivy-unit-'));
mkdirSync(join(ws, 'app'));
mkdirSync(join(ws, 'layout'));
writeFileSync(join(ws, 'layout', 'index.json'), '{}');
writeFileSync(join(ws, 'image.tar'), '');
writeFileSync(join(ws, 'sbom.json'), '{}');
process.env.GITHUB_WORKSPACE = ws;

describe('targets', () => {
  test('type:value lines, scanners per subcommand, unique labels', () => {
    const t = parseTargets(
      ['image:ghcr.io/acme/web:1.4.2', 'image-input:layout', 'image-input:image.tar', 'fs:app', 'config:.', 'sbom:sbom.json', 'repo:https://github.com/acme/web'],
      ['vuln', 'secret', 'license'],
      ws,
    );
    expect(t.map((x) => [x.type, x.label, x.scanners.join(',')])).toEqual([
      ['image', 'image-ghcr.io-acme-web-1.4.2', 'vuln,secret,license'],
      ['image-input', 'image-input-layout', 'vuln,secret,license'],
      ['image-input', 'image-input-image.tar', 'vuln,secret,license'],
      ['fs', 'fs-app', 'vuln,secret,license'],
      ['config', 'config-root', 'misconfig'],
      ['sbom', 'sbom-sbom.json', 'vuln,license'],
      ['repo', 'repo-github.com-acme-web', 'vuln,secret,license'],
    ]);
    expect(t[3]).toMatchObject({ arg: join(ws, 'app'), root: 'app' });
    expect(t[4].root).toBe('.');
    expect(t[0].root).toBeUndefined();
  });
  test.each([
    ['docker:alpine', /input "targets" must use the types image, image-input, fs, config, repo, sbom/],
    ['image:alpine;rm -rf /', /image: must be an image reference/],
    ['image:$(curl evil)', /image: must be an image reference/],
    ['image:alpine --input /etc', /image: must be an image reference/],
    ['image-input:missing.tar', /input "targets" must name an existing path; got "missing.tar"/],
    ['fs:../outside', /must be a path inside the workspace/],
    ['fs:', /has "fs:" without a value/],
    ['fs:--help', /fs: must be a path, not an option/],
    ['sbom:app', /sbom: must name a CycloneDX or SPDX file/],
  ])('%s is refused', (line, re) => {
    expect(() => parseTargets([line], ['vuln'], ws)).toThrow(InputError);
    expect(() => parseTargets([line], ['vuln'], ws)).toThrow(re);
  });
  test('scanners: aliases, duplicates, unknown', () => {
    expect(parseScanners(['vuln', 'misconf', 'vulnerability', 'license'])).toEqual(['vuln', 'misconfig', 'license']);
    expect(() => parseScanners(['vuln', 'rootkit'])).toThrow(/input "scanners" must list scanners from vuln, secret, misconfig, license; got "rootkit"/);
  });
});

describe('trivy command line and environment', () => {
  const base = { cacheDir: '/c', reportPath: '/r.json', neutralConfig: '/n.yaml', neutralIgnore: '/n.ignore', offline: false, dbReady: true, javaDb: false, timeoutMs: 600_000 };
  test('JSON, every severity, exit code 0, the database left to us; image by reference without a daemon', () => {
    const [t] = parseTargets(['image:ghcr.io/acme/web:1.4.2'], ['vuln', 'secret'], ws);
    const a = scanArgs(t, base);
    expect(a[0]).toBe('image');
    expect(a.join(' ')).toContain('--format json --output /r.json --exit-code 0 --severity UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL');
    expect(a).toEqual(
      expect.arrayContaining(['--skip-db-update', '--skip-java-db-update', '--skip-version-check', '--disable-telemetry', '--ignorefile', '/n.ignore', '--config', '/n.yaml']),
    );
    expect(a.slice(-3)).toEqual(['--image-src', 'remote', 'ghcr.io/acme/web:1.4.2']);
    expect(a).not.toContain('--offline-scan');
  });
  test('offline scans and the config subcommand', () => {
    const [c] = parseTargets(['config:.'], ['vuln'], ws);
    const a = scanArgs(c, { ...base, offline: true });
    expect(a[0]).toBe('config');
    expect(a).not.toContain('--scanners');
    expect(a).toContain('--skip-check-update');
    // trivy config has neither flag.
    expect(a).not.toContain('--offline-scan');
    expect(a).not.toContain('--no-progress');
    const [i] = parseTargets(['image-input:image.tar'], ['vuln'], ws);
    expect(scanArgs(i, base).slice(-2)).toEqual(['--input', join(ws, 'image.tar')]);
  });
  test('trivy never sees the GitHub token or settings that change what the report means', () => {
    const env = trivyEnv({
      PATH: '/bin',
      GITHUB_TOKEN: 'ghs_x',
      GH_TOKEN: 'y',
      ACTIONS_RUNTIME_TOKEN: 'z',
      INPUT_TOKEN: 'ghs_x',
      TRIVY_SEVERITY: 'CRITICAL',
      TRIVY_EXIT_CODE: '1',
      TRIVY_USERNAME: 'u',
      TRIVY_PASSWORD: 'p',
    });
    expect(env).toEqual({ PATH: '/bin', TRIVY_USERNAME: 'u', TRIVY_PASSWORD: 'p', TRIVY_DISABLE_VEX_NOTICE: 'true', TRIVY_NO_PROGRESS: 'true' });
  });
  test('only a repo target on this GitHub host gets the token (to clone a private repository)', () => {
    const [repo, other, fs] = parseTargets(['repo:https://github.com/acme/web', 'repo:https://gitlab.example/acme/web', 'fs:app'], ['vuln'], ws);
    expect(envFor(repo, { A: '1' }, 'tok', 'https://github.com')).toEqual({ A: '1', GITHUB_TOKEN: 'tok' });
    expect(envFor(other, { A: '1' }, 'tok', 'https://github.com')).toEqual({ A: '1' });
    expect(envFor(fs, { A: '1' }, 'tok', 'https://github.com')).toEqual({ A: '1' });
  });
  test('scans overlap two at a time unless one may write the checks bundle into the cache folder', () => {
    const [img, app, cfg] = parseTargets(['image-input:layout', 'fs:app', 'config:.'], ['vuln', 'secret', 'license'], ws);
    expect(scanConcurrency([img, app], 2)).toBe(2);
    expect(scanConcurrency([img, app, { ...app, index: 4 }], 8)).toBe(2);
    expect(scanConcurrency([img], 8)).toBe(1);
    expect(scanConcurrency([img, app], 1)).toBe(1);
    // trivy config, or the misconfig scanner on any target: one scan at a time.
    expect(scanConcurrency([img, cfg], 4)).toBe(1);
    expect(scanConcurrency(parseTargets(['fs:app', 'image-input:layout'], ['vuln', 'misconfig'], ws), 4)).toBe(1);
  });
  test('release assets and refused versions', () => {
    expect(trivyRelease('0.74.0', 'linux', 'x64').asset).toEqual({ path: 'v0.74.0/trivy_0.74.0_Linux-64bit.tar.gz', checksumsPath: 'v0.74.0/trivy_0.74.0_checksums.txt' });
    expect(trivyRelease('0.74.0', 'darwin', 'arm64').asset.path).toBe('v0.74.0/trivy_0.74.0_macOS-ARM64.tar.gz');
    expect(trivyRelease('0.74.0', 'win32', 'x64').binaries).toEqual(['trivy.exe']);
    expect(() => trivyRelease('0.74.0', 'aix', 'ppc64')).toThrow(/set version: system/);
    expect(parseVersion('v0.74.0')).toBe('0.74.0');
    expect(() => parseVersion('0.69.4')).toThrow(/must not be 0.69.4: it was published by the March 2026 supply-chain compromise/);
    expect(() => parseVersion('latest')).toThrow(/must be a trivy release such as 0.74.0, or system; got "latest"/);
    expect(() => parseRepositories('db-repositories', ['https://ghcr.io/aquasecurity/trivy-db:2'])).toThrow(/no scheme/);
    expect(parseRepositories('db-repositories', ['127.0.0.1:5000/trivy-db:2', 'ghcr.io/aquasecurity/trivy-db:2'])).toHaveLength(2);
  });
});

describe('database', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  test('fresh: schema 2 and not due, or fetched within a day', () => {
    expect(isFresh({ present: true, version: 2, nextUpdate: '2026-11-27T00:00:00Z' }, VULN_DB, now)).toBe(true);
    expect(isFresh({ present: true, version: 2, nextUpdate: '2026-11-25T00:00:00Z', downloadedAt: '2026-11-26T06:00:00Z' }, VULN_DB, now)).toBe(true);
    expect(isFresh({ present: true, version: 2, nextUpdate: '2026-11-25T00:00:00Z', downloadedAt: '2026-11-24T06:00:00Z' }, VULN_DB, now)).toBe(false);
    expect(isFresh({ present: true, version: 1, nextUpdate: '2099-01-01T00:00:00Z' }, VULN_DB, now)).toBe(false);
    expect(isFresh({ present: false }, VULN_DB, now)).toBe(false);
  });
  test('one cache key per day, restoring earlier days', () => {
    expect(cacheKey([VULN_DB], '2026-11-26')).toEqual({ key: `trivy-scan-db-${process.platform}-2026-11-26`, restoreKeys: [`trivy-scan-db-${process.platform}-`] });
  });
  test.each([
    ['GET http://x/v2/trivy-db/manifests/2: TOOMANYREQUESTS: retry-after: 0.5, allowed: 44000/minute', '429 Too Many Requests', true],
    ['unexpected status code 503 Service Unavailable', 'HTTP 503', true],
    ['dial tcp 127.0.0.1:1: connect: connection refused', 'connection refused', true],
    ['MANIFEST_UNKNOWN: manifest unknown', 'not found (404)', false],
    ['UNAUTHORIZED: authentication required', 'access denied', false],
  ])('%s → %s', (stderr, reason, retryable) => expect(classify(stderr)).toMatchObject({ reason, retryable }));
  test('retry-after is honoured', () => expect(classify('TOOMANYREQUESTS: retry-after: 0.5').retryAfterMs).toBe(500));
});

describe('ignore files', () => {
  test('.trivyignore: IDs, exp: dates, comments; a bad line names file and line', () => {
    expect(parseTrivyignore('# c\nCVE-1\nCVE-2 exp:2020-01-01 # old\n\n', '.trivyignore')).toEqual([
      { id: 'CVE-1', expires: undefined, where: '.trivyignore:2' },
      { id: 'CVE-2', expires: '2020-01-01', where: '.trivyignore:3' },
    ]);
    expect(() => parseTrivyignore('CVE-1 exp:tomorrow', '.trivyignore')).toThrow(/\.trivyignore:1: exp: must be a date such as 2026-12-31; got "tomorrow"/);
    expect(() => parseTrivyignore('CVE-1 because', '.trivyignore')).toThrow(UserError);
  });
  test('.trivyignore.yaml: sections, paths, purls, statements; malformed files are one line', async () => {
    const e = await parseTrivyignoreYaml(
      'vulnerabilities:\n  - id: CVE-1\n    paths: ["app/**"]\n    statement: not reachable\n    expired_at: 2999-01-01\nsecrets:\n  - id: aws-access-key-id\n',
      '.trivyignore.yaml',
    );
    expect(e.map((x) => [x.id, x.kind, x.expires, x.statement])).toEqual([
      ['CVE-1', 'vulnerability', '2999-01-01', 'not reachable'],
      ['aws-access-key-id', 'secret', undefined, undefined],
    ]);
    await expect(parseTrivyignoreYaml('vulnerabilities: [id: 1', 'x.yaml')).rejects.toThrow(/x.yaml is not valid YAML/);
    await expect(parseTrivyignoreYaml('vulns:\n  - id: CVE-1\n', 'x.yaml')).rejects.toThrow(/unknown section "vulns"/);
    await expect(parseTrivyignoreYaml('vulnerabilities:\n  - paths: [a]\n', 'x.yaml')).rejects.toThrow(/needs an id/);
  });
  test('expired entries are kept apart and suppress nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ign-'));
    writeFileSync(join(dir, '.trivyignore'), 'CVE-1\nCVE-2 exp:2020-01-01\n');
    const files = await loadIgnoreFiles(undefined, dir, '2026-11-26');
    expect(files[0].entries.map((e) => e.id)).toEqual(['CVE-1']);
    expect(files[0].expired.map((e) => e.id)).toEqual(['CVE-2']);
    const f = (id: string) => ({ tool: 'trivy', ruleId: id, severity: 'high' as const, title: id, message: id, fingerprint: id });
    const r = applyIgnores([f('CVE-1'), f('CVE-2'), f('CVE-1')], files);
    expect(r.kept.map((x) => x.ruleId)).toEqual(['CVE-2']);
    expect(r.hits.get('.trivyignore:1')).toBe(2);
  });
});

describe('findings from a JSON report', () => {
  const report = parseReport(
    JSON.stringify({
      SchemaVersion: 2,
      Trivy: { Version: '0.74.0' },
      ArtifactName: 'app',
      ArtifactType: 'filesystem',
      Results: [
        {
          Target: 'package-lock.json',
          Class: 'lang-pkgs',
          Type: 'npm',
          Packages: [{ Name: 'lodash', Version: '4.17.20', Identifier: { UID: 'u1' }, Locations: [{ StartLine: 7, EndLine: 11 }] }],
          Vulnerabilities: [
            {
              VulnerabilityID: 'CVE-9',
              PkgName: 'lodash',
              PkgIdentifier: { UID: 'u1', PURL: 'pkg:npm/lodash@4.17.20' },
              InstalledVersion: '4.17.20',
              FixedVersion: '4.17.21',
              Severity: 'CRITICAL',
              Title: 'proto <b>pollution</b>',
              PrimaryURL: 'https://example.invalid/CVE-9',
            },
          ],
        },
        {
          Target: 'Dockerfile',
          Class: 'config',
          Type: 'dockerfile',
          Misconfigurations: [
            { ID: 'DS-0002', Title: 'root', Message: 'Specify a user', Severity: 'HIGH', Status: 'FAIL', CauseMetadata: { StartLine: 3, EndLine: 3 } },
            { ID: 'DS-0001', Status: 'PASS' },
          ],
        },
        {
          Target: 'config/.env',
          Class: 'secret',
          Secrets: [
            {
              RuleID: 'aws-access-key-id',
              Category: 'AWS',
              Severity: 'CRITICAL',
              Title: 'AWS Access Key ID',
              StartLine: 2,
              EndLine: 2,
              Match: 'AWS_ACCESS_KEY_ID=****',
              Code: { Lines: [{ Content: 'secret-material' }] },
            },
          ],
        },
        {
          Target: 'OS Packages',
          Class: 'license',
          Licenses: [
            { Severity: 'HIGH', Category: 'restricted', PkgName: 'busybox', Name: 'GPL-2.0-only' },
            { Severity: 'LOW', Category: 'notice', PkgName: 'musl', Name: 'MIT' },
          ],
        },
      ],
    }),
  )!;
  const [target] = parseTargets(['fs:app'], ['vuln', 'secret', 'license'], ws);
  const fs = toFindings(report, target, { forbiddenLicenses: new Set(['mit']) });
  test('locations are workspace paths with lockfile and IaC lines; secrets carry no value', () => {
    expect(fs.map((f) => [f.ruleId, f.severity, f.location?.path, f.location?.startLine])).toEqual([
      ['CVE-9', 'critical', 'app/package-lock.json', 7],
      ['DS-0002', 'high', 'app/Dockerfile', 3],
      ['secret:aws-access-key-id', 'critical', 'app/config/.env', 2],
      ['license:GPL-2.0-only', 'high', 'app', undefined],
      ['license:MIT', 'critical', 'app', undefined],
    ]);
    expect(JSON.stringify(fs)).not.toMatch(/secret-material|\*\*\*\*/);
    expect(metaOf(fs[0])).toMatchObject({ kind: 'vulnerability', package: 'lodash', installed: '4.17.20', fixed: '4.17.21', purl: 'pkg:npm/lodash@4.17.20' });
    // Nothing of ours is copied into every SARIF result.
    expect(fs.every((f) => f.properties === undefined)).toBe(true);
    expect(fs[4].title).toBe('Forbidden licence MIT');
  });
  test('the summary groups by package, links advisories and escapes what trivy wrote', () => {
    const md = detailsMarkdown({
      dbNeeded: true,
      targets: [{ target, findings: fs }],
      ignoreFiles: [],
      ignoreHits: new Map(),
      suppressed: [],
      ignoreUnfixed: false,
      db: { source: { db: 'local' }, failures: [] },
    });
    expect(md).toContain('| critical | lodash | 4.17.20 | 4.17.21 | [CVE-9](https://example.invalid/CVE-9) | app/package-lock.json |');
    expect(md).not.toContain('<b>');
  });
  test('a baseline is a SARIF file from this action', () => {
    expect([...parseBaseline(JSON.stringify({ runs: [{ results: [{ partialFingerprints: { 'platformActionsFingerprint/v1': 'abc' } }] }] }))]).toEqual(['abc']);
    expect(() => parseBaseline('nope')).toThrow(/input "baseline-path" must be a SARIF file written by trivy-scan/);
  });
  test('not a report', () => expect(parseReport('{"SchemaVersion": 1}')).toBeUndefined());
});

// A finding's fingerprint is a promise to users: baseline-path files and code scanning's alert identity
// are keyed on it. Every part of the recipe (target label, kind, advisory or rule, package, path, resource,
// line) shows in these literals; any change to them resets every user's baseline.
describe('fingerprints', () => {
  const image = parseReport(
    JSON.stringify({
      SchemaVersion: 2,
      ArtifactName: 'layout',
      ArtifactType: 'container_image',
      Results: [
        {
          Target: 'layout (alpine 3.22.2)',
          Class: 'os-pkgs',
          Type: 'alpine',
          Vulnerabilities: [{ VulnerabilityID: 'CVE-2099-10001', PkgName: 'busybox', InstalledVersion: '1.37.0-r18', Severity: 'HIGH' }],
        },
        {
          Target: 'Python',
          Class: 'lang-pkgs',
          Type: 'python-pkg',
          Vulnerabilities: [
            {
              VulnerabilityID: 'CVE-2099-10004',
              PkgName: 'PyYAML',
              PkgPath: 'usr/lib/python3.12/site-packages/PyYAML-6.0.1.dist-info/METADATA',
              InstalledVersion: '6.0.1',
              Severity: 'HIGH',
            },
          ],
        },
        {
          Target: 'deploy/k8s.yaml',
          Class: 'config',
          Type: 'kubernetes',
          Misconfigurations: [{ ID: 'KSV-0017', Title: 'privileged', Status: 'FAIL', Severity: 'HIGH', CauseMetadata: { Resource: 'Deployment/web', StartLine: 20 } }],
        },
      ],
    }),
  )!;
  const [fsTarget, imageTarget] = parseTargets(['fs:app', 'image-input:layout'], ['vuln', 'secret', 'misconfig', 'license'], ws);
  const fsReport = parseReport(
    JSON.stringify({
      SchemaVersion: 2,
      ArtifactName: 'app',
      ArtifactType: 'filesystem',
      Results: [
        {
          Target: 'package-lock.json',
          Class: 'lang-pkgs',
          Type: 'npm',
          Vulnerabilities: [{ VulnerabilityID: 'CVE-9', PkgName: 'lodash', InstalledVersion: '4.17.20', Severity: 'CRITICAL' }],
        },
        { Target: 'Dockerfile', Class: 'config', Type: 'dockerfile', Misconfigurations: [{ ID: 'DS-0002', Status: 'FAIL', Severity: 'HIGH', CauseMetadata: { StartLine: 3 } }] },
        { Target: 'config/.env', Class: 'secret', Secrets: [{ RuleID: 'aws-access-key-id', Severity: 'CRITICAL', StartLine: 2, EndLine: 2 }] },
        { Target: 'OS Packages', Class: 'license', Licenses: [{ Severity: 'HIGH', Category: 'restricted', PkgName: 'busybox', Name: 'GPL-2.0-only' }] },
        { Target: 'Node.js', Class: 'license-file', Licenses: [{ Severity: 'LOW', Category: 'notice', FilePath: 'LICENSE', Name: 'MIT' }] },
      ],
    }),
  )!;
  const PINNED: Record<string, string> = {
    'fs-app CVE-9': '746eeaf59ed3b8167def27bfef521d7e',
    'fs-app DS-0002': 'd5aa9d4df3af1505f194d6a64879acb7',
    'fs-app secret:aws-access-key-id': 'e85e8fa82ab456ba7fc24e776b5a437a',
    'fs-app license:GPL-2.0-only': 'c19b38a9d83dbdb47877af0969f002a0',
    'fs-app license:MIT': '807a2e569493a7e9fa2f03a0c525a299',
    'image-input-layout CVE-2099-10001': '420aff5641ab47c2b05eb3cdedb1fc92',
    'image-input-layout CVE-2099-10004': '5882466c5711f8d649bcc3e9a215a6b7',
    'image-input-layout KSV-0017': '0ce40ceebb3bddf874a4a78dd0d9c25a',
  };
  test('every kind of finding keeps its fingerprint (a change is a baseline reset: needs a release note)', () => {
    const got: Record<string, string> = {};
    for (const [target, report] of [
      [fsTarget, fsReport],
      [imageTarget, image],
    ] as const) {
      for (const f of toFindings(report, target)) got[`${target.label} ${f.ruleId}`] = f.fingerprint;
    }
    const changed = Object.keys({ ...PINNED, ...got }).filter((k) => got[k] !== PINNED[k]);
    if (changed.length) {
      throw new Error(`baseline reset: needs a release note. Fingerprints changed: ${changed.map((k) => `${k}: ${PINNED[k] ?? 'none'} → ${got[k] ?? 'none'}`).join('; ')}`);
    }
  });
});
