// What toFindings makes of each kind of trivy result, field by field: the message, help, tags, location
// and the action's own metadata, in a workspace folder and inside an image.
import { expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metaOf, parseReport, toFindings } from '../src/findings.js';
import { parseTargets } from '../src/targets.js';

const ws = mkdtempSync(join(tmpdir(), 'trivy-findings-'));
mkdirSync(join(ws, 'app'));
mkdirSync(join(ws, 'layout'));
writeFileSync(join(ws, 'layout', 'index.json'), '{}');
process.env.GITHUB_WORKSPACE = ws;
const [fsTarget, imageTarget] = parseTargets(['fs:app', 'image-input:layout'], ['vuln', 'secret', 'misconfig', 'license'], ws);

const report = (results: unknown[]) => parseReport(JSON.stringify({ SchemaVersion: 2, ArtifactName: 'x', ArtifactType: 'filesystem', Results: results }))!;
const shape = (target: typeof fsTarget, results: unknown[]) =>
  toFindings(report(results), target, { forbiddenLicenses: new Set(['agpl-3.0-only']) }).map((f) => ({ ...f, meta: metaOf(f) }));

const RESULTS = [
  {
    Target: 'package-lock.json',
    Class: 'lang-pkgs',
    Type: 'npm',
    Packages: [
      { Name: 'lodash', Version: '4.17.20', Identifier: { UID: 'u1' }, Locations: [{ StartLine: 7, EndLine: 11 }] },
      { Name: 'left-pad', Version: '1.0.0', FilePath: 'web/package-lock.json', Locations: [{ StartLine: 20, EndLine: 22 }] },
    ],
    Vulnerabilities: [
      {
        VulnerabilityID: 'CVE-9',
        PkgName: 'lodash',
        PkgIdentifier: { UID: 'u1', PURL: 'pkg:npm/lodash@4.17.20' },
        InstalledVersion: '4.17.20',
        FixedVersion: '4.17.21',
        Severity: 'CRITICAL',
        Title: 'proto pollution',
        Description: 'x'.repeat(450),
        PrimaryURL: 'https://example.invalid/CVE-9',
      },
      { VulnerabilityID: 'CVE-10', PkgName: 'left-pad', InstalledVersion: '1.0.0', Severity: 'bogus' },
    ],
  },
  {
    Target: 'usr/lib/os',
    Class: 'os-pkgs',
    Type: 'alpine',
    Vulnerabilities: [{ VulnerabilityID: 'CVE-11', PkgName: 'busybox', PkgPath: 'sub/busybox.json', InstalledVersion: '1.37', FixedVersion: '1.38', Severity: 'LOW' }],
  },
  {
    Target: 'deploy/k8s.yaml',
    Class: 'config',
    Type: 'kubernetes',
    Misconfigurations: [
      {
        ID: 'KSV-0017',
        Title: 'privileged',
        Message: 'Container runs privileged',
        Description: 'Privileged containers share the host.',
        Resolution: 'Set privileged to false.',
        PrimaryURL: 'https://example.invalid/KSV-0017',
        Status: 'FAIL',
        Severity: 'HIGH',
        CauseMetadata: { Resource: 'Deployment/web', StartLine: 20, EndLine: 24 },
      },
      { AVDID: 'AVD-KSV-0001', Title: 'no status', Severity: 'MEDIUM', Type: 'helm' },
      { ID: 'KSV-0002', Status: 'PASS' },
      { ID: 'KSV-0003', Status: 'EXCEPTION' },
    ],
  },
  {
    Target: 'config/.env',
    Class: 'secret',
    Secrets: [
      { RuleID: 'aws-access-key-id', Category: 'AWS', Severity: 'CRITICAL', Title: 'AWS Access Key ID', StartLine: 2, EndLine: 2, Match: 'AWS_ACCESS_KEY_ID=****' },
      { RuleID: 'generic', Severity: 'HIGH' },
    ],
  },
  {
    Target: 'OS Packages',
    Class: 'license',
    Licenses: [
      { Severity: 'HIGH', Category: 'restricted', PkgName: 'busybox', Name: 'GPL-2.0-only', Link: 'https://example.invalid/gpl' },
      { Severity: 'LOW', PkgName: 'left-pad', Name: 'AGPL-3.0-only' },
    ],
  },
  { Target: 'Node.js', Class: 'license-file', Licenses: [{ Severity: 'LOW', Category: 'notice', FilePath: 'LICENSE', Name: 'MIT' }] },
];

