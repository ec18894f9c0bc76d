// Fan-out benchmark (issue #26): a synthetic monorepo of 120 charts (two of them library charts that
// others use), 170 Terraform roots (some on shared local modules) and 40 local image tarballs. Per kind:
//   (a) a full run in one shard: the plan action, the shard's real work, the verdict action;
//   (b) the same items split by the plan into N = 4 and N = 8 shards, the shards run one after another
//       (which gives the wall time on N runners as the largest shard): target largest ≤ 1.3 × total / N;
//   (c) a pull request that changes 2 items: plan + those shards + verdict; target ≤ 10% of the full run.
// A chart shard is helm-validate, an image shard trivy-scan (warm offline database), both the bundled
// actions run as the runner runs them; a Terraform shard is what terraform.yml's shard job runs for
// each root: terraform init and terraform plan (local state, terraform_data only, so no provider
// downloads). Everything is real; nothing is simulated. PA_FANOUT_SCALE=0.1 runs a tenth of the items.
//
// Each part is measured twice: wall time, and CPU time (user + system of the process and every process it
// waited for, from /usr/bin/time). The targets use CPU time: this host is shared with other jobs, whose
// load shows in wall time as noise, and CPU time is what a shard costs a runner of its own. Wall times are
// printed beside them.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { trivyToolCache, warmCacheDir } from '../actions/trivy-scan/test/helpers.js';
import { writeAlpineRootfs } from '../test/harness/trivy-db.js';
import { buildOciLayout, dockerArchive } from '../test/harness/trivy/oci-image.js';
import { toolBin } from '../test/harness/tools.js';
import { runBundledAction } from '../test/runner/runner.js';

const SCALE = Number(process.env.PA_FANOUT_SCALE || 1);
const COUNTS = { charts: Math.round(120 * SCALE), roots: Math.round(170 * SCALE), images: Math.round(40 * SCALE) };
const KINDS = ['charts', 'terraform', 'images'] as const;
type Kind = (typeof KINDS)[number];

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.invalid' },
  }).trim();
const write = (root: string, files: Record<string, string | Buffer>) => {
  for (const [p, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), body);
  }
};

/** A deterministic spread of sizes, so shards have something to balance. */
const spread = (i: number, lo: number, hi: number) => lo + ((i * 37 + 11) % (hi - lo + 1));

