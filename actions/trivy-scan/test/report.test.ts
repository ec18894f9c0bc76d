// The summary section only trivy-scan writes (detailsMarkdown), whole: targets with counts or errors, the
// database, vulnerabilities grouped by package, and what was suppressed.
import { expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReport, toFindings } from '../src/findings.js';
import { detailsMarkdown, type RunFacts, UNFIXED_REASON } from '../src/report.js';
import { parseTargets } from '../src/targets.js';

const ws = mkdtempSync(join(tmpdir(), 'trivy-report-'));
mkdirSync(join(ws, 'app'));
writeFileSync(join(ws, 'image.tar'), '');
process.env.GITHUB_WORKSPACE = ws;
const [app, image] = parseTargets(['fs:app', 'image-input:image.tar'], ['vuln', 'secret', 'misconfig'], ws);

const vuln = (id: string, pkg: string, installed: string, severity: string, extra: Record<string, string> = {}) => ({
  VulnerabilityID: id,
  PkgName: pkg,
  InstalledVersion: installed,
  Severity: severity,
  ...extra,
});
const findings = (target: typeof app, results: unknown[]) => toFindings(parseReport(JSON.stringify({ SchemaVersion: 2, Results: results }))!, target);
const appFindings = findings(app, [
  {
    Target: 'package-lock.json',
    Class: 'lang-pkgs',
    Vulnerabilities: [
      vuln('CVE-1', 'zlib|js', '1.0', 'HIGH', { FixedVersion: '1.1', PrimaryURL: 'https://example.invalid/a (b)' }),
      vuln('CVE-2', 'zlib|js', '1.0', 'HIGH', { FixedVersion: '1.2', PrimaryURL: 'javascript:alert(1)' }),
      vuln('CVE-3', 'abc', '2.0', 'HIGH'),
      vuln('CVE-4', 'abc', '2.0', 'CRITICAL'),
    ],
  },
  { Target: 'Dockerfile', Class: 'config', Misconfigurations: [{ ID: 'DS-1', Status: 'FAIL', Severity: 'LOW' }] },
]);
const imageFindings = findings(image, [{ Target: 'usr/lib', Class: 'os-pkgs', Vulnerabilities: [vuln('CVE-3', 'abc', '2.0', 'HIGH')] }]);

const full: RunFacts = {
  trivy: { version: '0.74.0', source: 'cache' },
  db: {
    source: { db: 'downloaded from ghcr.io/x', 'java-db': 'local' },
    failures: [{ repository: 'mirror.gcr.io/x', reason: 'TOOMANYREQUESTS_' }],
    updatedAt: '2026-01-02T03:04:05Z',
  },
  dbNeeded: true,
  targets: [
    { target: app, findings: appFindings, os: 'alpine 3.22' },
    { target: image, findings: imageFindings },
    { target: { ...image, label: 'image-input-broken', value: 'broken.tar' }, findings: [], error: 'trivy exited 1: bad | tar' },
  ],
  ignoreFiles: [
    {
      path: 'app/.trivyignore',
      entries: [
        { id: 'CVE-9', where: '.trivyignore:1' },
        { id: 'CVE-8', where: '.trivyignore:2' },
      ],
      expired: [{ id: 'CVE-7', expires: '2025-01-01', where: '.trivyignore:3' }],
    },
    { path: '.trivyignore.yaml', entries: [{ id: 'CVE-6', where: '.trivyignore.yaml:4' }], expired: [] },
  ],
  ignoreHits: new Map([
    ['.trivyignore:1', 2],
    ['.trivyignore:2', 1],
  ]),
  suppressed: [
    { finding: appFindings[0], reason: UNFIXED_REASON },
    { finding: appFindings[1], reason: 'other' },
  ],
  ignoreUnfixed: true,
  baseline: { path: 'ci/baseline.sarif', entries: 1 },
  sbomFile: join(ws, 'sbom.cdx.json'),
};
const bare: RunFacts = { dbNeeded: false, targets: [{ target: app, findings: [] }], ignoreFiles: [], ignoreHits: new Map(), suppressed: [], ignoreUnfixed: false };

test('every part: targets (with an error), trivy, database and fallbacks, vulnerabilities by package, suppressions, SBOM', () => {
  expect(detailsMarkdown(full)).toBe(
    '### Targets\n\n| Target | Findings | Notes |\n| --- | --- | --- |\n| fs:app | 1 critical, 3 high, 1 low | OS alpine 3.22 · scanners: vuln, secret, misconfig · SARIF category trivy-scan/fs-app |\n| image-input:image.tar | 1 high | scanners: vuln, secret, misconfig · SARIF category trivy-scan/image-input-image.tar |\n| image-input:broken.tar | — | ⚠️ trivy exited 1: bad \\| tar |\n\n**trivy:** 0\\.74\\.0 (cache)  \n**Database:** downloaded from ghcr\\.io/x; java\\-db: local (built 2026\\-01\\-02)  \n**Database fallbacks:** mirror\\.gcr\\.io/x: TOOMANYREQUESTS\\_\n\n### Vulnerabilities by package (5 findings)\n\n| Severity | Package | Installed | Fixed in | Advisories | Where |\n| --- | --- | --- | --- | --- | --- |\n| critical | abc | 2.0 | no fix yet | CVE-4 | app/package-lock.json |\n| high | abc | 2.0 | no fix yet | CVE-3 | app/package-lock.json, image.tar |\n| high | zlib\\|js | 1.0 | 1.1, 1.2 | [CVE-1](https://example.invalid/a%20(b)), CVE-2 | app/package-lock.json |\n\n**Suppressions:** .trivyignore: 2 active entries, 3 findings suppressed, 1 expired entry (CVE-7 since 2025-01-01) · .trivyignore.yaml: 1 active entry, 0 findings suppressed · ignore-unfixed: 1 finding without a fix left out · baseline baseline.sarif: 1 known finding\n\n**SBOM:** CycloneDX written to sbom.cdx.json\n',
  );
});

test('the least: no trivy line, no vulnerabilities, nothing suppressed; the database not needed or unavailable', () => {
  expect(detailsMarkdown(bare)).toBe(
    '### Targets\n\n| Target | Findings | Notes |\n| --- | --- | --- |\n| fs:app | none | scanners: vuln, secret, misconfig · SARIF category trivy-scan/fs-app |\n\n**Database:** not needed\n',
  );
  expect(detailsMarkdown({ ...bare, dbNeeded: true, sbomFile: '/elsewhere/sbom.json' })).toBe(
    '### Targets\n\n| Target | Findings | Notes |\n| --- | --- | --- |\n| fs:app | none | scanners: vuln, secret, misconfig · SARIF category trivy-scan/fs-app |\n\n**Database:** unavailable\n\n**SBOM:** CycloneDX written to /elsewhere/sbom.json\n',
  );
});

test('at most 100 package rows, then how many more', () => {
  const many = findings(app, [
    { Target: 'package-lock.json', Class: 'lang-pkgs', Vulnerabilities: Array.from({ length: 101 }, (_, i) => vuln(`CVE-${i}`, `p${String(i).padStart(3, '0')}`, '1', 'LOW')) },
  ]);
  const md = detailsMarkdown({ ...bare, targets: [{ target: app, findings: many }] });
  expect(md.match(/^\| low \| p\d{3} \|/gm)).toHaveLength(100);
  expect(md).toContain('| low | p099 |');
  expect(md).not.toContain('| low | p100 |');
  expect(md.endsWith(' |\n\n…and 1 more packages (see the SARIF file or the JSON reports).\n')).toBe(true);
});
