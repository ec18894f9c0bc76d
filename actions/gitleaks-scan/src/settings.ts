// Every input, validated before any work starts; each error names the input and what was expected.
import { checkPath, compareVersions, type FailOn, InputError, inputs, parseFailOn, reportPath, workspace } from '@platform-actions/kit';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { parseBaseline } from './findings.js';
import { DEFAULT_VERSION, MIN_VERSION } from './install.js';
import { type Mode, MODES } from './scope.js';

export interface Settings {
  mode: Mode;
  /** A release number such as 8.30.1, or "system". */
  version: string;
  mirror?: string;
  /** The folder to scan (absolute). */
  path: string;
  config?: string;
  baseline?: { path: string; ids: Set<string> };
  failOn: FailOn;
  deepenLimit: number;
  comment: boolean;
  token?: string;
  sarifFile: string;
  reportFile: string;
  timeoutMs: number;
  /** What a change to the scan's own settings files in the scanned commits does. */
  configChange: ConfigChangeMode;
}

export const CONFIG_CHANGE_MODES = ['warn', 'fail'] as const;
export type ConfigChangeMode = (typeof CONFIG_CHANGE_MODES)[number];

const inside = (dir: string, p: string): boolean => {
  const r = relative(dir, p);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

/**
 * A file input that may live in the workspace or in RUNNER_TEMP (a config or baseline written by an
 * earlier step). Compared by real path, so a committed symlink cannot point it anywhere else.
 */
export function settingsFile(name: string, value: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!value) return undefined;
  const ws = workspace();
  const abs = resolve(ws, value);
  const where = env.RUNNER_TEMP ? 'the workspace or RUNNER_TEMP' : 'the workspace';
  if (!existsSync(abs)) throw new InputError(name, `must name an existing file in ${where}`, value);
  const real = realpathSync(abs);
  const roots = [ws, ...(env.RUNNER_TEMP ? [env.RUNNER_TEMP] : [])].filter((d) => existsSync(d)).map((d) => realpathSync(d));
  if (!roots.some((d) => inside(d, real))) throw new InputError(name, `must name a file in ${where}`, value);
  if (!statSync(real).isFile()) throw new InputError(name, 'must name a file', value);
  return real;
}

export function parseVersion(value: string): string {
  if (value === 'system') return value;
  const m = /^v?(\d+\.\d+\.\d+)$/.exec(value);
  if (!m) throw new InputError('version', 'must be a gitleaks release such as 8.30.1, or system', value);
  if (compareVersions(m[1], MIN_VERSION) < 0) throw new InputError('version', `must be ${MIN_VERSION} or newer`, value);
  return m[1];
}

export function parseMirror(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new InputError('mirror', 'must be an http(s) URL laid out like the release download host', value);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new InputError('mirror', 'must be an http(s) URL', value);
  return value;
}

export function readSettings(): Settings {
  const mode = inputs.oneOf('mode', MODES, { default: 'auto' });
  const version = parseVersion(inputs.string('version', { default: DEFAULT_VERSION })!);
  const mirror = parseMirror(inputs.string('mirror'));
  const path = inputs.path('path', { default: '.', mustExist: 'dir' })!;
  const config = settingsFile('config', inputs.string('config'));
  const baselinePath = settingsFile('baseline-path', inputs.string('baseline-path'));
  const baseline = baselinePath ? { path: baselinePath, ids: parseBaseline(readFileSync(baselinePath, 'utf8')) } : undefined;
  const failOn = parseFailOn('fail-on', inputs.string('fail-on', { default: 'info' })!);
  const deepenLimit = inputs.integer('deepen-limit', { default: 1000, min: 0, max: 1_000_000 });
  const comment = inputs.boolean('comment', { default: true });
  const token = inputs.secret('token');
  const out = (name: string, fallback: string): string => {
    const v = inputs.string(name);
    return v ? checkPath(name, resolve(workspace(), v), { allowOutsideWorkspace: true }) : reportPath(fallback);
  };
  const sarifFile = out('sarif-file', 'gitleaks-scan.sarif');
  const reportFile = out('report-file', 'gitleaks-report.json');
  if (sarifFile === reportFile) throw new InputError('report-file', 'must differ from sarif-file', reportFile);
  const timeoutMs = inputs.duration('timeout', { default: '15m', minMs: 10_000 });
  const configChange = inputs.oneOf('config-change', CONFIG_CHANGE_MODES, { default: 'warn' });
  return { mode, version, mirror, path, config, baseline, failOn, deepenLimit, comment, token, sarifFile, reportFile, timeoutMs, configChange };
}
