// Every input, validated before any work starts; each error names the input and what was expected.
import { checkPath, compareVersions, type FailOn, InputError, inputs, parseFailOn, reportPath, workspace } from '@platform-actions/kit';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
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
  const config = inputs.path('config', { mustExist: 'file' });
  const baselinePath = inputs.path('baseline-path', { mustExist: 'file' });
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
  return { mode, version, mirror, path, config, baseline, failOn, deepenLimit, comment, token, sarifFile, reportFile, timeoutMs };
}
