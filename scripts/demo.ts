// `npm run demo`: runs each step of examples/demo.json through the local runner and prints its result as a
// PR author would see it (log, annotations, outputs, job summary) as soon as that step has run.
// From a cold cache it provisions what the steps need (demo-plan.ts: their tools and their services'),
// the cheapest steps' tools first, in the background while the steps that are ready already run. A tool
// that cannot be provisioned skips the steps that need it, said in one line; the others still run.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { startKubeCluster } from '../test/harness/services/kube.js';
import { startPostgres } from '../test/harness/services/postgres.js';
import { installTrivyDb } from '../test/harness/trivy-db.js';
import { toolBin, toolDir } from '../test/harness/tools.js';
import { runBundledAction } from '../test/runner/runner.js';
import { coldBuildSeconds, type DemoStep, loadSteps, planDemo } from './demo-plan.js';
import { Prerequisites, runWhenReady } from './demo-schedule.js';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const startedAt = Number(process.env.DEMO_STARTED_AT) * 1000 || Date.now(); // demo.sh's start, npm install included
const since = (): string => {
  const s = Math.round((Date.now() - startedAt) / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};
const rule = (t: string) => console.log(`\n${'━'.repeat(3)} ${t} ${'━'.repeat(Math.max(0, 72 - t.length))}`);
const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0];

// ---- what is needed, in which order --------------------------------------------------------------------
const steps = loadSteps(root);
const cached = (tool: string): boolean => existsSync(toolDir(tool));
const plan = planDemo(root, steps, (t) => (cached(t) ? 0 : coldBuildSeconds(root, t)));
/** Steps not run or skipped yet. */
const pending = steps.map((_, i) => i);

/** Tools and bundles as provisioning and building report them; the steps wait on these. */
const prereqs = new Prerequisites();
const settle = prereqs.settle.bind(prereqs);

console.log(`demo: ${steps.length} steps; tools: ${plan.tools.join(', ')} (${plan.tools.filter(cached).length} already provisioned).`);
console.log('demo: provisioning them in the background, cheapest first; each result is printed as soon as its step has run.');

