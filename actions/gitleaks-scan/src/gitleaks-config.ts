// Which gitleaks config applies, decided once and logged, so nobody has to guess which rules ran.
// Order: the `config` input, gitleaks' own environment variables (kept for people moving from
// gitleaks-action), `.gitleaks.toml` or `gitleaks.toml` at the repository root, gitleaks' defaults.
import { UserError } from '@platform-actions/kit';
import { isAbsolute, relative } from 'node:path';
import { inlineCode } from './md.js';

type ConfigOrigin = 'input' | 'env-path' | 'env-toml' | 'repository' | 'default';

export interface ConfigChoice {
  origin: ConfigOrigin;
  /** Passed as --config; undefined for the default rules and for GITLEAKS_CONFIG_TOML. */
  path?: string;
  /** Markdown for the summary, e.g. "`.gitleaks.toml` (repository)"; strip the backticks for the log. */
  label: string;
}

export const REPO_CONFIG_NAMES = ['.gitleaks.toml', 'gitleaks.toml'] as const;

export interface ConfigFacts {
  /** Absolute path from the `config` input (already checked to exist). */
  input?: string;
  env: { GITLEAKS_CONFIG?: string; GITLEAKS_CONFIG_TOML?: string };
  /** Repository root, to show paths relative to it. */
  root: string;
  /** In dir mode, the folder scanned, relative to the root ("." for the root): gitleaks reads its .gitleaks.toml too. */
  folder?: string;
  /** Whether a file exists (absolute path). */
  exists: (path: string) => boolean;
  resolvePath: (p: string) => string;
}

export function chooseConfig(f: ConfigFacts): ConfigChoice {
  // Inside the repository: relative to it. Elsewhere (RUNNER_TEMP): the absolute path.
  const rel = (p: string): string => {
    const r = relative(f.root, p);
    return r && !r.startsWith('..') && !isAbsolute(r) ? r : p;
  };
  if (f.input) return { origin: 'input', path: f.input, label: `${inlineCode(rel(f.input))} (the config input)` };
  if (f.env.GITLEAKS_CONFIG) {
    const p = f.resolvePath(f.env.GITLEAKS_CONFIG);
    if (!f.exists(p)) throw new UserError(`GITLEAKS_CONFIG names ${f.env.GITLEAKS_CONFIG}, which does not exist; fix the variable or set the config input`);
    return { origin: 'env-path', path: p, label: `${inlineCode(rel(p))} (GITLEAKS_CONFIG)` };
  }
  if (f.env.GITLEAKS_CONFIG_TOML) return { origin: 'env-toml', label: 'the TOML in GITLEAKS_CONFIG_TOML' };
  for (const name of REPO_CONFIG_NAMES) {
    const p = `${f.root}/${name}`;
    if (f.exists(p)) return { origin: 'repository', path: p, label: `${inlineCode(name)} (repository)` };
  }
  // With no --config, gitleaks reads <folder it scans>/.gitleaks.toml itself: say so rather than "defaults".
  if (f.folder && f.folder !== '.') {
    const p = `${f.root}/${f.folder}/.gitleaks.toml`;
    if (f.exists(p)) return { origin: 'repository', path: p, label: `${inlineCode(`${f.folder}/.gitleaks.toml`)} (the scanned folder)` };
  }
  return { origin: 'default', label: "gitleaks' default rules" };
}
