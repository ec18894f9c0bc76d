// Boundaries every action keeps, with the real tools through the local runner and the real CLI:
//  - the SARIF file holds exactly the findings the step reports (findings-count), for every action that
//    writes one — a finding without a location is placed, never dropped;
//  - nothing a step starts outlives it: a migration command's setsid grandchild is gone when the step
//    ends, and `platform-actions --timeout` leaves no tool process behind (checked with pid files).
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startPostgres, type Postgres } from '../harness/services/postgres.js';
import { toolBin, toolPath } from '../harness/tools.js';
import { installTrivyDb } from '../harness/trivy-db.js';
import { runBundledAction, type RunBundledActionResult } from '../runner/runner.js';
import { writeProject } from '../../actions/trivy-scan/test/fixtures.js';

jest.setTimeout(300_000);

const PASSWORD = 'Bound/ary@Pw#1';
const PSQL = '/usr/lib/postgresql/15/bin/psql';
let pg: Postgres;
let tmp: string;
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pa-boundaries-'));
  pg = await startPostgres();
}, 240_000);
afterAll(async () => {
  await pg?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

// Running and not a zombie.
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
const pids = (file: string): number[] => readFileSync(file, 'utf8').split(/\s+/).filter(Boolean).map(Number);
const killAll = (file: string) => {
  if (!existsSync(file)) return;
  for (const p of pids(file)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone, as it should be */
    }
  }
};

/** A git repository with `files`, committed. */
function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmp, 'ws-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', 'add', '-A'], { cwd: dir });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', 'init'], { cwd: dir });
  return dir;
}

/** Results in the SARIF file the step wrote, over all runs. */
function sarifResults(r: RunBundledActionResult): number {
  const log = JSON.parse(readFileSync(r.outputs['sarif-file'], 'utf8')) as { runs: Array<{ results: unknown[] }> };
  return log.runs.reduce((n, run) => n + run.results.length, 0);
}

const PATH = [dirname(toolPath('helm')), dirname(toolPath('gitleaks')), dirname(toolPath('trivy')), process.env.PATH].join(':');

/** A migration project for the custom tool: one .sql file, and an up-command that fails (its finding has no file to point at). */
function migrationProject(upScript: string): string {
  const ws = repo({ 'db/001_users.sql': 'CREATE TABLE users (id int);\n', 'up.sh': upScript });
  return ws;
}

async function customMigration(ws: string, upCommand: string, extra: Record<string, string> = {}): Promise<RunBundledActionResult> {
  const db = `b_${Math.random().toString(36).slice(2, 8)}`;
  await pg.createDatabase(db);
  return runBundledAction({
    action: 'migration-test',
    workspace: ws,
    inputs: {
      'database-url': `postgres://postgres:${encodeURIComponent(PASSWORD)}@127.0.0.1:${pg.port}/${db}`,
      psql: PSQL,
      tool: 'custom',
      'migrations-dir': 'db',
      'up-command': upCommand,
      'down-command': 'true',
      comment: 'false',
      lint: 'false',
      ...extra,
    },
    env: { PATH: process.env.PATH ?? '' },
    timeoutMs: 120_000,
  });
}

