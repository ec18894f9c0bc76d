// The repository checks fail when they should: a stale dist/, a wrong runtime, a README table that does
// not match action.yml. Run against a throwaway copy of the repo's scripts with one small action.
import { beforeAll, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve('.');
let dir: string;
const run = (script: string) => spawnSync(process.execPath, [join(dir, 'scripts', script)], { cwd: dir, encoding: 'utf8' });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'checks-'));
  cpSync(join(repo, 'scripts'), join(dir, 'scripts'), { recursive: true });
  cpSync(join(repo, 'packages'), join(dir, 'packages'), { recursive: true });
  cpSync(join(repo, 'actions', 'tsconfig.json'), join(dir, 'actions', 'tsconfig.json'));
  for (const f of ['tsconfig.base.json', 'package.json']) cpSync(join(repo, f), join(dir, f));
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  mkdirSync(join(dir, 'actions', 'hello', 'src'), { recursive: true });
  writeFileSync(join(dir, 'actions', 'hello', 'src', 'main.ts'), "console.log('hello');\n");
  writeFileSync(
    join(dir, 'actions', 'hello', 'action.yml'),
    'name: hello\ndescription: says hello\ninputs:\n  who:\n    description: whom to greet\n    default: world\nruns:\n  using: node24\n  main: ../../dist/hello/index.js\n',
  );
  writeFileSync(
    join(dir, 'actions', 'hello', 'README.md'),
    '# hello\n\n<!-- action-docs:begin (generated from action.yml by `npm run docs`; do not edit) -->\n<!-- action-docs:end -->\n',
  );
});

test('README tables: stale fails, regenerated passes', () => {
  const stale = run('check-actions.mjs');
  expect(stale.status).toBe(1);
  expect(stale.stderr).toContain('actions/hello/README.md: the inputs/outputs table does not match action.yml; run npm run docs');
  expect(run('gen-docs.mjs').status).toBe(0);
  expect(readFileSync(join(dir, 'actions/hello/README.md'), 'utf8')).toContain('| `who` | whom to greet | no | `world` |');
  expect(run('check-actions.mjs').status).toBe(0);
});

test('a different runtime fails', () => {
  const yml = join(dir, 'actions/hello/action.yml');
  const good = readFileSync(yml, 'utf8');
  writeFileSync(yml, good.replace('node24', 'node20'));
  const r = run('check-actions.mjs');
  writeFileSync(yml, good);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('actions/hello/action.yml: runs.using is "node20", expected "node24"');
});

test('dist: missing and stale fail, a fresh build passes', () => {
  const missing = run('check-dist.mjs');
  expect(missing.status).toBe(1);
  expect(missing.stderr).toContain('dist/hello/index.js is missing');
  expect(run('build.mjs').status).toBe(0);
  expect(run('check-dist.mjs').status).toBe(0);
  // The bundle is ESM and runs on its own.
  expect(execFileSync(process.execPath, [join(dir, 'dist/hello/index.js')]).toString()).toContain('hello');
  writeFileSync(join(dir, 'actions', 'hello', 'src', 'main.ts'), "console.log('hello again');\n");
  const stale = run('check-dist.mjs');
  expect(stale.status).toBe(1);
  expect(stale.stderr).toContain('dist/hello/index.js differs from a fresh build');
}, 180_000);
