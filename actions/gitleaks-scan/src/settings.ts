// Every input, validated before any work starts; each error names the input and what was expected.
import { checkPath, type FailOn, InputError, inputs } from '@platform-actions/kit';
import { readFileSync } from 'node:fs';
import { parseBaseline } from './findings.js';
import { DEFAULT_VERSION, MIN_VERSION } from './install.js';
import { type Mode, MODES } from './scope.js';

/** Field names are the action.yml input names, so a grep for an input finds where it is used. */
export interface Settings {
  mode: Mode;
  /** A release number such as 8.30.1, or "system". */
  version: string;
  mirror?: string;
  /** The folder to scan (absolute). */
  path: string;
  config?: string;
  /** From `baseline-path`: the file and the finding ids it accepts. */
  'baseline-path'?: { path: string; ids: Set<string> };
  'fail-on': FailOn;
  'deepen-limit': number;
  comment: boolean;
  token?: string;
  'sarif-file': string;
  'report-file': string;
  /** In milliseconds. */
  timeout: number;
  /** What a change to the scan's own settings files in the scanned commits does. */
  'config-change': ConfigChangeMode;
}

const CONFIG_CHANGE_MODES = ['warn', 'fail'] as const;
type ConfigChangeMode = (typeof CONFIG_CHANGE_MODES)[number];

/**
 * A file input that may live in the workspace or in RUNNER_TEMP (a config or baseline an earlier step
 * wrote). The kit compares real paths, so a committed symlink cannot point it anywhere else.
 */
export function settingsFile(name: string, value: string | undefined): string | undefined {
  return value ? checkPath(name, value, { mustExist: 'file', allowRunnerTemp: true }) : undefined;
}

/** `version` (read by the kit's reader): a gitleaks release no older than the flags we rely on, or system. */
export const parseVersion = (v: string): string => inputs.releaseVersion('version', v, { tool: 'gitleaks', example: '8.30.1', min: MIN_VERSION });

export function readSettings(): Settings {
  const mode = inputs.oneOf('mode', MODES, { default: 'auto' });
  const version = parseVersion(inputs.toolVersion('version', DEFAULT_VERSION));
  const mirror = inputs.mirror();
  const path = inputs.path('path', { default: '.', mustExist: 'dir' })!;
  const config = settingsFile('config', inputs.string('config'));
  const baselinePath = settingsFile('baseline-path', inputs.string('baseline-path'));
  const baseline = baselinePath ? { path: baselinePath, ids: parseBaseline(readFileSync(baselinePath, 'utf8')) } : undefined;
  const failOn = inputs.failOn('info');
  const deepenLimit = inputs.integer('deepen-limit', { default: 1000, min: 0, max: 1_000_000 });
  const { enabled: comment, token } = inputs.comment();
  const sarifFile = inputs.outputFile('sarif-file', 'gitleaks-scan.sarif');
  const reportFile = inputs.outputFile('report-file', 'gitleaks-report.json');
  if (sarifFile === reportFile) throw new InputError('report-file', 'must differ from sarif-file', reportFile);
  const timeoutMs = inputs.duration('timeout', { default: '15m', minMs: 10_000 });
  const configChange = inputs.oneOf('config-change', CONFIG_CHANGE_MODES, { default: 'warn' });
  return {
    mode,
    version,
    mirror,
    path,
    config,
    'baseline-path': baseline,
    'fail-on': failOn,
    'deepen-limit': deepenLimit,
    comment,
    token,
    'sarif-file': sarifFile,
    'report-file': reportFile,
    timeout: timeoutMs,
    'config-change': configChange,
  };
}
