// The `run:` steps of our reusable workflows that the CLI computes instead of running: each emulation
// gives the outputs the real script writes to GITHUB_OUTPUT, for the same env (the script runs here with
// bash, as on the runner), so a change to either one fails here.
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { parseFileCommands } from '../src/workflow-commands.js';
import { EMULATED_STEPS } from '../src/rules.js';

const root = resolve(import.meta.dirname, '..', '..', '..');

/** The script of step `id` in our workflow `file`, run with bash and `env`: what it writes to GITHUB_OUTPUT. */
function realOutputs(key: string, env: Record<string, string>): Record<string, string> {
  const [file, id] = key.split('#');
  const wf = load(readFileSync(join(root, '.github', 'workflows', file), 'utf8')) as { jobs: Record<string, { steps: Array<{ id?: string; run?: string }> }> };
  const step = Object.values(wf.jobs)
    .flatMap((j) => j.steps ?? [])
    .find((s) => s.id === id);
  if (!step?.run) throw new Error(`${file} has no run: step with id ${id}`);
  const out = join(mkdtempSync(join(tmpdir(), 'pa-emulated-')), 'output');
  execFileSync('bash', ['-e', '-c', `: > "$GITHUB_OUTPUT"\n${step.run}`], { env: { PATH: process.env.PATH, ...env, GITHUB_OUTPUT: out } });
  return parseFileCommands(readFileSync(out, 'utf8'));
}

describe('emulated run: steps', () => {
  it.each([
    [{ IMAGE_REFS: '', SCAN_PATH: '.' }],
    [{ IMAGE_REFS: '', SCAN_PATH: 'app' }],
    [{ IMAGE_REFS: 'ghcr.io/acme/web:1.4.2', SCAN_PATH: '' }],
    [{ IMAGE_REFS: '  ghcr.io/acme/web:1.4.2  \n\n\tghcr.io/acme/worker:2\n', SCAN_PATH: 'services/api' }],
    [{ IMAGE_REFS: '', SCAN_PATH: '' }],
  ])('security-scan.yml#targets with %j', (env) => {
    expect(EMULATED_STEPS['security-scan.yml#targets'](env)).toEqual(realOutputs('security-scan.yml#targets', env));
  });

  it('every emulated step exists in our workflows', () => {
    for (const key of Object.keys(EMULATED_STEPS)) expect(() => realOutputs(key, {})).not.toThrow(/has no run: step/);
  });
});