describe('the SARIF file holds exactly the findings the step reports', () => {
  test('helm-validate', async () => {
    const ws = repo({
      'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
      'charts/web/templates/d.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: web\n          image: nginx:latest\n          securityContext: {privileged: true}\n',
    });
    const r = await runBundledAction({ action: 'helm-validate', workspace: ws, inputs: { comment: 'false', 'helm-version': 'system', 'fail-on': 'none' }, env: { PATH } });
    expect(Number(r.outputs['findings-count'])).toBeGreaterThan(0);
    expect(sarifResults(r)).toBe(Number(r.outputs['findings-count']));
  });

  test('gitleaks-scan', async () => {
    const ws = repo({ 'settings.env': 'AWS_ACCESS_KEY_ID=AKIAQYLPMN5HHHFPZAM2\nAWS_SECRET_ACCESS_KEY=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\n' });
    const r = await runBundledAction({ action: 'gitleaks-scan', workspace: ws, inputs: { comment: 'false', version: 'system', 'fail-on': 'none' }, env: { PATH } });
    expect(Number(r.outputs['findings-count'])).toBeGreaterThan(0);
    expect(sarifResults(r)).toBe(Number(r.outputs['findings-count']));
  });

  test('tf-lock-check', async () => {
    const ws = repo({
      'infra/main.tf': 'terraform {\n  backend "s3" {\n    bucket = "tfstate"\n    key = "prod/terraform.tfstate"\n    region = "us-east-1"\n  }\n}\n',
      '.github/workflows/deploy.yml':
        'on: push\njobs:\n  apply:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: terraform -chdir=infra init && terraform -chdir=infra apply -auto-approve\n',
    });
    const r = await runBundledAction({ action: 'tf-lock-check', workspace: ws, inputs: { comment: 'false', 'fail-on': 'none' }, env: { PATH } });
    expect(Number(r.outputs['findings-count'])).toBeGreaterThan(0);
    expect(sarifResults(r)).toBe(Number(r.outputs['findings-count']));
  });

  test('trivy-scan (one run per target)', async () => {
    const ws = mkdtempSync(join(tmp, 'trivy-'));
    await writeProject(ws);
    const cache = mkdtempSync(join(tmp, 'trivy-cache-'));
    await installTrivyDb(cache); // a warm cache: the harness database, current
    const r = await runBundledAction({
      action: 'trivy-scan',
      workspace: ws,
      inputs: { comment: 'false', version: 'system', offline: 'true', targets: 'fs:py\nconfig:deploy', 'cache-dir': cache, 'fail-on': 'none' },
      env: { PATH },
    });
    expect(r.outputs.outcome).toBe('clean');
    expect(Number(r.outputs['findings-count'])).toBeGreaterThan(0);
    expect(sarifResults(r)).toBe(Number(r.outputs['findings-count']));
  });

  test('migration-test: a failing custom command (no file to point at) is in the SARIF file, not dropped', async () => {
    const ws = migrationProject('echo "relation users does not exist" >&2\nexit 3\n');
    const r = await customMigration(ws, 'sh up.sh');
    expect(r.outputs.outcome).toBe('policy-failure');
    expect(Number(r.outputs['findings-count'])).toBeGreaterThan(0);
    expect(sarifResults(r)).toBe(Number(r.outputs['findings-count']));
    // And no warning blaming GitHub's limits for a file that was not too big.
    expect(r.main.log).not.toMatch(/left out of the SARIF file/);
    expect(r.everything).not.toContain(PASSWORD);
  });
});

describe('nothing a step starts outlives it', () => {
  test("a migration command's setsid grandchild is gone when the step ends", async () => {
    const pidFile = join(tmp, `grandchild-${Date.now()}.pid`);
    // The command starts a daemon in a new session (out of every process group we know of), then fails.
    const ws = migrationProject(`setsid sleep 300 </dev/null >/dev/null 2>&1 &\necho $! > ${pidFile}\nexit 3\n`);
    try {
      const r = await customMigration(ws, 'sh up.sh');
      expect(r.outputs.outcome).toBe('policy-failure');
      const [pid] = pids(pidFile);
      expect(pid).toBeGreaterThan(1);
      expect(alive(pid)).toBe(false);
    } finally {
      killAll(pidFile);
    }
  });

  test('platform-actions --timeout stops the stage and leaves no tool process alive', async () => {
    const pidFile = join(tmp, `cli-${Date.now()}.pid`);
    // The migration command records its own pid and a setsid grandchild's, then hangs.
    const ws = migrationProject(`echo $$ >> ${pidFile}\nsetsid sleep 300 </dev/null >/dev/null 2>&1 &\necho $! >> ${pidFile}\nsleep 300\n`);
    const db = `cli_${Date.now()}`;
    await pg.createDatabase(db);
    const url = `postgres://postgres:${encodeURIComponent(PASSWORD)}@127.0.0.1:${pg.port}/${db}`;
    const argv = [
      'run',
      'migration-test',
      '--repo',
      ws,
      '--database-url',
      url,
      '--timeout',
      '15',
      '--input',
      `psql=${PSQL}`,
      '--input',
      'tool=custom',
      '--input',
      'migrations-dir=db',
      '--input',
      'up-command=sh up.sh',
      '--input',
      'down-command=true',
      '--input',
      'lint=false',
    ];
    const started = Date.now();
    try {
      const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(join('node_modules', '.bin', 'platform-actions'), argv, {
          env: { ...process.env, NO_COLOR: '1', PATH: `${dirname(toolBin('node24', 'node'))}:${process.env.PATH}` },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (b) => (stdout += b));
        child.stderr.on('data', (b) => (stderr += b));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      const took = Date.now() - started;
      expect(r.code).toBe(2);
      expect(r.stdout).toMatch(/stopped after \d+s: it ran past --timeout 15s; every process it started was ended/);
      expect(took).toBeLessThan(40_000);
      expect(`${r.stdout}${r.stderr}`).not.toContain(PASSWORD);
      const all = pids(pidFile);
      expect(all).toHaveLength(2);
      for (const p of all) expect(alive(p)).toBe(false);
    } finally {
      killAll(pidFile);
    }
  });
});