// One line per finding: rule, severity, location, message, tags and the action's metadata.
const row = (f: ReturnType<typeof shape>[number]) =>
  `${f.ruleId} ${f.severity} @${f.location?.path}:${f.location?.startLine ?? ''}-${f.location?.endLine ?? ''} | ${f.message} | ${f.tags?.join(',')} | ${JSON.stringify(f.meta)}`;
const imageResults = RESULTS.map((r) => ({ ...r, Target: `${imageTarget.arg}/${r.Target}` }));

test('each kind of finding in a workspace folder: lockfile, IaC and secret lines, licence files from the lockfile', () => {
  expect(shape(fsTarget, RESULTS).map(row)).toEqual([
    'CVE-9 critical @app/package-lock.json:7-11 | lodash 4.17.20 is affected by CVE-9 (critical); fixed in 4.17.21. | vulnerability,library | {"kind":"vulnerability","target":"fs-app","package":"lodash","installed":"4.17.20","fixed":"4.17.21","purl":"pkg:npm/lodash@4.17.20"}',
    'CVE-10 medium @app/package-lock.json:20-22 | left-pad 1.0.0 is affected by CVE-10 (medium); no fixed version yet. | vulnerability,library | {"kind":"vulnerability","target":"fs-app","package":"left-pad","installed":"1.0.0","fixed":""}',
    'CVE-11 low @app/sub/busybox.json:- | busybox 1.37 is affected by CVE-11 (low); fixed in 1.38. | vulnerability,os-package | {"kind":"vulnerability","target":"fs-app","package":"busybox","installed":"1.37","fixed":"1.38"}',
    'KSV-0017 high @app/deploy/k8s.yaml:20-24 | Container runs privileged (Deployment/web). Set privileged to false. | misconfiguration,kubernetes | {"kind":"misconfiguration","target":"fs-app","trivyPath":"deploy/k8s.yaml"}',
    'AVD-KSV-0001 medium @app/deploy/k8s.yaml:- | no status. | misconfiguration,helm | {"kind":"misconfiguration","target":"fs-app","trivyPath":"deploy/k8s.yaml"}',
    'secret:aws-access-key-id critical @app/config/.env:2-2 | AWS Access Key ID (AWS); value not shown. Rotate the credential: removing it from the code does not revoke it. | secret,AWS | {"kind":"secret","target":"fs-app","trivyPath":"config/.env","ignoreId":"aws-access-key-id"}',
    'secret:generic high @app/config/.env:- | generic (secret); value not shown. Rotate the credential: removing it from the code does not revoke it. | secret | {"kind":"secret","target":"fs-app","trivyPath":"config/.env","ignoreId":"generic"}',
    'license:GPL-2.0-only high @app:- | package busybox is licensed GPL-2.0-only; trivy classifies it as restricted. | license,restricted | {"kind":"license","target":"fs-app","package":"busybox","trivyPath":"OS Packages","ignoreId":"GPL-2.0-only","category":"restricted"}',
    'license:AGPL-3.0-only critical @app/web/package-lock.json:- | package left-pad is licensed AGPL-3.0-only, which forbidden-licenses lists. | license | {"kind":"license","target":"fs-app","package":"left-pad","trivyPath":"web/package-lock.json","ignoreId":"AGPL-3.0-only","category":""}',
    'license:MIT low @app/LICENSE:- | LICENSE is licensed MIT; trivy classifies it as notice. | license,notice | {"kind":"license","target":"fs-app","trivyPath":"LICENSE","ignoreId":"MIT","category":"notice"}',
  ]);
});

