// Every input, validated before any work starts; each error names the input and what was expected.
// Field names equal the action.yml input names.
import { addSecret, checkPath, InputError, inputs } from '@platform-actions/kit';
import { COVERAGE_METRICS, type CoverageMetric } from './coverage/model.js';

export interface Settings {
  junit: string[];
  coverage: string[];
  'base-report'?: string;
  'min-coverage'?: number;
  'min-pass-rate': number;
  'fail-on-decrease': boolean;
  'coverage-metric': CoverageMetric;
  name?: string;
  slowest: number;
  /** Values to redact from everything shown, on top of the credential shapes the kit knows. */
  redact: string[];
  comment: boolean;
  token?: string;
  'report-file': string;
}

/** A percentage: 80, 92.5 or 80%; from 0 to 100. */
function percentInput(name: string, value: string): number {
  const m = /^(\d{1,3}(?:\.\d+)?)\s*%?$/.exec(value.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!(n >= 0 && n <= 100)) throw new InputError(name, 'must be a percentage from 0 to 100, such as 80 or 92.5', value);
  return n;
}

const NAME = /^[\w .:/()+-]{1,64}$/;

export function readSettings(): Settings {
  const junit = inputs.list('junit', { separators: 'newline-or-comma' });
  const coverage = inputs.list('coverage', { separators: 'newline-or-comma' });
  if (!junit.length && !coverage.length) throw new InputError('junit', 'or input "coverage" must name at least one report (for example junit: reports/junit.xml)');
  // Values to redact are secrets: masked in the log the moment they are read, scrubbed from everything.
  const redact = inputs.list('redact', { separators: 'newline' });
  for (const v of redact) addSecret(v);
  const minCoverageText = inputs.string('min-coverage');
  const minCoverage = minCoverageText === undefined ? undefined : percentInput('min-coverage', minCoverageText);
  const failOnDecrease = inputs.boolean('fail-on-decrease', { default: false });
  if (minCoverage !== undefined && !coverage.length) throw new InputError('min-coverage', 'needs the coverage input: name the coverage report to check');
  if (failOnDecrease && !coverage.length) throw new InputError('fail-on-decrease', 'needs the coverage input: name the coverage report to compare');
  const baseText = inputs.string('base-report');
  const name = inputs.string('name');
  if (name !== undefined && !NAME.test(name)) throw new InputError('name', 'must be a short label of letters, digits, spaces and . _ - : / ( ) + (at most 64)', name);
  const { enabled, token } = inputs.comment();
  const reportFile = inputs.outputFile('report-file', name ? `test-report-${name.replace(/[^\w.-]+/g, '-')}.json` : 'test-report.json');
  return {
    junit,
    coverage,
    // Where an earlier step (actions/cache) restored it: the workspace or RUNNER_TEMP. It may be absent.
    'base-report': baseText ? checkPath('base-report', baseText, { allowRunnerTemp: true }) : undefined,
    'min-coverage': minCoverage,
    'min-pass-rate': percentInput('min-pass-rate', inputs.string('min-pass-rate', { default: '100' })!),
    'fail-on-decrease': failOnDecrease,
    'coverage-metric': inputs.oneOf('coverage-metric', COVERAGE_METRICS, { default: 'lines' }),
    name,
    slowest: inputs.integer('slowest', { default: 10, min: 0, max: 100 }),
    redact,
    comment: enabled,
    token,
    'report-file': reportFile,
  };
}
