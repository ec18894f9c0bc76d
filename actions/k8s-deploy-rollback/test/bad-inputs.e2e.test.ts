// Every bad-input case through the local runner and the real bundle, with the corpus's assertions: exit
// code 1, one error line that matches, outcome config-error, no stack trace, nothing written, and neither
// the GitHub token nor the kubeconfig's token ever printed.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runBundledAction } from '../../../test/runner/runner.js';
import { cases } from './bad-inputs.cases.js';
import { buildBundle, kubectlBin } from './helpers.js';

jest.setTimeout(120_000);

let ws: string;
beforeAll(() => {
  buildBundle();
  ws = mkdtempSync(join(tmpdir(), 'k8s-bad-inputs-'));
  mkdirSync(join(ws, 'good'));
  mkdirSync(join(ws, 'chart'));
  writeFileSync(
    join(ws, 'good', 'web.yaml'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: app, image: "registry.example/web:VERSION_PLACEHOLDER"}]}\n',
  );
  writeFileSync(join(ws, 'invalid.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data: [\n');
  writeFileSync(join(ws, 'not-an-object.yaml'), '- a\n- b\n');
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

const TOKEN = 'ghp_K8sCorpusSecretToken0123456789abcd';
const listing = (d: string): string[] => (existsSync(d) ? readdirSync(d, { recursive: true }).map(String).sort() : []);

describe('bad inputs fail with one line', () => {
  test.each(cases)('$name', async ({ inputs, expect: re }) => {
    const before = listing(ws);
    const r = await runBundledAction({
      action: 'k8s-deploy-rollback',
      workspace: ws,
      inputs: { kubectl: kubectlBin(), token: TOKEN, ...inputs },
      env: { PATH: `${dirname(kubectlBin())}:${process.env.PATH}` },
      timeoutMs: 60_000,
    });
    expect(r.main.exitCode).toBe(1);
    const errors = r.main.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/^k8s-deploy-rollback: /);
    expect(errors[0].message).toMatch(re);
    expect(errors[0].message).not.toMatch(/\n/);
    expect(r.outputs.outcome).toBe('config-error');
    expect(r.outputs).toMatchObject({ result: 'failed', 'failure-reason': 'ConfigError' }); // every exit path sets them
    expect(r.everything).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // no stack trace
    expect(r.everything).not.toMatch(/internal error/);
    expect(r.everything).not.toContain('not-a-real-token-0123456789');
    expect(r.everything).not.toContain(TOKEN);
    expect(listing(r.dirs.runnerTemp)).toEqual([]); // not even the kubeconfig file is left behind
    expect(listing(ws)).toEqual(before);
    expect(r.main.durationMs).toBeLessThan(30_000);
  });
});
