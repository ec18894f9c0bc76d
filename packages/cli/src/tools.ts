// The tools a stage needs on a laptop: the one on PATH (`system`), else the release the action pins,
// installed by the action's own installer (the kit's: same pin, SHA-256 checked, cached in the user's
// cache folder). Before a stage downloads, one quick look whether the download host answers: offline, the
// stage fails at once with one line saying which tool to put on PATH, instead of after the installer's retries.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { onPath } from './local.js';
import type { ToolRule } from './rules.js';

/** The user's cache folder for tool downloads: $XDG_CACHE_HOME or ~/.cache, then platform-actions/tool-cache. */
export function userToolCache(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'platform-actions', 'tool-cache');
}

/** Whether @actions/tool-cache already holds this release (its layout: <tool>/<version>/<arch> and a `.complete` marker). */
export function cached(toolCache: string, tool: string, version: string): boolean {
  return existsSync(join(toolCache, tool, version.replace(/^v/, ''), `${process.arch}.complete`));
}

type ToolPlan = { input: string; value: string; download?: { bin: string; version: string; host: string } };

/**
 * The release input for a stage: `system` when the tool is on PATH; else the workflow's release (`wanted`),
 * or the pinned one when the workflow says `system` or nothing; `download` when it is not in the cache yet.
 */
export function planTool(rule: ToolRule, pinned: string, wanted: string | undefined, toolCache: string, mirror?: string): ToolPlan {
  if (onPath(rule.bin)) return { input: rule.input, value: 'system' };
  const version = wanted && wanted !== 'system' ? wanted : pinned;
  const host = mirror || rule.host;
  return { input: rule.input, value: version, ...(cached(toolCache, rule.bin, version) ? {} : { download: { bin: rule.bin, version, host } }) };
}

const answers = new Map<string, Promise<boolean>>();

/** Whether `url` answers at all (any HTTP status), within a few seconds; asked once per host and run. */
export function reachable(url: string, timeoutMs = 5000): Promise<boolean> {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return Promise.resolve(false);
  }
  let p = answers.get(origin);
  if (!p) {
    p = fetch(origin, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) }).then(
      async (r) => {
        await r.body?.cancel();
        return true;
      },
      () => false,
    );
    answers.set(origin, p);
  }
  return p;
}

/** The one line for a tool that is neither on PATH nor downloadable. */
export function offlineLine(rule: ToolRule, version: string, host: string, toolCache: string): string {
  const name = (() => {
    try {
      return new URL(host).host;
    } catch {
      return host;
    }
  })();
  return `${rule.bin} is not on PATH and ${name} cannot be reached to download ${rule.bin} ${version}: put ${rule.bin} (${rule.min} or newer) on PATH, or run once with network (it is then cached in ${toolCache})`;
}
