// Where the provisioned tools live. Versions come from versions.env so that tests, the demo and
// provision.sh agree on one pin per tool.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export const cacheRoot = (): string => process.env.PA_CACHE || join(homedir(), '.cache', 'platform-actions');

let pins: Map<string, string> | undefined;
export function pinnedVersion(tool: string): string {
  pins ??= new Map(
    readFileSync(join(here, 'versions.env'), 'utf8')
      .split('\n')
      .map((l) => /^([A-Z0-9_]+)_VERSION=(.*)$/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2].replace(/^["']|["']$/g, '')] as [string, string]),
  );
  const key = tool.toUpperCase().replace(/-/g, '_');
  const v = pins.get(key);
  if (!v) throw new Error(`test harness: no ${key}_VERSION pin in test/harness/versions.env`);
  return v;
}

/** Folder of a provisioned tool: $PA_CACHE/tools/<tool>/<version>. */
export function toolDir(tool: string): string {
  return join(cacheRoot(), 'tools', tool, pinnedVersion(tool));
}

/** Executable `bin` of provisioned `tool`; throws a one-line error naming the provision command. */
export function toolBin(tool: string, bin: string = tool): string {
  const p = join(toolDir(tool), 'bin', bin);
  if (!existsSync(p)) {
    throw new Error(`test harness: ${bin} (${tool} ${pinnedVersion(tool)}) is not provisioned; run: bash test/harness/provision.sh ${tool}`);
  }
  return p;
}

export const toolPath = (tool: string): string => toolBin(tool);
