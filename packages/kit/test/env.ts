// Test seam without mocks (as docker/actions-toolkit does): inputs through INPUT_* variables, and
// GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_STATE pointed at temp files that the test reads back.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFileCommands } from '../../../test/runner/workflow-commands.js';

export interface ActionEnv {
  dir: string;
  outputs(): Record<string, string>;
  summary(): string;
  restore(): void;
}

const inputKey = (name: string) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

/** Sets inputs and runner files for one test; call restore() in afterEach. */
export function actionEnv(inputs: Record<string, string> = {}, extra: Record<string, string> = {}): ActionEnv {
  const saved = { ...process.env };
  const dir = mkdtempSync(join(tmpdir(), 'kit-test-'));
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_') || k.startsWith('STATE_')) delete process.env[k];
  for (const f of ['output', 'summary', 'state', 'env']) writeFileSync(join(dir, f), '');
  Object.assign(process.env, {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_WORKSPACE: dir,
    RUNNER_TEMP: dir,
    ...extra,
  });
  for (const [k, v] of Object.entries(inputs)) process.env[inputKey(k)] = v;
  return {
    dir,
    outputs: () => parseFileCommands(readFileSync(join(dir, 'output'), 'utf8')),
    summary: () => readFileSync(join(dir, 'summary'), 'utf8'),
    restore: () => {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    },
  };
}

/** Captures what is written to stdout (workflow commands) while `fn` runs. */
export async function captureStdout(fn: () => Promise<void> | void): Promise<string> {
  const orig = process.stdout.write.bind(process.stdout);
  let buf = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    buf += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = orig;
  }
  return buf;
}