function charts(ws: string): void {
  const lib = (name: string) => ({
    [`charts/${name}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\ntype: library\nversion: 0.1.0\n`,
    [`charts/${name}/templates/_helpers.tpl`]: `{{- define "${name}.labels" -}}\napp.kubernetes.io/name: {{ .Chart.Name }}\napp.kubernetes.io/instance: {{ .Release.Name }}\n{{- end -}}\n`,
  });
  write(ws, { ...lib('lib-common'), ...lib('lib-net') });
  for (let i = 0; i < COUNTS.charts - 2; i++) {
    const name = `svc-${String(i).padStart(3, '0')}`;
    const usesLib = i % 3 === 0 ? (i % 2 ? 'lib-common' : 'lib-net') : undefined;
    const files: Record<string, string> = {
      'Chart.yaml': `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n${usesLib ? `dependencies:\n  - name: ${usesLib}\n    version: 0.1.0\n    repository: file://../${usesLib}\n` : ''}`,
      'values.yaml': `replicas: 1\nimage: ghcr.io/acme/${name}:1.0.0\nport: 8080\n`,
    };
    for (let v = 0; v < spread(i, 0, 2); v++) files[`values-env${v}.yaml`] = `replicas: ${v + 2}\n`;
    for (let t = 0; t < spread(i, 1, 8); t++) {
      files[`templates/deploy-${t}.yaml`] = [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        `  name: {{ .Release.Name }}-${t}`,
        usesLib ? `  labels:\n    {{- include "${usesLib}.labels" . | nindent 4 }}` : '  labels: {app: web}',
        'spec:',
        '  replicas: {{ .Values.replicas }}',
        `  selector: {matchLabels: {app: web-${t}}}`,
        '  template:',
        `    metadata: {labels: {app: web-${t}}}`,
        '    spec:',
        '      containers:',
        '        - name: web',
        '          image: {{ .Values.image }}',
        '          ports: [{containerPort: {{ .Values.port }}}]',
        '          resources: {limits: {cpu: 100m, memory: 64Mi}, requests: {cpu: 50m, memory: 32Mi}}',
        '          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: {drop: [ALL]}}',
        '',
      ].join('\n');
    }
    write(join(ws, 'charts', name), files);
  }
}

function terraform(ws: string): void {
  for (let m = 0; m < 10; m++) write(ws, { [`modules/m${m}/main.tf`]: `variable "name" { type = string }\nresource "terraform_data" "m${m}" {\n  input = var.name\n}\n` });
  for (let i = 0; i < COUNTS.roots; i++) {
    const root = `live/${['prod', 'stage', 'dev'][i % 3]}/r${String(i).padStart(3, '0')}`;
    const body = [`terraform {\n  required_version = ">= 1.6"\n}`];
    for (let r = 0; r < spread(i, 1, 12); r++) body.push(`resource "terraform_data" "r${r}" {\n  input = "${root}-${r}"\n}`);
    if (i % 4 === 0) body.push(`module "shared" {\n  source = "../../../modules/m${i % 10}"\n  name   = "${root}"\n}`);
    write(ws, { [`${root}/main.tf`]: body.join('\n') + '\n' });
  }
}

async function images(ws: string, work: string): Promise<void> {
  for (let i = 0; i < COUNTS.images; i++) {
    const rootfs = join(work, `rootfs-${i}`);
    await writeAlpineRootfs(rootfs);
    // Some weight that differs per image: application files in a layer (trivy reads them for secrets).
    for (let f = 0; f < spread(i, 5, 80); f++) write(rootfs, { [`app/mod${f % 7}/f${f}.py`]: `value_${f} = compute(${f}, "item-${i}")\n`.repeat(40) });
    const image = buildOciLayout(rootfs, join(work, `layout-${i}`), `img${i}:1.0`);
    mkdirSync(join(ws, 'images'), { recursive: true });
    dockerArchive(image, join(ws, 'images', `img${String(i).padStart(2, '0')}.tar`), `img${i}:1.0`);
    rmSync(rootfs, { recursive: true, force: true });
  }
}

/**
 * The actions as a caller gets them, bundled from this checkout's sources into a folder of the bench's
 * own (action.yml beside ../../dist/<name>/), so a bench run neither reads nor rewrites dist/.
 */
async function library(work: string, actions: readonly string[]): Promise<string> {
  const lib = join(work, 'library');
  const bundler = '../scripts/bundle.mjs';
  const { bundle } = (await import(bundler)) as { bundle: (entry: string, outDir: string, actionDir?: string) => void };
  for (const a of actions) {
    const dir = join('actions', a);
    mkdirSync(join(lib, 'actions', a), { recursive: true });
    cpSync(join(dir, 'action.yml'), join(lib, 'actions', a, 'action.yml'));
    bundle(join(process.cwd(), dir, 'src', 'index.ts'), join(lib, 'dist', a), join(process.cwd(), dir));
  }
  return lib;
}

/** Wall and CPU milliseconds. */
interface Cost {
  wall: number;
  cpu: number;
}
const add = (a: Cost, b: Cost): Cost => ({ wall: a.wall + b.wall, cpu: a.cpu + b.cpu });
const ZERO: Cost = { wall: 0, cpu: 0 };

/** A command under /usr/bin/time, which appends "<user s> <system s>" of it and its waited-for children to `file`. */
const TIME = ['-q', '-a', '-f', '%U %S', '-o'];
function cpuOf(file: string): number {
  let s = 0;
  for (const line of readFileSync(file, 'utf8').trim().split('\n').filter(Boolean)) {
    const [u, k] = line.trim().split(/\s+/).map(Number);
    s += (u + k) * 1000;
  }
  return s;
}

function timed(cmd: string, args: string[], cwd: string, cpuFile: string): Promise<number> {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', [...TIME, cpuFile, cmd, ...args], { cwd, stdio: 'ignore', env: { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' } });
    child.on('error', rej);
    child.on('close', (code) => (code === 0 ? res(Number(process.hrtime.bigint() - t0) / 1e6) : rej(new Error(`bench: ${cmd} ${args.join(' ')} exited ${code} in ${cwd}`))));
  });
}

