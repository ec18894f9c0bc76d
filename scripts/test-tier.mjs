// npm run test:unit | test:integration | test:e2e — one Jest run over one tier of the test files.
//
// A test file's tier is in its name, so a reader sees it and a runner can pick it by glob:
//   *.e2e.test.ts          runs bundles the way GitHub's runner does (imports the runner or the CLI's `check`)
//   *.integration.test.ts  uses real tools or services from test/harness
//   *.test.ts              unit: no tools, no services, seconds — runs on a fresh clone with nothing provisioned
// What a file imports, directly or through local helper modules, still decides which tier it really is; the
// name is checked against that on every run, and a file whose name and imports disagree stops the run
// (exit 2, one line per file), so a stray import cannot move a test into another tier unseen.
//
//   node scripts/test-tier.mjs <tier> [--list] [--root <dir>] [jest args…]
//   (--root: the repository to look at; the tests of this check use it on a temporary folder)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { root } from './targets.mjs';

const TIERS = ['unit', 'integration', 'e2e'];
const E2E_MODULES = [/packages\/cli\/src\/runner\.ts$/, /packages\/cli\/src\/check\.ts$/, /packages\/cli\/src\/main\.ts$/];
const HARNESS = /test\/harness\//;

const [tier, ...args] = process.argv.slice(2);
const rootAt = args.indexOf('--root');
const base = rootAt >= 0 ? resolve(args[rootAt + 1] ?? '.') : root;
const rest = rootAt >= 0 ? args.filter((_, i) => i !== rootAt && i !== rootAt + 1) : args;
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
  const rel = relative(base, file);
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

/** The tier a file's name declares. */
const tierByName = (file) => (file.endsWith('.e2e.test.ts') ? 'e2e' : file.endsWith('.integration.test.ts') ? 'integration' : 'unit');
const SUFFIX = { unit: '.test.ts', integration: '.integration.test.ts', e2e: '.e2e.test.ts' };

const roots = ['packages', 'actions', 'test'].map((d) => join(base, d));
const all = roots.flatMap(testFiles).sort();
const misnamed = all.filter((f) => tierByName(f) !== tierOf(f));
if (misnamed.length) {
  for (const f of misnamed) {
    console.error(`test-tier: ${relative(base, f)}: name says ${tierByName(f)}, imports make it ${tierOf(f)} (name it *${SUFFIX[tierOf(f)]}, or change its imports)`);
  }
  process.exit(2);
}
const files = all.filter((f) => tierByName(f) === tier);
if (rest.includes('--list')) {
  for (const f of files) console.log(relative(base, f));
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
const r = spawnSync(process.execPath, ['--experimental-vm-modules', jest, ...workers, ...rest, '--runTestsByPath', ...files.map((f) => relative(root, f))], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(r.status ?? 1);
