// npm run test:unit | test:integration | test:e2e — one Jest run over one tier of the test files.
//
// A test file's tier follows from what it imports, directly or through local helper modules, so nobody
// has to remember a naming rule and a test cannot sit in the wrong tier:
//   e2e          runs bundles the way GitHub's runner does (imports the runner or the CLI's `check`)
//   integration  uses real tools or services from test/harness
//   unit         neither: no tools, no services, seconds — runs on a fresh clone with nothing provisioned
//
//   node scripts/test-tier.mjs <tier> [--list] [jest args…]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { root } from './targets.mjs';

const TIERS = ['unit', 'integration', 'e2e'];
const E2E_MODULES = [/packages\/cli\/src\/runner\.ts$/, /packages\/cli\/src\/check\.ts$/, /packages\/cli\/src\/main\.ts$/];
const HARNESS = /test\/harness\//;

const [tier, ...rest] = process.argv.slice(2);
if (!TIERS.includes(tier)) {
  console.error(`test-tier: the first argument must be one of ${TIERS.join(', ')}; got ${JSON.stringify(tier ?? '')}`);
  process.exit(2);
}

const SKIP = new Set(['node_modules', 'dist', '.build', '.git']);
function testFiles(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(d.name)) continue;
    const p = join(dir, d.name);
    if (d.isDirectory()) out.push(...testFiles(p));
    else if (d.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
function localImports(file) {
  const text = readFileSync(file, 'utf8');
  const out = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith('.')) continue;
    const base = resolve(dirname(file), spec.replace(/\.js$/, ''));
    for (const cand of [`${base}.ts`, join(base, 'index.ts'), base]) {
      if (existsSync(cand) && cand.endsWith('.ts')) {
        out.push(cand);
        break;
      }
    }
  }
  return out;
}

const memo = new Map();
function tierOf(file, seen = new Set()) {
  if (memo.has(file)) return memo.get(file);
  if (seen.has(file)) return 'unit';
  seen.add(file);
  const rel = relative(root, file);
  let t = E2E_MODULES.some((re) => re.test(rel)) ? 'e2e' : HARNESS.test(rel) ? 'integration' : 'unit';
  if (t !== 'e2e') {
    for (const dep of localImports(file)) {
      const d = tierOf(dep, seen);
      if (d === 'e2e') {
        t = 'e2e';
        break;
      }
      if (d === 'integration') t = 'integration';
    }
  }
  memo.set(file, t);
  return t;
}

const roots = ['packages', 'actions', 'test'].map((d) => join(root, d));
const files = roots
  .flatMap(testFiles)
  .filter((f) => tierOf(f) === tier)
  .sort();
if (rest.includes('--list')) {
  for (const f of files) console.log(relative(root, f));
  process.exit(0);
}
if (files.length === 0) {
  console.log(`test-tier: no ${tier} tests`);
  process.exit(0);
}
// e2e runs bundles: build them from the current sources first, so an edit is never tested against a stale bundle.
if (tier === 'e2e' && !process.env.PA_SKIP_BUILD) execFileSync('node', [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
// Jest's default on a 2-core runner is one worker. Integration tests spend most of their time waiting on
// tools and services (act runs, PostgreSQL, the control plane), so two files run side by side there; the
// scenario pipelines are one file per scenario for that reason. --maxWorkers / -w / --runInBand given win.
const workers = tier === 'integration' && !rest.some((a) => /^(--maxWorkers|-w|--runInBand|-i$)/.test(a)) ? ['--maxWorkers=2'] : [];
const r = spawnSync(process.execPath, ['--experimental-vm-modules', jest, ...workers, ...rest, '--runTestsByPath', ...files.map((f) => relative(root, f))], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
