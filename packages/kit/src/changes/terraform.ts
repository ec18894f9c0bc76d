// Terraform as change detection needs it: every folder with .tf / .tf.json files, the local modules each
// one calls (`source = "./x"` or `"../x"`), and which of them are roots. A folder another folder calls
// as a module is a module; every other Terraform folder is a root (a `paths` filter can narrow that,
// e.g. to live/**, when a module also keeps runnable examples).
import { posix } from 'node:path';
import { moduleSources, moduleSourcesJson } from './hcl-modules.js';
import type { RepoSnapshot } from './snapshot.js';

export interface TfDir {
  /** Repository-relative folder ('.' for the root of the repository). */
  dir: string;
  tfFiles: string[];
  /** Folders of the local modules it calls (repository-relative; a folder may be missing). */
  modules: string[];
}

export interface TerraformRepo {
  dirs: Map<string, TfDir>;
  /** Folders no other folder calls as a module. */
  roots: string[];
}

const SKIP = /(^|\/)\.(terraform|terragrunt-cache)\//;

/** The folder a local module source points at, from the calling folder; undefined for registry, git and other remote sources, or a path that leaves the repository. */
export function localModuleDir(dir: string, source: string): string | undefined {
  if (!source.startsWith('./') && !source.startsWith('../') && source !== '.' && source !== '..') return undefined;
  const target = posix.normalize(posix.join(dir, source)).replace(/\/+$/, '') || '.';
  if (target === '..' || target.startsWith('../') || posix.isAbsolute(target)) return undefined;
  return target;
}

export function discoverTerraform(snap: RepoSnapshot): TerraformRepo {
  const dirs = new Map<string, TfDir>();
  for (const f of snap.files) {
    if (!(f.endsWith('.tf') || f.endsWith('.tf.json')) || SKIP.test(f)) continue;
    const dir = posix.dirname(f);
    const d = dirs.get(dir) ?? { dir, tfFiles: [], modules: [] };
    dirs.set(dir, d);
    d.tfFiles.push(f);
    const text = snap.read(f);
    if (!text) continue;
    for (const src of f.endsWith('.json') ? moduleSourcesJson(text) : moduleSources(text)) {
      const m = localModuleDir(dir, src);
      if (m !== undefined && m !== dir && !d.modules.includes(m)) d.modules.push(m);
    }
  }
  const called = new Set([...dirs.values()].flatMap((d) => d.modules));
  const roots = [...dirs.keys()].filter((d) => !called.has(d)).sort();
  for (const d of dirs.values()) d.modules.sort();
  return { dirs, roots };
}

/** Every module folder `dir` uses, directly or through other modules. */
export function modulesOf(repo: TerraformRepo, dir: string): string[] {
  const seen = new Set<string>();
  const stack = [...(repo.dirs.get(dir)?.modules ?? [])];
  while (stack.length) {
    const m = stack.pop()!;
    if (seen.has(m) || m === dir) continue;
    seen.add(m);
    stack.push(...(repo.dirs.get(m)?.modules ?? []));
  }
  return [...seen].sort();
}
