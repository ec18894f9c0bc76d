// platform-actions CLI benchmark (issue 17), side by side in one run, on the hardened Python service example
// (examples/python-service-hardened as its own git repository): all three stages its workflow runs through
// our reusable workflows — trivy-scan (targets given with --input, as they come from a run: step; the
// harness's offline database in a warm cache dir), gitleaks-scan and migration-test.
//   (a) `platform-actions check` (the executable: tsx start-up, workflow discovery, expressions, findings,
//       terminal output) against the same two actions run one by one through the runner's command line
//       (test/runner/cli.ts), with the same inputs, target ≤ 1.10x;
//   (b) the same comparison in-process (check() against runBundledAction() one by one), which isolates what the
//       CLI adds per run from process start-up;
//   (c) time from starting `platform-actions check` to its first stage's result line.
// Every contender runs the bundles under the harness's Node 24 against a fresh database on one throwaway
// PostgreSQL, with trivy, gitleaks and Alembic from the harness on PATH.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check } from '../packages/cli/src/check.js';
import { startPostgres } from '../test/harness/services/postgres.js';
import { toolBin } from '../test/harness/tools.js';
import { installTrivyDb } from '../test/harness/trivy-db.js';
import { runBundledAction } from '../test/runner/runner.js';
import { freshBundle } from '../packages/cli/test/helpers.js';
import { median, report, sideBySide } from './lib.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function exampleRepo(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'bench-cli-')), 'python-service-hardened');
  cpSync(join(root, 'examples', 'python-service-hardened'), dir, { recursive: true });
  const g = (...a: string[]) =>
    execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', '-c', 'init.defaultBranch=main', ...a], { cwd: dir, stdio: 'ignore' });
  g('init', '-q');
  g('add', '-A');
  g('commit', '-q', '-m', 'example');
  return dir;
}

/** Runs a command; resolves with total ms and the ms at which `firstLine` first matched stdout. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, firstLine?: RegExp): Promise<{ ms: number; firstMs?: number; code: number | null }> {
  const t0 = performance.now();
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let firstMs: number | undefined;
    child.stdout.on('data', (b) => {
      out += b;
      if (firstLine && firstMs === undefined && firstLine.test(out)) firstMs = performance.now() - t0;
    });
    child.stderr.on('data', (b) => (err += b));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', rej);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 2) rej(new Error(`${args.join(' ')} failed:\n${err}${out.slice(-1500)}`));
      else res({ ms: performance.now() - t0, firstMs, code });
    });
  });
}

export async function benchCli(): Promise<boolean> {
  for (const a of ['trivy-scan', 'gitleaks-scan', 'migration-test']) freshBundle(a);
  const node24 = toolBin('node24', 'node');
  const PATH = [dirname(node24), dirname(toolBin('trivy')), dirname(toolBin('gitleaks')), dirname(toolBin('pyenv', 'alembic')), process.env.PATH].join(':');
  const env = { ...process.env, PATH, PYTHONDONTWRITEBYTECODE: '1', NO_COLOR: '1' };
  const repo = exampleRepo();
  const trivyCache = mkdtempSync(join(tmpdir(), 'bench-cli-trivy-'));
  await installTrivyDb(trivyCache);
  const inputs = { 'trivy-scan.targets': 'fs:.', 'trivy-scan.cache-dir': trivyCache, 'trivy-scan.skip-db-update': 'true' };
  const inputArgs = Object.entries(inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`]);
  const pg = await startPostgres();
  let n = 0;
  const db = () => pg.createDatabase(`bench_${++n}`);
  try {
    // The inputs check gives each stage, so the runner contenders run exactly the same steps.
    const saved = { ...process.env };
    Object.assign(process.env, { PATH, PYTHONDONTWRITEBYTECODE: '1' });
    const plan = await check({ repo, inputs, databaseUrl: await db(), node: node24 });
    process.env.PATH = saved.PATH;
    const stages = plan.stages.map((s) => ({
      action: s.action,
      inputs: Object.fromEntries(Object.entries(s.inputs ?? {}).filter(([k]) => !['sarif-file', 'report-file', 'report-dir'].includes(k))),
    }));
    const broken = plan.stages.filter((s) => s.outcome === 'tool-error' || s.outcome === 'config-error');
    if (broken.length) throw new Error(`bench: ${broken.map((s) => `${s.name}: ${s.errors.join('; ')}`).join(', ')}`);
    console.log(`stages: ${plan.stages.map((s) => `${s.name} (${s.outcome}, ${s.findingsCount} findings)`).join(', ')}`);

    const bin = join(root, 'node_modules', '.bin', 'platform-actions');
    const runnerCli = join(root, 'test', 'runner', 'cli.ts');
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    const firsts: number[] = [];
    const cmd = await sideBySide(
      [
        {
          name: 'platform-actions check',
          run: async () => {
            const r = await timed(bin, ['check', '--repo', repo, ...inputArgs, '--database-url', await db()], env, /^[✔✖!-] \[1\/\d+\] /m);
            if (r.firstMs !== undefined) firsts.push(r.firstMs);
            return r.ms;
          },
        },
        {
          name: 'runner cli one by one',
          run: async () => {
            let ms = 0;
            for (const s of stages) {
              const inputs = { ...s.inputs, ...(s.action === 'migration-test' ? { 'database-url': await db() } : {}) };
              const args = [runnerCli, s.action, '--workspace', repo, ...Object.entries(inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`])];
              ms += (await timed(tsx, args, env)).ms;
            }
            return ms;
          },
        },
      ],
      3,
      1,
    );
    const ok = report(
      'check vs the runner one by one (executables)',
      { name: 'platform-actions check', ms: cmd['platform-actions check'] },
      { name: 'runner cli one by one', ms: cmd['runner cli one by one'] },
      1.1,
    );

    Object.assign(process.env, { PATH, PYTHONDONTWRITEBYTECODE: '1' });
    const lib = await sideBySide(
      [
        {
          name: 'check()',
          run: async () => {
            const databaseUrl = await db();
            const t0 = performance.now();
            await check({ repo, inputs, databaseUrl, node: node24 });
            return performance.now() - t0;
          },
        },
        {
          name: 'runBundledAction() one by one',
          run: async () => {
            let ms = 0;
            for (const s of stages) {
              const inputs = { ...s.inputs, ...(s.action === 'migration-test' ? { 'database-url': await db() } : {}) };
              const t0 = performance.now();
              await runBundledAction({ action: s.action, inputs, workspace: repo, env: { PATH, PYTHONDONTWRITEBYTECODE: '1' } });
              ms += performance.now() - t0;
            }
            return ms;
          },
        },
      ],
      3,
      1,
    );
    process.env.PATH = saved.PATH;
    const okLib = report(
      'check vs the runner one by one (in-process)',
      { name: 'check()', ms: lib['check()'] },
      { name: 'runBundledAction() one by one', ms: lib['runBundledAction() one by one'] },
      1.1,
    );
    console.log(
      `time to the first stage's result (platform-actions check, ${plan.stages[0]?.name}): median ${median(firsts).toFixed(0)} ms of ${cmd['platform-actions check'].toFixed(0)} ms in total`,
    );
    writeFileSync(join(repo, '..', 'bench.json'), JSON.stringify({ cmd, lib, firstMs: median(firsts) }));
    return ok && okLib;
  } finally {
    await pg.stop();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = (await benchCli()) ? 0 : 1;
}