test('each kind of finding inside an image: the target the caller wrote, where inside it in the message', () => {
  expect(shape(imageTarget, imageResults).map(row)).toEqual([
    'CVE-9 critical @layout:- | lodash 4.17.20 (in layout/package-lock.json) is affected by CVE-9 (critical); fixed in 4.17.21. | vulnerability,library | {"kind":"vulnerability","target":"image-input-layout","package":"lodash","installed":"4.17.20","fixed":"4.17.21","purl":"pkg:npm/lodash@4.17.20","trivyPath":"layout/package-lock.json"}',
    'CVE-10 medium @layout:- | left-pad 1.0.0 (in layout/package-lock.json) is affected by CVE-10 (medium); no fixed version yet. | vulnerability,library | {"kind":"vulnerability","target":"image-input-layout","package":"left-pad","installed":"1.0.0","fixed":"","trivyPath":"layout/package-lock.json"}',
    'CVE-11 low @layout:- | busybox 1.37 (in sub/busybox.json) is affected by CVE-11 (low); fixed in 1.38. | vulnerability,os-package | {"kind":"vulnerability","target":"image-input-layout","package":"busybox","installed":"1.37","fixed":"1.38","trivyPath":"sub/busybox.json"}',
    'KSV-0017 high @layout:- | Container runs privileged (Deployment/web) (in layout/deploy/k8s.yaml). Set privileged to false. | misconfiguration,kubernetes | {"kind":"misconfiguration","target":"image-input-layout","trivyPath":"layout/deploy/k8s.yaml"}',
    'AVD-KSV-0001 medium @layout:- | no status (in layout/deploy/k8s.yaml). | misconfiguration,helm | {"kind":"misconfiguration","target":"image-input-layout","trivyPath":"layout/deploy/k8s.yaml"}',
    'secret:aws-access-key-id critical @layout:- | AWS Access Key ID (AWS) (in layout/config/.env); value not shown. Rotate the credential: removing it from the code does not revoke it. | secret,AWS | {"kind":"secret","target":"image-input-layout","trivyPath":"layout/config/.env","ignoreId":"aws-access-key-id"}',
    'secret:generic high @layout:- | generic (secret) (in layout/config/.env); value not shown. Rotate the credential: removing it from the code does not revoke it. | secret | {"kind":"secret","target":"image-input-layout","trivyPath":"layout/config/.env","ignoreId":"generic"}',
    'license:GPL-2.0-only high @layout:- | package busybox (in layout/OS Packages) is licensed GPL-2.0-only; trivy classifies it as restricted. | license,restricted | {"kind":"license","target":"image-input-layout","package":"busybox","trivyPath":"layout/OS Packages","ignoreId":"GPL-2.0-only","category":"restricted"}',
    'license:AGPL-3.0-only critical @layout:- | package left-pad (in web/package-lock.json) is licensed AGPL-3.0-only, which forbidden-licenses lists. | license | {"kind":"license","target":"image-input-layout","package":"left-pad","trivyPath":"web/package-lock.json","ignoreId":"AGPL-3.0-only","category":""}',
    'license:MIT low @layout:- | LICENSE (in LICENSE) is licensed MIT; trivy classifies it as notice. | license,notice | {"kind":"license","target":"image-input-layout","trivyPath":"LICENSE","ignoreId":"MIT","category":"notice"}',
  ]);
});

test('help per kind: advisory text clipped to 400 characters, the fix, the link', () => {
  const help = Object.fromEntries(shape(fsTarget, RESULTS).map((f) => [f.ruleId, f.help]));
  expect(help).toEqual({
    'CVE-9': {
      text: 'proto pollution Fixed in 4.17.21.',
      markdown: `**proto pollution**\n\n${'x'.repeat(399)}…\n\n| Package | Installed | Fixed |\n| --- | --- | --- |\n| lodash | 4.17.20 | 4.17.21 |\n\n[CVE-9](https://example.invalid/CVE-9)`,
      uri: 'https://example.invalid/CVE-9',
    },
    'CVE-10': { text: 'CVE-10 No fix yet.', markdown: '**CVE-10**\n\n\n\n| Package | Installed | Fixed |\n| --- | --- | --- |\n| left-pad | 1.0.0 | no fix yet |' },
    'CVE-11': { text: 'CVE-11 Fixed in 1.38.', markdown: '**CVE-11**\n\n\n\n| Package | Installed | Fixed |\n| --- | --- | --- |\n| busybox | 1.37 | 1.38 |' },
    'KSV-0017': {
      text: 'Privileged containers share the host. Set privileged to false.',
      markdown: 'Privileged containers share the host.\n\n**Fix:** Set privileged to false.\n\n[KSV-0017](https://example.invalid/KSV-0017)',
      uri: 'https://example.invalid/KSV-0017',
    },
    'AVD-KSV-0001': { text: 'no status', markdown: '\n\n**Fix:** ' },
    'secret:aws-access-key-id': {
      text: 'A credential in the code. Rotate it where it was issued, then read it from a secret store.',
      markdown:
        '**Rotate the credential first**: deleting it from the code or from history does not revoke it. Then read it from a secret store (for example GitHub Actions secrets).',
    },
    'secret:generic': {
      text: 'A credential in the code. Rotate it where it was issued, then read it from a secret store.',
      markdown:
        '**Rotate the credential first**: deleting it from the code or from history does not revoke it. Then read it from a secret store (for example GitHub Actions secrets).',
    },
    'license:GPL-2.0-only': { text: 'Licence GPL-2.0-only: check it is acceptable for how this software is distributed.', uri: 'https://example.invalid/gpl' },
    'license:AGPL-3.0-only': { text: 'Licence AGPL-3.0-only: check it is acceptable for how this software is distributed.' },
    'license:MIT': { text: 'Licence MIT: check it is acceptable for how this software is distributed.' },
  });
});

