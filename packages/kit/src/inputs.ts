// Typed inputs. Every reader validates before any work starts and throws InputError naming the input
// and what was expected. Values come from INPUT_* variables, as on the real runner.
import * as core from './core.js';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { InputError } from './errors.js';
import { type FailOn, parseFailOn } from './gate.js';
import { compareVersions } from './install/installer.js';
import { type RepoPathOptions, resolveRepoPath, runnerTemp, workspace } from './repo-files.js';
import { addSecret, addUrlSecret } from './secrets.js';

interface Common {
  required?: boolean;
}

const raw = (name: string): string => core.getInput(name, { trimWhitespace: true });

function missing(name: string): never {
  throw new InputError(name, 'is required and was empty');
}

/** A string; undefined when empty and not required. */
export function string(name: string, opts: Common & { default?: string } = {}): string | undefined {
  const v = raw(name);
  if (v !== '') return v;
  if (opts.required) missing(name);
  return opts.default;
}

/** A secret: masked in every later log line the moment it is read. */
export function secret(name: string, opts: Common = {}): string | undefined {
  const v = core.getInput(name);
  if (v !== '') {
    addSecret(v);
    return v;
  }
  if (opts.required) missing(name);
  return undefined;
}

/** Only true or false (any case). Anything else is an error, not a silent false. */
export function boolean(name: string, opts: { default?: boolean } = {}): boolean {
  const v = raw(name);
  if (v === '') {
    if (opts.default === undefined) missing(name);
    return opts.default;
  }
  const l = v.toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  throw new InputError(name, 'must be true or false', v);
}

/** One of `values`. */
export function oneOf<T extends string>(name: string, values: readonly T[], opts: Common & { default?: T } = {}): T {
  const v = raw(name);
  if (v === '') {
    if (opts.default !== undefined && !opts.required) return opts.default;
    missing(name);
  }
  if ((values as readonly string[]).includes(v)) return v as T;
  throw new InputError(name, `must be one of ${values.join(', ')}`, v);
}

/** A list separated by newlines or commas; blank items and `#` comment lines are dropped. */
export function list(name: string, opts: Common & { separators?: 'newline' | 'newline-or-comma' } = {}): string[] {
  const items = splitList(raw(name), opts.separators);
  if (items.length === 0 && opts.required) missing(name);
  return items;
}

/** A list input's items from its text, as `list` reads them (the CLI reads a stage's `with:` values this way). */
export function splitList(value: string, separators: 'newline' | 'newline-or-comma' = 'newline-or-comma'): string[] {
  return value
    .split(separators === 'newline' ? /\r?\n/ : /\r?\n|,/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));
}

/** A whole number within [min, max]. */
export function integer(name: string, opts: Common & { default?: number; min?: number; max?: number } = {}): number {
  const v = raw(name);
  if (v === '') {
    if (opts.default !== undefined && !opts.required) return opts.default;
    missing(name);
  }
  const range = `${opts.min ?? '-∞'}..${opts.max ?? '∞'}`;
  if (!/^-?\d+$/.test(v)) throw new InputError(name, `must be a whole number in ${range}`, v);
  const n = Number(v);
  if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
    throw new InputError(name, `must be a whole number in ${range}`, v);
  }
  return n;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `90s`, `5m`, `1h30m`, `250ms`; a bare number means seconds. Returns milliseconds, or undefined if malformed. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(t)) !== null) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    consumed = re.lastIndex;
  }
  return consumed === t.length && t.length > 0 ? Math.round(total) : undefined;
}

/** A duration in milliseconds. */
export function duration(name: string, opts: Common & { default?: string; minMs?: number; maxMs?: number } = {}): number {
  let v = raw(name);
  if (v === '') {
    if (opts.default === undefined || opts.required) missing(name);
    v = opts.default;
  }
  const ms = parseDuration(v);
  const expected = 'must be a duration such as 90s, 5m or 1h30m';
  if (ms === undefined) throw new InputError(name, expected, v);
  if (opts.minMs !== undefined && ms < opts.minMs) throw new InputError(name, `must be at least ${opts.minMs / 1000}s`, v);
  if (opts.maxMs !== undefined && ms > opts.maxMs) throw new InputError(name, `must be at most ${opts.maxMs / 1000}s`, v);
  return ms;
}

export interface PathOptions extends Common, Omit<RepoPathOptions, 'input' | 'label'> {
  default?: string;
}