// ---- the bundles, built beside the tools, one action at a time in the order the steps come ---------------
const bundle = (action: string): string => `the ${action} bundle`;
mkdirSync(join(root, '.build'), { recursive: true });
const buildLog = join(root, '.build', 'demo-build.log');
const actions = [...new Set(plan.order.map((i) => steps[i].action))];
console.log(`demo: building the bundles of ${actions.join(', ')} (log: ${buildLog})`);
const buildOut = createWriteStream(buildLog);
void (async () => {
  for (const action of actions) {
    // Not for steps already skipped (their tools failed): the demo would only wait for it.
    if (!pending.some((i) => steps[i].action === action)) continue;
    const code = await new Promise<number | null>((done) => {
      const b = spawn(process.execPath, [join(root, 'scripts', 'build.mjs'), '--only', action], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      b.stdout.pipe(buildOut, { end: false });
      b.stderr.pipe(buildOut, { end: false });
      b.on('close', done);
    });
    if (code !== 0) console.log(`demo: ${bundle(action)} did not build (exit ${code}; log: ${buildLog})`);
    settle(bundle(action), code === 0, `${bundle(action)} did not build (log: ${buildLog})`);
  }
})();

// ---- the tools: provision.sh prints one line per tool; we pass them on and follow them -------------------
const prov = spawn('bash', [join(root, 'test', 'harness', 'provision.sh'), ...plan.tools], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
createInterface({ input: prov.stdout }).on('line', (line) => {
  console.log(line);
  let m: RegExpExecArray | null;
  if ((m = /^provision: (\S+) ready in /.exec(line))) settle(m[1], true);
  else if ((m = /^provision: (\S+) \S+ .*: cached$/.exec(line))) settle(m[1], true);
  else if ((m = /^provision: (\S+) FAILED after \S+: (.*)$/.exec(line))) settle(m[1], false, `${m[1]} could not be provisioned: ${m[2]}`);
});
prov.on('close', (code) => {
  for (const t of plan.tools) settle(t, cached(t), `${t} could not be provisioned (provision.sh exited ${code})`);
});

// ---- the steps, each as soon as what it needs is there ----------------------------------------------------
/** Runs one step; returns its exit code and what to print (printed at once, between provision lines). */
async function runStep(s: DemoStep): Promise<{ code: number; text: string }> {
  const workspace = join(root, 'examples', s.workspace);
  let pg: Awaited<ReturnType<typeof startPostgres>> | undefined;
  let kube: Awaited<ReturnType<typeof startKubeCluster>> | undefined;
  let trivyDb: string | undefined;
  try {
    if (s.services?.includes('postgres')) pg = await startPostgres();
    if (s.services?.includes('kube')) kube = await startKubeCluster();
    if (Object.values(s.inputs ?? {}).some((v) => v.includes('{trivy-db}'))) await installTrivyDb((trivyDb = mkdtempSync(join(tmpdir(), 'demo-trivy-db-'))));
    const fill = (v: string) =>
      v
        .replace('{workspace}', workspace)
        .replace('{postgres-url}', pg?.url ?? '')
        .replace('{trivy-db}', trivyDb ?? '')
        .replace('{kubeconfig}', kube ? readFileSync(kube.kubeconfig, 'utf8') : '');
    const inputs = Object.fromEntries(Object.entries(s.inputs ?? {}).map(([k, v]) => [k, fill(v)]));
    const bins = (s.tools ?? []).map((t) => dirname(toolBin(t.split('/')[0], t.split('/')[1])));
    const r = await runBundledAction({ action: s.action, workspace, event: s.event, inputs, env: { ...s.env, PATH: [...bins, process.env.PATH].join(':') } });
    const out = [r.main.log.trimEnd(), '\nAnnotations:'];
    for (const a of r.main.annotations) out.push(`  ${a.level.toUpperCase().padEnd(7)} ${a.file ? `${a.file}${a.line ? `:${a.line}` : ''} ` : ''}${a.message}`);
    out.push('\nOutputs:');
    for (const [k, v] of Object.entries(r.outputs)) out.push(`  ${k} = ${v}`);
    out.push('\nJob summary:\n', r.summary.trimEnd().replace(/^/gm, '  '));
    return { code: r.main.exitCode, text: out.join('\n') };
  } finally {
    await pg?.stop();
    await kube?.stop();
    if (trivyDb) rmSync(trivyDb, { recursive: true, force: true });
  }
}

let failed = 0;
let skipped = 0;
let broken = 0;
let firstResult: string | undefined;
const header = (i: number): void => rule(`${i + 1}/${steps.length} ${steps[i].title}  (${steps[i].action} on examples/${steps[i].workspace})`);
await runWhenReady(pending, prereqs, {
  needs: (i) => [bundle(steps[i].action), ...plan.needs[i]],
  waiting: (i, missing) => console.log(`demo: ${steps[i].action} waits for ${missing.join(', ')} (${since()} so far)`),
  skip: (i, why) => {
    header(i);
    console.log(`Result: step skipped: ${why}`);
    skipped++;
  },
  run: async (i) => {
    try {
      const { code, text } = await runStep(steps[i]);
      firstResult ??= since();
      header(i);
      console.log(text);
      console.log(`\nResult: ${code === 0 ? 'step passed' : `step failed (exit ${code})`} (${since()})`);
      if (code !== 0) failed++;
    } catch (e) {
      header(i);
      console.log(`Result: step could not run: ${firstLine(e)}`);
      broken++;
    }
  },
});

const ran = steps.length - skipped - broken;
rule(
  `${steps.length} step(s) in ${since()}: ${ran} ran (${failed} failed as the example intends)` +
    `${skipped ? `, ${skipped} skipped` : ''}${broken ? `, ${broken} could not run` : ''}${firstResult ? `; first result after ${firstResult}` : ''}`,
);
process.exitCode = skipped || broken ? 1 : 0;
