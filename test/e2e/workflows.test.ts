// Every workflow we ship (reusable templates and the example callers) passes actionlint, and no `run:`
// script interpolates `${{ }}` (values must reach scripts through env:).
import { expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { toolBin } from '../harness/tools.js';

const files = [
  ...readdirSync('workflows-templates').filter((f) => f.endsWith('.yml')).map((f) => join('workflows-templates', f)),
  ...readdirSync('examples')
    .map((d) => join('examples', d, '.github', 'workflows'))
    .filter((d) => existsSync(d))
    .flatMap((d) => readdirSync(d).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(d, f))),
];

test('there are workflows to check', () => {
  expect(files.length).toBeGreaterThanOrEqual(4);
});

test('actionlint passes (only the `$/` self-repository syntax, which actionlint 1.7.12 does not know yet, is ignored)', () => {
  const r = spawnSync(toolBin('actionlint'), ['-no-color', '-ignore', 'specifying action "\\$/', ...files], { encoding: 'utf8' });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
});

test('no run: script interpolates ${{ }}', () => {
  const offenders: string[] = [];
  for (const f of files) {
    const doc = yaml.load(readFileSync(f, 'utf8')) as { jobs?: Record<string, { steps?: Array<{ run?: string; name?: string }> }> };
    for (const [job, spec] of Object.entries(doc?.jobs ?? {})) {
      for (const step of spec.steps ?? []) if (step.run?.includes('${{')) offenders.push(`${f}: job ${job}, step ${step.name ?? '(unnamed)'}`);
    }
  }
  expect(offenders).toEqual([]);
});