/** Resolves a path against the workspace and checks it. Returns an absolute path, or undefined when empty. */
export function path(name: string, opts: PathOptions = {}): string | undefined {
  const v = raw(name) || opts.default;
  if (!v) {
    if (opts.required) missing(name);
    return undefined;
  }
  return checkPath(name, v, opts);
}

/**
 * The checks of `path()` for a value that came from somewhere else (a list item, a default): the kit's
 * one repository-path check (`resolveRepoPath`), with errors naming the input.
 */
export function checkPath(name: string, value: string, opts: PathOptions = {}): string {
  return resolveRepoPath(value, { ...opts, input: name });
}

// ---- Standard inputs: read one way in every action, with the same names in action.yml and in code. ----

/** `fail-on`: the lowest severity that fails the step, or none. */
export function failOn(defaultValue: FailOn): FailOn {
  return parseFailOn('fail-on', string('fail-on', { default: defaultValue })!);
}

/**
 * A file the action writes (`sarif-file`, `report-file`, …): empty → RUNNER_TEMP/<defaultFileName>;
 * relative → against the workspace; inside the workspace or RUNNER_TEMP; never a directory. Checked
 * before any work, so a bad path is a configuration error, not a failure after a long scan.
 */
export function outputFile(name: string, defaultFileName: string): string {
  const v = raw(name);
  if (!v) return join(runnerTemp(), defaultFileName);
  const abs = checkPath(name, v, { allowRunnerTemp: true });
  if (v.endsWith('/') || (existsSync(abs) && statSync(abs).isDirectory())) throw new InputError(name, 'must be a file path, not a directory', v);
  let dir = dirname(abs);
  while (!existsSync(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) throw new InputError(name, `must be a path whose parent is a directory (${relative(workspace(), dir) || dir} is a file)`, v);
  return abs;
}

/** `comment` and `token`: whether to post the sticky PR comment, and the token to post it with (masked). */
export function comment(): { enabled: boolean; token?: string } {
  const enabled = boolean('comment', { default: true });
  const token = secret('token');
  return { enabled, token };
}

const VERSION_RE = /^v?\d+(?:\.\d+){0,3}(?:[-+][0-9A-Za-z.-]+)?$/;

/** A tool version input (`version`, `helm-version`, …): `system` (use PATH) or a release number such as 8.30.1. */
export function toolVersion(name: string, defaultVersion: string): 'system' | string {
  const v = string(name, { default: defaultVersion })!;
  if (v === 'system' || VERSION_RE.test(v)) return v;
  throw new InputError(name, 'must be a release number such as 1.2.3, or system to use the tool on PATH', v);
}

export interface ReleaseRule {
  /** The tool's name and a release to show in the message, e.g. gitleaks, 8.30.1. */
  tool: string;
  example: string;
  /** Oldest release the action's flags work with. */
  min?: string;
  /** Releases never to install, with the reason (e.g. a compromised build). */
  refused?: Record<string, string>;
}

/** A tool release input already read (e.g. by `toolVersion`): `system`, or x.y.z (a leading v dropped) within `rule`. */
export function releaseVersion(name: string, value: string, rule: ReleaseRule): string {
  if (value === 'system') return value;
  const m = /^v?(\d+\.\d+\.\d+)$/.exec(value);
  if (!m) throw new InputError(name, `must be a ${rule.tool} release such as ${rule.example}, or system`, value);
  if (rule.min && compareVersions(m[1], rule.min) < 0) throw new InputError(name, `must be ${rule.min} or newer`, value);
  const why = rule.refused?.[m[1]];
  if (why) throw new InputError(name, `must not be ${m[1]}: ${why}`, value);
  return m[1];
}

/** `mirror`: a base URL to download tool releases from (GHES, air-gapped), or undefined for the official host. */
export function mirror(name = 'mirror'): string | undefined {
  const v = string(name);
  if (!v) return undefined;
  addUrlSecret(v); // credentials in it (any reading of them) are masked before anything can print them
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InputError(name, 'must be an http(s) URL such as https://mirror.example.com/releases', v);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new InputError(name, 'must be an http(s) URL such as https://mirror.example.com/releases', v);
  if (u.username || u.password) {
    throw new InputError(name, 'must not carry credentials in the URL (serve the mirror without them, or inside the network)');
  }
  return v.replace(/\/+$/, '');
}
