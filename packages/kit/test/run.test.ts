import { afterEach, expect, test } from '@jest/globals';
import { core, InputError, run, runAction, ToolError } from '@platform-actions/kit';
import { type ActionEnv, actionEnv, captureStdout } from './env.js';

let env: ActionEnv;
afterEach(() => {
  env?.restore();
  process.exitCode = 0;
});

test('a user error is one failure line prefixed with the action name, no stack, outputs kept', async () => {
  env = actionEnv();
  const out = await captureStdout(() =>
    run('helm-validate', async () => {
      core.setOutput('charts-count', '2');
      throw new InputError('fail-on', 'must be one of critical, high', 'hgh');
    }),
  );
  expect(out.trim()).toBe('::error::helm-validate: input "fail-on" must be one of critical, high; got "hgh"');
  expect(process.exitCode).toBe(1);
  expect(env.outputs()['charts-count']).toBe('2');
});

test('a tool error shows the tool output in a group and one failure line', async () => {
  env = actionEnv();
  const out = await captureStdout(() =>
    run('trivy-scan', async () => {
      throw new ToolError('trivy failed with exit code 1: FATAL db error', 'line1\nline2 FATAL db error');
    }),
  );
  // The tool's own words are shown with workflow commands switched off (they are untrusted text).
  expect(out).toMatch(/::group::trivy-scan: tool output\n::stop-commands::(pa-[\w-]+)\nline1\nline2 FATAL db error\n::\1::\n::endgroup::/);
  expect(out).toContain('::error::trivy-scan: trivy failed with exit code 1: FATAL db error');
});

test('an internal error keeps the stack in the debug log only', async () => {
  env = actionEnv();
  const out = await captureStdout(() =>
    run('x', async () => {
      throw new TypeError('cannot read things\nsecond line');
    }),
  );
  const lines = out.trim().split('\n');
  const debug = lines.filter((l) => l.startsWith('::debug::'));
  expect(debug.join('\n')).toContain('TypeError: cannot read things');
  expect(debug.join('\n')).toContain('at ');
  const err = lines.filter((l) => l.startsWith('::error::'));
  expect(err).toEqual(['::error::x: internal error: cannot read things second line (re-run with ACTIONS_STEP_DEBUG=true for the stack; please report it)']);
});

test('runAction runs main, and post only in the post step', async () => {
  env = actionEnv();
  const calls: string[] = [];
  const steps = { name: 'a', main: async () => void calls.push('main'), post: async () => void calls.push('post') };
  await captureStdout(() => runAction(steps));
  expect(calls).toEqual(['main']);
  process.env.STATE_isPost = 'true';
  await captureStdout(() => runAction(steps));
  expect(calls).toEqual(['main', 'post']);
});
