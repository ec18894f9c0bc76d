// Runs each demo step listed in examples/demo.json through the local runner and prints the result as a
// PR author would see it: log, annotations, outputs and the job summary.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dirname } from 'node:path';
import { startKubeCluster } from '../test/harness/services/kube.js';
import { startPostgres } from '../test/harness/services/postgres.js';
import { installTrivyDb } from '../test/harness/trivy-db.js';
import { toolBin } from '../test/harness/tools.js';
import { runAction } from '../test/runner/runner.js';

interface DemoStep {
  title: string;
  action: string;
  /** Example repository under examples/. */
  workspace: string;
  event?: { name: string; payload?: Record<string, unknown> };
  inputs?: Record<string, string>;
  /** Harness tools put first on PATH, as a setup step would: `tool` or `tool/executable` (e.g. `pyenv/alembic`). */
  tools?: string[];
  /**
   * Services the step needs, as a workflow's `services:` would give it; `{postgres-url}` in inputs gets the URL.
   * `{trivy-db}` gets a cache folder holding the harness's offline vulnerability database (no network here);
   * `kube` starts the harness's Kubernetes control plane and `{kubeconfig}` gets its kubeconfig (content).
   */
  services?: Array<'postgres' | 'kube'>;
  env?: Record<string, string>;
}

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const steps = JSON.parse(readFileSync(join(root, 'examples', 'demo.json'), 'utf8')) as DemoStep[];
const line = (t: string) => console.log(`\n${'━'.repeat(3)} ${t} ${'━'.repeat(Math.max(0, 72 - t.length))}`);
let failures = 0;
for (const s of steps) {
  line(`${s.title}  (${s.action} on examples/${s.workspace})`);
  const workspace = join(root, 'examples', s.workspace);
  const pg = s.services?.includes('postgres') ? await startPostgres() : undefined;
  const kube = s.services?.includes('kube') ? await startKubeCluster() : undefined;
  const trivyDb = Object.values(s.inputs ?? {}).some((v) => v.includes('{trivy-db}')) ? mkdtempSync(join(tmpdir(), 'demo-trivy-db-')) : undefined;
  if (trivyDb) await installTrivyDb(trivyDb);
  const fill = (v: string) =>
    v
      .replace('{workspace}', workspace)
      .replace('{postgres-url}', pg?.url ?? '')
      .replace('{trivy-db}', trivyDb ?? '')
      .replace('{kubeconfig}', kube ? readFileSync(kube.kubeconfig, 'utf8') : '');
  const inputs = Object.fromEntries(Object.entries(s.inputs ?? {}).map(([k, v]) => [k, fill(v)]));
  const bins = (s.tools ?? []).map((t) => dirname(toolBin(t.split('/')[0], t.split('/')[1])));
  let r;
  try {
    r = await runAction({ action: s.action, workspace, event: s.event, inputs, env: { ...s.env, PATH: [...bins, process.env.PATH].join(':') } });
  } finally {
    await pg?.stop();
    await kube?.stop();
    if (trivyDb) rmSync(trivyDb, { recursive: true, force: true });
  }
  console.log(r.main.log.trimEnd());
  console.log('\nAnnotations:');
  for (const a of r.main.annotations) console.log(`  ${a.level.toUpperCase().padEnd(7)} ${a.file ? `${a.file}${a.line ? `:${a.line}` : ''} ` : ''}${a.message}`);
  console.log('\nOutputs:');
  for (const [k, v] of Object.entries(r.outputs)) console.log(`  ${k} = ${v}`);
  console.log('\nJob summary:\n');
  console.log(r.summary.trimEnd().replace(/^/gm, '  '));
  console.log(`\nResult: ${r.main.exitCode === 0 ? 'step passed' : `step failed (exit ${r.main.exitCode})`}`);
  if (r.main.exitCode !== 0) failures++;
}
line(`${steps.length} step(s), ${failures} failed as the example intends`);
