// A tool already in the tool cache is served without loading @actions/tool-cache, whose HTTP stack
// (undici) cost every run ~140 ms of CPU at start-up. The module is replaced by a tripwire that records
// any load; nothing else is faked: the cache is a real folder laid out the way tool-cache leaves it.
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolRelease } from '@platform-actions/kit';
import { type ActionEnv, actionEnv, captureStdout } from './env.js';

const loads: string[] = [];
jest.unstable_mockModule('@actions/tool-cache', () => {
  loads.push('@actions/tool-cache');
  return { find: () => '', cacheDir: async () => '', extractTar: async () => '', extractZip: async () => '' };
});
const { installRelease } = await import('@platform-actions/kit');

let env: ActionEnv;
let toolCache: string;
beforeAll(() => {
  toolCache = mkdtempSync(join(tmpdir(), 'toolcache-'));
  env = actionEnv({}, { RUNNER_TOOL_CACHE: toolCache });
});
afterAll(() => env.restore());

const release = (version: string): ToolRelease => ({
  tool: 'mytool',
  version,
  baseUrl: 'https://example.invalid/releases/download',
  asset: { path: `v${version}/mytool.tar.gz`, checksumsPath: `v${version}/checksums.txt` },
  binaries: ['mytool'],
});

/** A release the way @actions/tool-cache's cacheDir leaves it: <tool>/<version>/<arch>/ plus <arch>.complete. */
function cached(version: string): string {
  const dir = join(toolCache, 'mytool', version, process.arch);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'mytool'), '#!/bin/sh\n');
  writeFileSync(`${dir}.complete`, '');
  return dir;
}

test('an exact version in the tool cache is used without loading @actions/tool-cache', async () => {
  const dir = cached('2.3.4');
  let out!: Awaited<ReturnType<typeof installRelease>>;
  const log = await captureStdout(async () => {
    out = await installRelease(release('2.3.4'));
  });
  expect(out).toEqual({ dir, bin: { mytool: join(dir, 'mytool') }, version: '2.3.4', source: 'cache' });
  expect(log).toContain(`mytool 2.3.4: using the tool cache (${dir})`);
  expect(loads).toEqual([]);
});

test('a folder without its .complete marker (an interrupted install) is not used', async () => {
  const dir = join(toolCache, 'mytool', '2.3.5', process.arch);
  mkdirSync(dir, { recursive: true });
  // Not in the cache, so the installer goes on to tool-cache and the download (which fails here: no network).
  await expect(captureStdout(() => installRelease(release('2.3.5'), { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }).then(() => undefined))).rejects.toThrow();
  expect(loads).toEqual(['@actions/tool-cache']);
});