test('titles and fingerprints (a fingerprint change is a baseline reset)', () => {
  expect(Object.fromEntries(shape(fsTarget, RESULTS).map((f) => [f.ruleId, f.title]))).toEqual({
    'CVE-9': 'proto pollution',
    'CVE-10': 'CVE-10',
    'CVE-11': 'CVE-11',
    'KSV-0017': 'privileged',
    'AVD-KSV-0001': 'no status',
    'secret:aws-access-key-id': 'AWS Access Key ID',
    'secret:generic': 'generic',
    'license:GPL-2.0-only': 'Licence GPL-2.0-only (restricted)',
    'license:AGPL-3.0-only': 'Forbidden licence AGPL-3.0-only',
    'license:MIT': 'Licence MIT (notice)',
  });
  expect([...shape(fsTarget, RESULTS), ...shape(imageTarget, imageResults)].map((f) => `${f.meta?.target} ${f.ruleId} ${f.fingerprint}`)).toEqual([
    'fs-app CVE-9 746eeaf59ed3b8167def27bfef521d7e',
    'fs-app CVE-10 457438097530414ebd2408085ffc2200',
    'fs-app CVE-11 7336b51e84754c7f9f071ba4f2e8cb1b',
    'fs-app KSV-0017 ed33f0de5c2d3391e6388721fbfadb0c',
    'fs-app AVD-KSV-0001 bcc9215253ef94c05b2a9fd094cb2fb0',
    'fs-app secret:aws-access-key-id e85e8fa82ab456ba7fc24e776b5a437a',
    'fs-app secret:generic e1a6a9e4a52857cc518a934b81d15b6e',
    'fs-app license:GPL-2.0-only c19b38a9d83dbdb47877af0969f002a0',
    'fs-app license:AGPL-3.0-only cd73e31f1194fa81eb3ee8b69ce4d720',
    'fs-app license:MIT 807a2e569493a7e9fa2f03a0c525a299',
    'image-input-layout CVE-9 2259f2dd67ddf38dc3347902dbe3682a',
    'image-input-layout CVE-10 fd5344e4e6968f2a6d55c6e0b58bdefa',
    'image-input-layout CVE-11 f734916a3dee908f79a82c57fa4c3729',
    'image-input-layout KSV-0017 6d710b733b349eea5dd268880d38efcb',
    'image-input-layout AVD-KSV-0001 f08614aed3aee41d33d2e9bc24d5acab',
    'image-input-layout secret:aws-access-key-id 981d0886f47e7ce38274062db0fb8b08',
    'image-input-layout secret:generic 8cb4487cb01b7db032c94ffb7a2ec796',
    'image-input-layout license:GPL-2.0-only 76fd20a543f3bc73c81a7aca5d22c0e7',
    'image-input-layout license:AGPL-3.0-only f3b66aaaeb7d04a250ba213f57eea4bc',
    'image-input-layout license:MIT 98e8f121095179e689abf0af05707958',
  ]);
});
