// main() in-process (test/helpers/main-in-process.ts; src/index.ts only starts it): the contract's outcomes
// without a bundle or a runner, with real helm 4 on PATH.
import { describe, expect, jest, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runMain as runMainInProcess } from '../../../test/helpers/main-in-process.js';
import { toolBin } from '../../../test/harness/tools.js';
import { ACTION } from '../src/action.js';
import { main } from '../src/main.js';

jest.setTimeout(120_000);

/** main() once over a workspace holding `files`, with the harness's helm first on PATH. */
function runMain(files: Record<string, string>, inputs: Record<string, string>) {
  const ws = mkdtempSync(join(tmpdir(), 'hv-main-ws-'));
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(dirname(join(ws, p)), { recursive: true });
    writeFileSync(join(ws, p), t);
  }
  return runMainInProcess(ACTION, main, {
    workspace: ws,
    inputs: { comment: 'false', 'kubernetes-versions': '1.37', lint: 'false', ...inputs },
    env: { PATH: `${dirname(toolBin('helm'))}:${process.env.PATH}` },
  });
}

const broken = {
  'charts/bad/Chart.yaml': 'apiVersion: v2\nname: bad\nversion: 0.1.0\n',
  'charts/bad/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.missing.name }}\n',
};

describe('main() in-process', () => {
  test('render-error=off: outcome clean, the step does not fail, one warning; the same chart otherwise fails through the gate', async () => {
    const off = await runMain(broken, { 'severity-overrides': 'render-error=off' });
    expect(off.outputs).toMatchObject({ outcome: 'clean', 'findings-count': '0', 'charts-count': '1' });
    expect(off.failed).toBe(false);
    expect(
      off.log.annotations
        .filter((a) => a.level === 'warning')
        .map((a) => a.message)
        .join('\n'),
    ).toContain('did not render and were not validated (render-error is off)');

    const on = await runMain(broken, {});
    expect(on.outputs).toMatchObject({ outcome: 'policy-failure', 'critical-count': '1' });
    expect(on.failed).toBe(true);
    expect(on.failure).toContain('helm-validate: 1 finding at or above "high"');
  });
});
