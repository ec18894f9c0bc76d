// `.platform-actions.yml` at the repository root: the flags a repository always needs (an input only
// GitHub can compute, a stage to leave out, --postgres, the fork or mirror it takes our actions from), so that a bare `platform-actions check` — and
// the pre-push hook — run without them. Flags on the command line win over the file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readYaml, YamlError } from '@platform-actions/kit';
import { UsageError } from './workflows.js';

export const CONFIG_FILE = '.platform-actions.yml';

export interface RepoConfig {
  only: string[];
  skip: string[];
  /** "<stage>.<name>" → value */
  inputs: Record<string, string>;
  postgres: boolean;
  /** A throwaway Redis for the jobs' redis services (check --run-steps). */
  redis: boolean;
  /** More owner/repo names whose actions and workflows are ours: a fork, an internal mirror. */
  repositories: string[];
}

const KEYS = ['repository', 'only', 'skip', 'inputs', 'postgres', 'redis'];

/** Reads the repository's config file; every mistake is one line naming the file, the key and what was expected. */
export function readRepoConfig(repo: string): RepoConfig {
  const file = join(repo, CONFIG_FILE);
  const empty: RepoConfig = { only: [], skip: [], inputs: {}, postgres: false, redis: false, repositories: [] };
  if (!existsSync(file)) return empty;
  let doc: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    doc = text.trim() === '' ? {} : readYaml(text, { file: CONFIG_FILE });
  } catch (e) {
    if (e instanceof YamlError && e.kind === 'limit') throw new UsageError(e.message);
    throw new UsageError(`${CONFIG_FILE}: not valid YAML (${(e instanceof YamlError ? e.reason : (e as Error).message).split('\n')[0]})`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${CONFIG_FILE}: expected a mapping with ${KEYS.join(', ')}`);
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!KEYS.includes(k)) throw new UsageError(`${CONFIG_FILE}: unknown key "${k}" (expected ${KEYS.join(', ')})`);
  const list = (k: 'only' | 'skip'): string[] => {
    const v = d[k];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) throw new UsageError(`${CONFIG_FILE}: ${k} must be a list of stage or action names`);
    return v as string[];
  };
  const inputs: Record<string, string> = {};
  if (d.inputs !== undefined && d.inputs !== null) {
    if (typeof d.inputs !== 'object' || Array.isArray(d.inputs)) throw new UsageError(`${CONFIG_FILE}: inputs must map <stage>.<name> to a value`);
    for (const [k, v] of Object.entries(d.inputs as Record<string, unknown>)) {
      if (k.lastIndexOf('.') < 1) throw new UsageError(`${CONFIG_FILE}: inputs: expected <stage>.<name> keys; got "${k}"`);
      if (v !== null && typeof v === 'object') throw new UsageError(`${CONFIG_FILE}: inputs: ${k} must be a string, number or boolean`);
      inputs[k] = v === null ? '' : String(v);
    }
  }
  for (const k of ['postgres', 'redis']) if (d[k] !== undefined && typeof d[k] !== 'boolean') throw new UsageError(`${CONFIG_FILE}: ${k} must be true or false`);
  const repos = d.repository === undefined || d.repository === null ? [] : Array.isArray(d.repository) ? d.repository : [d.repository];
  for (const r of repos) {
    if (typeof r !== 'string' || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(r))
      throw new UsageError(`${CONFIG_FILE}: repository must be owner/repo (or a list of them); got ${JSON.stringify(r)}`);
  }
  return { only: list('only'), skip: list('skip'), inputs, postgres: d.postgres === true, redis: d.redis === true, repositories: repos as string[] };
}
