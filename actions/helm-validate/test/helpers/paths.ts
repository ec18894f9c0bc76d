// Where the test fixtures are, and a throw-away workspace holding a copy of some of them.
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const actionDir = fileURLToPath(new URL('../..', import.meta.url));
export const fixtureCharts = join(actionDir, 'test', 'fixtures', 'charts');

/** A new workspace with the named fixture charts under charts/<name>. */
export function workspaceWith(...charts: string[]): string {
  const ws = mkdtempSync(join(tmpdir(), 'hv-ws-'));
  mkdirSync(join(ws, 'charts'));
  for (const c of charts) cpSync(join(fixtureCharts, c), join(ws, 'charts', c), { recursive: true });
  return ws;
}