/** Runs a bundled action as the runner does, its node under /usr/bin/time (see node24Timed). */
async function measured(c: Ctx, opts: Parameters<typeof runBundledAction>[0]): Promise<{ r: Awaited<ReturnType<typeof runBundledAction>>; cost: Cost }> {
  const cpuFile = join(mkdtempSync(join(c.work, 'cpu-')), 'cpu');
  writeFileSync(cpuFile, '');
  const t0 = Date.now();
  const r = await runBundledAction({ ...opts, node: c.node, env: { ...opts.env, BENCH_CPU_FILE: cpuFile } });
  return { r, cost: { wall: Date.now() - t0, cpu: cpuOf(cpuFile) } };
}

interface Ctx {
  /** The bundled actions (see library()). */
  lib: string;
  /** Node 24 under /usr/bin/time (BENCH_CPU_FILE names where the CPU time goes). */
  node: string;
  ws: string;
  work: string;
  toolCache: string;
  cacheDir: string;
  path: string;
}

const INPUT_KIND: Record<Kind, string> = { charts: 'charts', terraform: 'terraform', images: 'images' };

async function plan(c: Ctx, kind: Kind, maxShards: number, event: { name: string; payload?: Record<string, unknown> }) {
  const images =
    kind === 'images'
      ? readdirSync(join(c.ws, 'images'))
          .map((f) => `images/${f}`)
          .join('\n')
      : '';
  // Module folders keep no roots of their own here; live/** says so (an unused module would count as a root).
  const paths: Record<string, string> = kind === 'terraform' ? { paths: 'live/**' } : {};
  const { r, cost } = await measured(c, {
    action: join(c.lib, 'actions', 'plan'),
    workspace: c.ws,
    event,
    inputs: { kind: INPUT_KIND[kind], 'max-shards': String(maxShards), ...paths, ...(images ? { images } : {}) },
    env: { PATH: c.path },
  });
  if (r.main.exitCode !== 0) throw new Error(`bench: plan failed:\n${r.main.log.slice(-2000)}`);
  return { cost, matrix: JSON.parse(r.outputs.matrix) as { include: Array<{ shard: number; items: string }> }, doc: r.outputs.plan };
}

/** One shard's real work; its run report lands in `reports`. */
async function shard(c: Ctx, kind: Kind, s: { shard: number; items: string }, reports: string): Promise<Cost> {
  const env = { PATH: c.path, PLATFORM_ACTIONS_REPORT_DIR: join(reports, `shard-${s.shard}`), PLATFORM_ACTIONS_SHARD: String(s.shard) };
  const t0 = Date.now();
  if (kind === 'terraform') {
    const cpuFile = join(mkdtempSync(join(c.work, 'cpu-')), 'cpu');
    writeFileSync(cpuFile, '');
    for (const root of s.items.split('\n')) {
      const dir = join(c.ws, root);
      await timed(toolBin('terraform'), ['init', '-input=false', '-no-color'], dir, cpuFile);
      await timed(toolBin('terraform'), ['plan', '-input=false', '-no-color', '-lock-timeout=5m', `-out=${join(c.work, 'tfplan')}`], dir, cpuFile);
      rmSync(join(dir, '.terraform'), { recursive: true, force: true });
      rmSync(join(dir, '.terraform.lock.hcl'), { force: true });
    }
    // What terraform.yml's shard job writes for the verdict after its plans.
    mkdirSync(env.PLATFORM_ACTIONS_REPORT_DIR, { recursive: true });
    const zero = { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 };
    writeFileSync(
      join(env.PLATFORM_ACTIONS_REPORT_DIR, 'terraform-plan.json'),
      JSON.stringify({
        schema: 'platform-actions/run-report@1',
        action: 'terraform-plan',
        title: 'terraform plan',
        shard: String(s.shard),
        outcome: 'clean',
        startedAt: new Date(t0).toISOString(),
        durationMs: Date.now() - t0,
        counts: zero,
        failing: 0,
        suppressed: 0,
        toolErrors: [],
        policyErrors: [],
        findings: [],
        findingsOmitted: 0,
      }),
    );
    return { wall: Date.now() - t0, cpu: cpuOf(cpuFile) };
  }
  const { r, cost } =
    kind === 'charts'
      ? await measured(c, {
          action: join(c.lib, 'actions', 'helm-validate'),
          workspace: c.ws,
          inputs: { charts: s.items, comment: 'false', 'fail-on': 'none' },
          env,
          timeoutMs: 1_800_000,
        })
      : await measured(c, {
          action: join(c.lib, 'actions', 'trivy-scan'),
          workspace: c.ws,
          inputs: { targets: s.items, comment: 'false', 'fail-on': 'none', 'cache-dir': c.cacheDir, offline: 'true', scanners: 'vuln,secret' },
          env,
          toolCache: c.toolCache,
          timeoutMs: 1_800_000,
        });
  if (r.main.exitCode !== 0) throw new Error(`bench: ${kind} shard ${s.shard} failed:\n${r.main.log.slice(-3000)}`);
  return cost;
}

