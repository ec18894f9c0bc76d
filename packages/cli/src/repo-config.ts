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
  if (!existsSync(file)) return { only: [], skip: [], inputs: {}, postgres: false, redis: false, repositories: [] };
  // Checked in this order, so a file with several mistakes always names the same one first.
  const d = configMapping(readConfigYaml(file));
  const inputs = inputsOf(d.inputs);
  for (const k of ['postgres', 'redis']) if (d[k] !== undefined && typeof d[k] !== 'boolean') throw new UsageError(`${CONFIG_FILE}: ${k} must be true or false`);
  const repositories = repositoriesOf(d.repository);
  return { only: nameList(d, 'only'), skip: nameList(d, 'skip'), inputs, postgres: d.postgres === true, redis: d.redis === true, repositories };
}

/** The file's YAML (an empty file is an empty mapping); the reader's own line for a file over its limits. */
function readConfigYaml(file: string): unknown {
  try {
    const text = readFileSync(file, 'utf8');
    return text.trim() === '' ? {} : readYaml(text, { file: CONFIG_FILE });
  } catch (e) {
    if (e instanceof YamlError && e.kind === 'limit') throw new UsageError(e.message);
    throw new UsageError(`${CONFIG_FILE}: not valid YAML (${(e instanceof YamlError ? e.reason : (e as Error).message).split('\n')[0]})`);
  }
}

/** A mapping of our keys only. */
function configMapping(doc: unknown): Record<string, unknown> {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${CONFIG_FILE}: expected a mapping with ${KEYS.join(', ')}`);
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!KEYS.includes(k)) throw new UsageError(`${CONFIG_FILE}: unknown key "${k}" (expected ${KEYS.join(', ')})`);
  return d;
}

/** `inputs:` — `<stage>.<name>` to a scalar, kept as the string --input would give (null: empty). */
function inputsOf(value: unknown): Record<string, string> {
  const inputs: Record<string, string> = {};
  if (value === undefined || value === null) return inputs;
  if (typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${CONFIG_FILE}: inputs must map <stage>.<name> to a value`);
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k.lastIndexOf('.') < 1) throw new UsageError(`${CONFIG_FILE}: inputs: expected <stage>.<name> keys; got "${k}"`);
    if (v !== null && typeof v === 'object') throw new UsageError(`${CONFIG_FILE}: inputs: ${k} must be a string, number or boolean`);
    inputs[k] = v === null ? '' : String(v);
  }
  return inputs;
}

/** `repository:` — one owner/repo or a list of them. */
function repositoriesOf(value: unknown): string[] {
  const repos: unknown[] = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
  for (const r of repos) {
    if (typeof r !== 'string' || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(r))
      throw new UsageError(`${CONFIG_FILE}: repository must be owner/repo (or a list of them); got ${JSON.stringify(r)}`);
  }
  return repos as string[];
}

/** `only:` / `skip:` — a list of non-empty stage or action names. */
function nameList(d: Record<string, unknown>, k: 'only' | 'skip'): string[] {
  const v = d[k];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) throw new UsageError(`${CONFIG_FILE}: ${k} must be a list of stage or action names`);
  return v as string[];
}
