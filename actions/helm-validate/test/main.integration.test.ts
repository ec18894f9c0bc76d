// main() in-process (src/index.ts only starts it): the contract's outcomes without a bundle or a runner,
// with real helm 4 on PATH and the runner's file commands pointed at temp files.
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseFileCommands } from '../../../test/runner/workflow-commands.js';
import { toolBin } from '../../../test/harness/tools.js';
import { main } from '../src/main.js';

jest.setTimeout(120_000);

let saved: NodeJS.ProcessEnv;
let outFile: string;
let writes: string[];
beforeEach(() => {
  saved = { ...process.env };
  writes = [];
  const tmp = mkdtempSync(join(tmpdir(), 'hv-main-'));
  outFile = join(tmp, 'output');
  writeFileSync(outFile, '');
  writeFileSync(join(tmp, 'summary'), '');
  Object.assign(process.env, { GITHUB_OUTPUT: outFile, GITHUB_STEP_SUMMARY: join(tmp, 'summary'), RUNNER_TEMP: tmp, PATH: `${dirname(toolBin('helm'))}:${process.env.PATH}` });
  // Keep the workflow commands out of the test log, and readable by the test.
  jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (writes.push(String(s)), true));
});
afterEach(() => {
  jest.restoreAllMocks();
  process.env = saved;
  process.exitCode = undefined; // failUnlessClean sets it for a failing step; it must not fail jest
});

function workspace(files: Record<string, string>, inputs: Record<string, string>): string {
  const ws = mkdtempSync(join(tmpdir(), 'hv-main-ws-'));
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(dirname(join(ws, p)), { recursive: true });
    writeFileSync(join(ws, p), t);
  }
  process.env.GITHUB_WORKSPACE = ws;
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k];
  for (const [k, v] of Object.entries({ comment: 'false', 'kubernetes-versions': '1.37', lint: 'false', ...inputs })) process.env[`INPUT_${k.toUpperCase()}`] = v;
  return ws;
}

const broken = {
  'charts/bad/Chart.yaml': 'apiVersion: v2\nname: bad\nversion: 0.1.0\n',
  'charts/bad/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.missing.name }}\n',
};

describe('main() in-process', () => {
  test('render-error=off: outcome clean, exit code untouched, one warning; the same chart otherwise fails through the gate', async () => {
    workspace(broken, { 'severity-overrides': 'render-error=off' });
    await main();
    expect(parseFileCommands(readFileSync(outFile, 'utf8'))).toMatchObject({ outcome: 'clean', 'findings-count': '0', 'charts-count': '1' });
    expect(process.exitCode).toBeUndefined();
    expect(writes.filter((w) => w.startsWith('::warning::')).join('')).toContain('did not render and were not validated (render-error is off)');

    writeFileSync(outFile, '');
    workspace(broken, {});
    await main();
    expect(parseFileCommands(readFileSync(outFile, 'utf8'))).toMatchObject({ outcome: 'policy-failure', 'critical-count': '1' });
    expect(process.exitCode).toBe(1);
    expect(writes.filter((w) => w.startsWith('::error')).at(-1)).toContain('helm-validate: 1 finding at or above "high"');
  });
});