async function verdict(c: Ctx, doc: string, reports: string): Promise<Cost> {
  const { r, cost } = await measured(c, {
    action: join(c.lib, 'actions', 'verdict'),
    workspace: c.ws,
    inputs: { plan: doc, reports, comment: 'false' },
    runnerTemp: dirname(reports),
    env: { PATH: c.path },
  });
  if (r.main.exitCode !== 0) throw new Error(`bench: verdict failed:\n${r.main.log.slice(-2000)}`);
  return cost;
}

/** plan + every shard one after another + verdict; returns the parts. */
async function pipeline(c: Ctx, kind: Kind, maxShards: number, event: { name: string; payload?: Record<string, unknown> }) {
  const reports = join(mkdtempSync(join(c.work, 'run-')), 'reports');
  const p = await plan(c, kind, maxShards, event);
  const shards: Cost[] = [];
  for (const s of p.matrix.include) shards.push(await shard(c, kind, s, reports));
  const v = await verdict(c, p.doc, reports);
  const work = shards.reduce(add, ZERO);
  return { plan: p.cost, shards, work, verdict: v, total: add(add(p.cost, work), v), items: p.matrix.include.map((s) => s.items.split('\n').length) };
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const both = (x: Cost) => `${fmt(x.cpu)} CPU (${fmt(x.wall)} wall)`;

/**
 * Node 24 under /usr/bin/time: the runner runs the action with it; CPU time goes to $BENCH_CPU_FILE. The
 * wrapper is a Node script, not a shell one: sh drops environment variables whose names are not shell
 * identifiers, and every input (INPUT_MAX-SHARDS) is one.
 */
function node24Timed(work: string): string {
  const file = join(work, 'node24-timed.mjs');
  const node = toolBin('node24', 'node');
  writeFileSync(
    file,
    [
      `#!${node}`,
      "import { spawnSync } from 'node:child_process';",
      `const r = spawnSync('/usr/bin/time', [...${JSON.stringify(TIME)}, process.env.BENCH_CPU_FILE, ${JSON.stringify(node)}, ...process.argv.slice(2)], { stdio: 'inherit' });`,
      'process.exit(r.status ?? 1);',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return file;
}

export async function benchFanout(): Promise<boolean> {
  const work = mkdtempSync(join(tmpdir(), 'bench-fanout-'));
  const lib = await library(work, ['plan', 'verdict', 'helm-validate', 'trivy-scan']);
  const ws = join(work, 'mono');
  mkdirSync(ws);
  git(ws, 'init', '-q', '-b', 'main');
  charts(ws);
  terraform(ws);
  await images(ws, work);
  git(ws, 'add', '-A');
  git(ws, 'commit', '-q', '-m', 'monorepo');
  const base = git(ws, 'rev-parse', 'HEAD');
  const c: Ctx = {
    lib,
    node: node24Timed(work),
    ws,
    work,
    toolCache: trivyToolCache(join(work, 'toolcache')),
    cacheDir: await warmCacheDir(join(work, 'trivy-cache')),
    path: [dirname(toolBin('helm')), dirname(toolBin('terraform')), process.env.PATH].join(':'),
  };
  console.log(`fanout: ${COUNTS.charts} charts, ${COUNTS.roots} Terraform roots, ${COUNTS.images} image tarballs (scale ${SCALE})`);
  const schedule = { name: 'schedule', payload: { schedule: '0 3 * * *' } };
  let ok = true;
  for (const kind of KINDS) {
    // (a) max-shards 1: everything on one runner (trivy-scan takes 20 targets per run, so 40 images are two
    //     runs there, one after the other).
    const full = await pipeline(c, kind, 1, schedule);
    console.log(
      `fanout ${kind} (a) full run on one runner: ${both(full.total)} — plan ${both(full.plan)}, ${full.shards.length} shard run(s) ${both(full.work)}, verdict ${both(full.verdict)}`,
    );
    for (const n of [4, 8]) {
      const r = await pipeline(c, kind, n, schedule);
      // Fewer items than N make fewer shards: the target is against the shards there are.
      const k = r.shards.length;
      const ratio = Math.max(...r.shards.map((x) => x.cpu)) / (r.work.cpu / k);
      const wallRatio = Math.max(...r.shards.map((x) => x.wall)) / (r.work.wall / k);
      const pass = ratio <= 1.3;
      ok &&= pass;
      console.log(
        `fanout ${kind} (b) N=${n}: ${k} shards (items ${r.items.join('/')}), CPU ${r.shards.map((x) => fmt(x.cpu)).join(', ')}; largest ÷ (total/N) = ${ratio.toFixed(2)} (target ≤ 1.30) ${pass ? 'OK' : 'OVER TARGET'} (wall ${wallRatio.toFixed(2)}); on ${k} runners ≈ ${fmt(r.plan.cpu + Math.max(...r.shards.map((x) => x.cpu)) + r.verdict.cpu)} vs ${fmt(full.total.cpu)} CPU`,
      );
    }
    // (c) a pull request that changes two items of this kind.
    git(ws, 'checkout', '-q', '-b', `pr-${kind}`, base);
    if (kind === 'charts')
      write(ws, {
        'charts/svc-001/values.yaml': 'replicas: 2\nimage: ghcr.io/acme/svc-001:1.0.1\nport: 8080\n',
        'charts/svc-002/values.yaml': 'replicas: 3\nimage: ghcr.io/acme/svc-002:1.0.1\nport: 8080\n',
      });
    else if (kind === 'terraform')
      write(ws, { 'live/stage/r001/extra.tf': 'resource "terraform_data" "extra" {}\n', 'live/dev/r002/extra.tf': 'resource "terraform_data" "extra" {}\n' });
    else for (const i of ['01', '02']) cpSync(join(ws, 'images', 'img00.tar'), join(ws, 'images', `img${i}.tar`));
    git(ws, 'add', '-A');
    git(ws, 'commit', '-q', '-m', `two ${kind}`);
    const head = git(ws, 'rev-parse', 'HEAD');
    const pr = {
      name: 'pull_request',
      payload: {
        number: 1,
        pull_request: { number: 1, base: { sha: base, ref: 'main', repo: { full_name: 'acme/mono' } }, head: { sha: head, ref: `pr-${kind}`, repo: { full_name: 'acme/mono' } } },
        repository: { full_name: 'acme/mono', default_branch: 'main' },
      },
    };
    const change = await pipeline(c, kind, 4, pr);
    git(ws, 'checkout', '-q', 'main');
    const items = change.items.reduce((a, b) => a + b, 0);
    const ratio = change.total.cpu / full.total.cpu;
    const pass = ratio <= 0.1 && items === 2;
    ok &&= pass;
    console.log(
      `fanout ${kind} (c) a 2-item pull request: ${both(change.total)} — plan ${both(change.plan)}, ${items} items in ${change.shards.length} shard(s) ${both(change.work)}, verdict ${both(change.verdict)} — ${(ratio * 100).toFixed(1)}% of the full run (target ≤ 10%) ${pass ? 'OK' : 'OVER TARGET'} (wall ${((change.total.wall / full.total.wall) * 100).toFixed(1)}%)`,
    );
  }
  rmSync(work, { recursive: true, force: true });
  return ok;
}

if (process.argv[1]?.endsWith('fanout.ts')) process.exitCode = (await benchFanout()) ? 0 : 1;
