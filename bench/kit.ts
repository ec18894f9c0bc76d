// Kit benchmarks (issue #2):
// 1. Cold start of a bundled action to its first line of work, against bare `node -e ''`, both under Node 24.
// 2. Rendering 10,000 findings into SARIF, the job summary and annotations (target < 300 ms).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSarif, fingerprint, type Finding, gate, planAnnotations, renderSummary, SEVERITIES } from '@platform-actions/kit';
import { toolBin } from '../test/harness/tools.js';
import { median, report, sideBySide } from './lib.js';

const node24 = toolBin('node24', 'node');
const dir = mkdtempSync(join(tmpdir(), 'bench-kit-'));

/** ms from spawn until `marker` appears on stdout ('' = any output), or until exit (bare node prints nothing). */
function timeTo(args: string[], env: NodeJS.ProcessEnv, marker?: string): Promise<number> {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(node24, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      res(Number(process.hrtime.bigint() - t0) / 1e6);
    };
    child.stdout.on('data', (b: Buffer) => {
      // With a marker: the action's own first line of work. Without: its first output of any kind.
      if (marker === '' || (marker && b.toString().includes(marker))) finish();
    });
    child.on('error', rej);
    child.on('close', finish);
  });
}

async function coldStart(): Promise<boolean> {
  const findingsFile = join(dir, 'one.json');
  writeFileSync(findingsFile, JSON.stringify([]));
  const files = ['output', 'state', 'summary'].map((f) => join(dir, f));
  for (const f of files) writeFileSync(f, '');
  const env = {
    PATH: process.env.PATH,
    GITHUB_OUTPUT: files[0],
    GITHUB_STATE: files[1],
    GITHUB_STEP_SUMMARY: files[2],
    RUNNER_TEMP: dir,
    GITHUB_WORKSPACE: dir,
    'INPUT_FINDINGS-FILE': findingsFile,
    'INPUT_FAIL-ON': 'high',
    INPUT_COMMENT: 'false',
  };
  let ok = true;
  const bundles: Array<{ name: string; path: string }> = [
    ...readdirSync('dist', { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => ({ name: d.name, path: join('dist', d.name, 'index.js') })),
    { name: 'kit-probe (test action)', path: '.build/test-actions/kit-probe/index.js' },
  ];
  for (const b of bundles) {
    const kib = statSync(b.path).size / 1024;
    const r = await sideBySide(
      [
        { name: 'bare', run: () => timeTo(['-e', ''], env) },
        { name: 'action', run: () => timeTo([b.path], env, b.name.startsWith('kit-probe') ? 'first line of work' : '') },
      ],
      15,
      2,
    );
    ok = report(`cold start ${b.name} (${kib.toFixed(0)} KiB bundle, Node 24)`, { name: 'action', ms: r.action }, { name: "node -e ''", ms: r.bare }, 3) && ok;
    if (kib > 2048) {
      console.log(`bundle size ${b.name}: ${kib.toFixed(0)} KiB (target < 2048 KiB) OVER TARGET`);
      ok = false;
    }
  }
  return ok;
}

function rendering(): boolean {
  const findings: Finding[] = Array.from({ length: 10_000 }, (_, i) => ({
    tool: 'bench',
    ruleId: `RULE-${i % 120}`,
    severity: SEVERITIES[i % 5],
    title: `Rule ${i % 120}`,
    message: `finding ${i}: something is wrong with object ${i} in a realistic-length message`,
    location: { path: `charts/app-${i % 40}/templates/file-${i % 13}.yaml`, startLine: (i % 500) + 1 },
    fingerprint: fingerprint('bench', i),
    help: { text: 'Fix it like this.', markdown: '**Fix** it like this.' },
  }));
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const g = gate({ findings, failOn: 'high' });
    const sarif = JSON.stringify(buildSarif([{ tool: { name: 'bench' }, category: 'bench', findings: g.active }]).log);
    const md = renderSummary({ title: 'bench', gate: g, links: { repoUrl: 'https://github.com/o/r', sha: 'abc' } });
    planAnnotations(g.active);
    times.push(performance.now() - t0);
    if (sarif.length === 0 || md.length === 0) throw new Error('nothing rendered');
  }
  const ms = median(times.slice(2));
  const ok = ms < 300;
  console.log(
    `render 10,000 findings (gate + SARIF + summary + annotations): ${ms.toFixed(1)} ms (target < 300 ms; ratio to target ${(ms / 300).toFixed(2)}x) ${ok ? 'OK' : 'OVER TARGET'}`,
  );
  return ok;
}

export async function benchKit(): Promise<boolean> {
  const a = await coldStart();
  const b = rendering();
  return a && b;
}
