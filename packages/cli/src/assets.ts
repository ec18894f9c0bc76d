// What the CLI runs and where it lives. Installed from npm, the package carries its own copy of the
// actions' action.yml files, their bundles (dist/) and our reusable workflows, laid out as in the
// repository (actions/<name>/action.yml points at ../../dist/<name>/index.js), plus build-info.json:
// the version and commit it was packed from. In a checkout of this repository the same things are read
// from the checkout itself (and the commit from git).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The package folder: packages/cli in a checkout (src/ is below it), the installed package otherwise (lib/ is below it). */
const packageRoot = resolve(here, '..');

/** build-info.json, written by `npm pack` (scripts/pack-cli.mjs); absent in a checkout. */
interface BuildInfo {
  version: string;
  /** Full SHA of the commit the package was packed from. */
  commit: string;
  /** The working tree had changes that were not committed when it was packed. */
  dirty: boolean;
}

const packed = existsSync(join(packageRoot, 'build-info.json'));

/** Where actions/, dist/ and the reusable workflows are: the package itself when packed, else the checkout's root. */
export const assetRoot = packed ? packageRoot : resolve(packageRoot, '..', '..');
export const actionsDir = join(assetRoot, 'actions');
/** Our callable workflows: workflows/ in the package, .github/workflows/ in a checkout. */
export const workflowsDir = packed ? join(packageRoot, 'workflows') : join(assetRoot, '.github', 'workflows');

interface PackageJson {
  name: string;
  version: string;
  engines?: { node?: string };
  repository?: string | { url?: string };
}

const packageJson = (): PackageJson => JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as PackageJson;

/** owner/repo from a package.json `repository` (a GitHub URL or `github:owner/repo` / `owner/repo` shorthand). */
export function repositoryOf(repo: PackageJson['repository']): string | undefined {
  const url = typeof repo === 'string' ? repo : repo?.url;
  if (!url) return undefined;
  const m = /^(?:github:)?([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(url) ?? /github\.com[:/]([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/** Our canonical owner/repo, as `uses:` names it (package.json `repository`). */
export const canonicalRepository = (): string => repositoryOf(packageJson().repository) ?? 'acme/platform-actions';

let info: BuildInfo | undefined;
/** Version and commit of what runs: the packed build-info.json, or the checkout's package.json and HEAD. */
export function buildInfo(): BuildInfo {
  if (info) return info;
  if (packed) return (info = JSON.parse(readFileSync(join(packageRoot, 'build-info.json'), 'utf8')) as BuildInfo);
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: assetRoot, stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 })
        .toString()
        .trim();
    } catch {
      return '';
    }
  };
  return (info = { version: packageJson().version, commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no') !== '' });
}

/** `platform-actions --version`: the version and the commit it was built from. */
export function versionLine(): string {
  const b = buildInfo();
  const where = packed ? 'built from commit' : 'checkout at commit';
  return `platform-actions ${b.version} (${where} ${b.commit || 'unknown'}${b.dirty ? ', with uncommitted changes' : ''})`;
}

/** Our action names: the folders under actions/ that have an action.yml. */
export function ourActions(): string[] {
  return existsSync(actionsDir)
    ? readdirSync(actionsDir)
        .filter((d) => existsSync(join(actionsDir, d, 'action.yml')))
        .sort()
    : [];
}

/** Our reusable workflow files (file names), those that can be called (`on: workflow_call`). */
export function ourWorkflows(): string[] {
  return existsSync(workflowsDir)
    ? readdirSync(workflowsDir)
        .filter((f) => /\.ya?ml$/.test(f) && /^\s{2,}workflow_call:/m.test(readFileSync(join(workflowsDir, f), 'utf8')))
        .sort()
    : [];
}
