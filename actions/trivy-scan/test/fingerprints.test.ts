// trivy-scan's fingerprint recipe, pinned for each kind of finding: users' baselines and code-scanning
// alerts are keyed on it.
import { expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectPinnedFingerprints } from '../../../test/helpers/fingerprints.js';
import { parseReport, toFindings } from '../src/findings.js';
import { parseTargets } from '../src/targets.js';

test('fingerprints stay what they were: vulnerability, misconfiguration, secret, licence', () => {
  const ws = mkdtempSync(join(tmpdir(), 'trivy-fp-'));
  mkdirSync(join(ws, 'app'));
  process.env.GITHUB_WORKSPACE = ws;
  const report = parseReport(
    JSON.stringify({
      SchemaVersion: 2,
      ArtifactName: 'app',
      ArtifactType: 'filesystem',
      Results: [
        {
          Target: 'package-lock.json',
          Class: 'lang-pkgs',
          Type: 'npm',
          Packages: [{ Name: 'lodash', Version: '4.17.20', Identifier: { UID: 'u1' }, Locations: [{ StartLine: 7, EndLine: 11 }] }],
          Vulnerabilities: [
            { VulnerabilityID: 'CVE-2021-23337', PkgName: 'lodash', PkgIdentifier: { UID: 'u1' }, InstalledVersion: '4.17.20', FixedVersion: '4.17.21', Severity: 'HIGH' },
          ],
        },
        {
          Target: 'Dockerfile',
          Class: 'config',
          Type: 'dockerfile',
          Misconfigurations: [{ ID: 'DS-0002', Title: 'root', Message: 'Specify a user', Severity: 'HIGH', Status: 'FAIL', CauseMetadata: { StartLine: 3, EndLine: 3 } }],
        },
        {
          Target: 'config/.env',
          Class: 'secret',
          Secrets: [{ RuleID: 'aws-access-key-id', Category: 'AWS', Severity: 'CRITICAL', Title: 'AWS Access Key ID', StartLine: 2, EndLine: 2 }],
        },
        { Target: 'OS Packages', Class: 'license', Licenses: [{ Severity: 'HIGH', Category: 'restricted', PkgName: 'busybox', Name: 'GPL-2.0-only' }] },
      ],
    }),
  )!;
  const [target] = parseTargets(['fs:app'], ['vuln', 'misconfig', 'secret', 'license'], ws);
  const byRule = Object.fromEntries(toFindings(report, target).map((f) => [f.ruleId, f.fingerprint]));
  expect(Object.keys(byRule)).toHaveLength(4);
  expectPinnedFingerprints(byRule, {
    'CVE-2021-23337': '6a03d72446c8d00279730c46564497ab',
    'DS-0002': 'd5aa9d4df3af1505f194d6a64879acb7',
    'secret:aws-access-key-id': 'e85e8fa82ab456ba7fc24e776b5a437a',
    'license:GPL-2.0-only': 'c19b38a9d83dbdb47877af0969f002a0',
  });
});
