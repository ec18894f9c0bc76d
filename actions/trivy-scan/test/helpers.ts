// The action's main() in-process (test/helpers/main-in-process.ts), with the harness's real trivy in a tool cache laid out as
// @actions/tool-cache leaves it, and its offline database where the action keeps it.
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type MainRun, runMain as runMainInProcess } from '../../../test/helpers/main-in-process.js';
import { pinnedVersion, toolBin } from '../../../test/harness/tools.js';
import { installTrivyDb } from '../../../test/harness/trivy-db.js';
import { DEFAULT_VERSION } from '../src/install.js';
import { main } from '../src/main.js';
import { ACTION } from '../src/action.js';

/** A tool cache holding the harness trivy where the installer looks for the pinned release. */
export function trivyToolCache(root: string): string {
  if (pinnedVersion('trivy').replace(/^v/, '') !== DEFAULT_VERSION) throw new Error('test: the harness trivy is not the action default version');
  const dir = join(root, 'trivy', DEFAULT_VERSION, process.arch);
  if (!existsSync(join(dir, 'trivy'))) {
    mkdirSync(dir, { recursive: true });
    // A hard link where the file system allows it: the binary is 160 MB and tests make many tool caches.
    try {
      linkSync(toolBin('trivy'), join(dir, 'trivy'));
    } catch {
      copyFileSync(toolBin('trivy'), join(dir, 'trivy'));
    }
    writeFileSync(`${dir}.complete`, '');
  }
  return root;
}

/** A cache dir with the harness DB installed (what a warm runner has). */
export async function warmCacheDir(dir: string): Promise<string> {
  await installTrivyDb(dir);
  return dir;
}

export interface TrivyRun extends MainRun {
  sarif?: { runs: Array<Record<string, any>> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Runs main() once with these inputs in `workspace` (test/helpers/main-in-process.ts), with the SARIF it wrote. */
export async function runMain(workspace: string, inputs: Record<string, string>, opts: { toolCache: string; env?: Record<string, string> }): Promise<TrivyRun> {
  const all = (dir: string) => ({ comment: 'false', 'sarif-file': join(dir, 'trivy.sarif'), 'report-dir': join(dir, 'reports'), ...inputs });
  const r = await runMainInProcess(ACTION, main, {
    workspace,
    inputs: all,
    env: { GITHUB_REPOSITORY: 'acme/example', RUNNER_TOOL_CACHE: opts.toolCache, ...opts.env },
    clear: ['TRIVY_', 'ACTIONS_'],
  });
  const sarifPath = all(r.dir)['sarif-file'];
  return { ...r, sarif: existsSync(sarifPath) ? JSON.parse(readFileSync(sarifPath, 'utf8')) : undefined };
}

/** Writes files (creating folders) under `root`. */
export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), body);
  }
}
