// scripts/test-tier.mjs reads a test's tier from its name and checks it against what the file imports:
// a name and imports that disagree stop the run (exit 2, one line per file), whichever tier was asked for.
// Each case is a small repository in a temporary folder, given to the script with --root.
import { afterEach, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const script = resolve('scripts/test-tier.mjs');
const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A repository holding these files (path → content), with the modules that decide a tier present. */
function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'test-tier-'));
  made.push(root);
  const all = { 'test/harness/tools.ts': 'export const tool = 1;\n', 'packages/cli/src/runner.ts': 'export const run = 1;\n', ...files };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const tier = (root: string, name: string, ...args: string[]) => spawnSync(process.execPath, [script, name, '--list', '--root', root, ...args], { encoding: 'utf8' });
const usesTool = "import { tool } from '../../../test/harness/tools.js';\n";
const usesRunner = "import { run } from '../../../packages/cli/src/runner.js';\n";

test('each tier lists the files whose name says it, when every name agrees with its imports (through a helper too)', () => {
  const root = repo({
    'actions/a/test/pure.test.ts': "import { x } from '../src/x.js';\n",
    'actions/a/src/x.ts': 'export const x = 1;\n',
    'actions/a/test/tool.integration.test.ts': usesTool,
    'actions/a/test/helpers.ts': usesRunner,
    'actions/a/test/bundle.e2e.test.ts': "import { run } from './helpers.js';\n",
  });
  const lists = Object.fromEntries(['unit', 'integration', 'e2e'].map((t) => [t, tier(root, t)]));
  for (const r of Object.values(lists)) expect(r.status).toBe(0);
  expect(lists.unit.stdout.trim()).toBe('actions/a/test/pure.test.ts');
  expect(lists.integration.stdout.trim()).toBe('actions/a/test/tool.integration.test.ts');
  expect(lists.e2e.stdout.trim()).toBe('actions/a/test/bundle.e2e.test.ts');
});

test('a misnamed file stops every tier with exit 2 and one line naming the file, its name tier and its import tier', () => {
  const root = repo({
    'actions/a/test/ok.test.ts': '',
    'actions/a/test/uses-tool.test.ts': usesTool,
    'test/e2e/pure.e2e.test.ts': "import { expect } from '@jest/globals';\n",
    'actions/a/test/runs-bundle.integration.test.ts': usesRunner,
  });
  for (const t of ['unit', 'integration', 'e2e']) {
    const r = tier(root, t);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'test-tier: actions/a/test/runs-bundle.integration.test.ts: name says integration, imports make it e2e (name it *.e2e.test.ts, or change its imports)',
      'test-tier: actions/a/test/uses-tool.test.ts: name says unit, imports make it integration (name it *.integration.test.ts, or change its imports)',
      'test-tier: test/e2e/pure.e2e.test.ts: name says e2e, imports make it unit (name it *.test.ts, or change its imports)',
    ]);
  }
});
