// trivy-scan end to end: the bundle under Node 24 through the local runner, on a pull request, with the
// real trivy behind a PATH shim that records the environment trivy is started with (version: system),
// the harness database offline, and the fake GitHub API for the sticky comment.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeGitHub, startFakeGitHub } from '../../../test/harness/services/fake-github.js';
import { toolBin } from '../../../test/harness/tools.js';
import { sarifSchemaErrors } from '../../../test/helpers/sarif-schema.js';
import { runBundledAction } from '../../../test/runner/runner.js';
import { type Project, writeProject } from './fixtures.js';
import { warmCacheDir } from './helpers.js';

jest.setTimeout(300_000);
let tmp: string;
let gh: FakeGitHub;
let p: Project;
let shimDir: string;
let envLog: string;
let cacheDir: string;
const TOKEN = `ghs_${'e2eTokenValue'.repeat(3)}`;

beforeAll(async () => {
  // Never test a stale bundle.
  execFileSync('node', ['scripts/build.mjs', '--only', 'trivy-scan'], { stdio: 'ignore' });
  tmp = mkdtempSync(join(tmpdir(), 'trivy-e2e-'));
  gh = await startFakeGitHub();
  p = await writeProject(join(tmp, 'ws'));
  cacheDir = await warmCacheDir(join(tmp, 'cache'));
  // A shim named trivy that writes its arguments and environment to a file of its own (scans may run at
  // the same time), then runs the real trivy.
  shimDir = join(tmp, 'shim');
  envLog = join(tmp, 'trivy-env');
  mkdirSync(shimDir);
  mkdirSync(envLog);
  writeFileSync(join(shimDir, 'trivy'), `#!/bin/sh\n{ echo "ARGS: $*"; env; } > '${envLog}'/$$.log\nexec '${toolBin('trivy')}' "$@"\n`);
  chmodSync(join(shimDir, 'trivy'), 0o755);
});
afterAll(async () => {
  await gh?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const pr = {
  name: 'pull_request',
  payload: {
    number: 14,
    pull_request: { number: 14, base: { sha: '1'.repeat(40), ref: 'main' }, head: { sha: '2'.repeat(40), ref: 'deps', repo: { full_name: 'acme/example', fork: false } } },
    repository: { full_name: 'acme/example' },
  },
};

describe('trivy-scan bundle on a pull request', () => {
  test('fails on the HIGH finding, reports everything, comments once, and trivy never sees the token', async () => {
    const r = await runBundledAction({
      action: 'trivy-scan',
      workspace: p.ws,
      event: pr,
      inputs: { version: 'system', targets: 'fs:py\nfs:secrets', offline: 'true', 'cache-dir': cacheDir, token: TOKEN },
      env: { PATH: `${shimDir}:${process.env.PATH}`, GITHUB_TOKEN: TOKEN, GH_TOKEN: TOKEN, GITHUB_API_URL: gh.url, TRIVY_SEVERITY: 'CRITICAL', TRIVY_EXIT_CODE: '1' },
    });
    expect(r.main.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'critical-count': '1', 'high-count': '1', 'medium-count': '1', 'findings-count': '3', 'db-source': 'local' });
    const failures = r.main.annotations.filter((a) => a.level === 'error' && a.message.startsWith('trivy-scan:'));
    expect(failures.map((a) => a.message)).toEqual(['trivy-scan: 2 findings at or above "high" (see the annotations and the job summary)']);
    // SARIF: one run per target, each with its own category, valid.
    const sarif = JSON.parse(readFileSync(r.outputs['sarif-file'], 'utf8'));
    expect(sarif.runs.map((x: { automationDetails: { id: string } }) => x.automationDetails.id)).toEqual(['trivy-scan/fs-py/', 'trivy-scan/fs-secrets/']);
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    expect(existsSync(join(r.outputs['report-dir'], '02-fs.json'))).toBe(true);
    // The summary and one sticky comment.
    expect(r.summary).toContain('## Trivy scan');
    expect(r.summary).toContain('| high | PyYAML | 6.0.1 | no fix yet |');
    const comments = gh.state.comments.filter((c) => c.issue_number === 14);
    expect(comments).toHaveLength(1);
    expect(String(comments[0].body)).toContain('PyYAML');
    // trivy's environment: no GitHub token in any form, our overrides on, the caller's TRIVY_* severity gone.
    const runs = readdirSync(envLog).map((f) => readFileSync(join(envLog, f), 'utf8'));
    const scans = runs.filter((b) => b.startsWith('ARGS: fs '));
    expect(scans).toHaveLength(2);
    const env = scans.join('\n');
    expect(env).toContain('TRIVY_DISABLE_VEX_NOTICE=true');
    expect(env).not.toMatch(/^(GITHUB_TOKEN|GH_TOKEN|INPUT_TOKEN|TRIVY_SEVERITY|TRIVY_EXIT_CODE)=/m);
    expect(runs.join('\n')).not.toContain(TOKEN);
    // The planted secret appears nowhere a person or a file would show it.
    expect(r.everything).not.toContain(p.secret);
    expect(JSON.stringify(sarif)).not.toContain(p.secret);
    expect(String(comments[0].body)).not.toContain(p.secret);
  });
});
