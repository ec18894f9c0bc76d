// The command line as parseArgs reads it: every command, every flag in both spellings (`--flag value`,
// `--flag=value`), and every mistake as the one UsageError line it gives.
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Args, parseArgs } from '../src/args.js';
import { ourActions } from '../src/assets.js';
import { UsageError } from '../src/workflows.js';

const tmp = mkdtempSync(join(tmpdir(), 'pa-args-'));
const folder = join(tmp, 'repo');
mkdirSync(folder);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const defaults: Args = { command: 'usage', only: [], skip: [], inputs: {}, changed: false, postgres: false, redis: false, runSteps: false, list: false, timeoutMs: 600_000 };
const action = ourActions()[0];

describe('parseArgs: commands', () => {
  it.each<[string[], Partial<Args>]>([
    [[], {}],
    [['help'], { command: 'help' }],
    [['--help'], { command: 'help' }],
    [['-h'], { command: 'help' }],
    [['--version'], { command: 'version' }],
    [['-V'], { command: 'version' }],
    [['version'], { command: 'version' }],
    [['check'], { command: 'check' }],
    [['check', '--help'], { command: 'help' }],
    [['check', '--only', 'a', '-h', '--bogus'], { command: 'help', only: ['a'] }],
    [['run', action], { command: 'run', action }],
    [['pre-push'], { command: 'pre-push' }],
    // git runs the hook as `pre-push <remote name> <remote url>`: the name is kept, the URL read past.
    [['pre-push', 'origin', 'git@example.com:o/r.git'], { command: 'pre-push', remote: 'origin' }],
    [['pre-push', 'origin', 'https://example.com/o/r.git', '--timeout', '5'], { command: 'pre-push', remote: 'origin', timeoutMs: 5000 }],
  ])('%j', (argv, want) => {
    expect(parseArgs(argv)).toEqual({ ...defaults, ...want });
  });
});

describe('parseArgs: flags', () => {
  it.each<[string[], Partial<Args>]>([
    [['--repo', folder], { repo: folder }],
    [[`--repo=${folder}`], { repo: folder }],
    [['--only', 'a, b,,', '--only=c'], { only: ['a', 'b', 'c'] }],
    [['--skip', 'x', '--skip=y,z'], { skip: ['x', 'y', 'z'] }],
    [['--input', 'gitleaks-scan.config=gl.toml', '--input=trivy-scan.severity=a=b'], { inputs: { 'gitleaks-scan.config': 'gl.toml', 'trivy-scan.severity': 'a=b' } }],
    [['--input', 'a.b='], { inputs: { 'a.b': '' } }],
    [['--database-url', 'postgres://u@h/db'], { databaseUrl: 'postgres://u@h/db' }],
    [['--database-url=postgresql+psycopg://h/db'], { databaseUrl: 'postgresql+psycopg://h/db' }],
    [['--event', 'pull_request', '--payload', 'p.json'], { event: 'pull_request', payload: 'p.json' }],
    [['--payload=--odd'], { payload: '--odd' }],
    [['--json', join(tmp, 'r.json')], { json: join(tmp, 'r.json') }],
    [['--timeout', '1.5'], { timeoutMs: 1500 }],
    [['--changed', '--postgres', '--list'], { changed: true, postgres: true, list: true }],
    [['--run-steps', '--redis'], { runSteps: true, redis: true }],
  ])('check %j', (flags, want) => {
    expect(parseArgs(['check', ...flags])).toEqual({ ...defaults, command: 'check', ...want });
  });

  it.each<[string[], Partial<Args>]>([
    [['--input', 'config=gl.toml'], { inputs: { config: 'gl.toml' } }],
    [['--postgres', '--event', 'push', '--timeout=2'], { postgres: true, event: 'push', timeoutMs: 2000 }],
  ])(`run ${action} %j`, (flags, want) => {
    expect(parseArgs(['run', action, ...flags])).toEqual({ ...defaults, command: 'run', action, ...want });
  });

  it('pre-push takes --repo, --only, --skip, --input, --postgres and --json', () => {
    expect(parseArgs(['pre-push', '--repo', folder, '--only', 'a', '--skip', 'b', '--input', 'a.x=1', '--postgres', '--json', join(tmp, 'r.json')])).toEqual({
      ...defaults,
      command: 'pre-push',
      repo: folder,
      only: ['a'],
      skip: ['b'],
      inputs: { 'a.x': '1' },
      postgres: true,
      json: join(tmp, 'r.json'),
    });
  });
});

describe('parseArgs: mistakes', () => {
  const actions = ourActions().join(', ');
  it.each<[string[], string]>([
    [['lint'], 'unknown command "lint" (expected check, run or pre-push; see platform-actions --help)'],
    [['check', '--repo'], '--repo needs a value'],
    [['check', '--only', '--list'], '--only needs a value'],
    [['check', '--skip', '--json'], '--skip needs a value'],
    [['check', '--bogus'], 'unknown option --bogus for check (see platform-actions --help)'],
    // `=` is split off only a flag that takes a value: the whole argument is the flag.
    [['check', '--changed=yes'], 'unknown option --changed=yes for check (see platform-actions --help)'],
    [['check', 'stray'], 'unexpected argument "stray" for check (see platform-actions --help)'],
    [['check', 'constructor'], 'unexpected argument "constructor" for check (see platform-actions --help)'],
    [['run', action, 'second'], 'unexpected argument "second" for run (see platform-actions --help)'],
    [['pre-push', 'origin', 'url', 'third'], 'unexpected argument "third" for pre-push (see platform-actions --help)'],
    [['pre-push', '--postgres', 'origin'], 'unexpected argument "origin" for pre-push (see platform-actions --help)'],
    [['pre-push', '-x'], 'unknown option -x for pre-push (see platform-actions --help)'],
    [['check', '--repo', join(tmp, 'nope')], `--repo: ${join(tmp, 'nope')} is not a directory`],
    [['check', '--only', ' , '], '--only needs a stage name'],
    [['check', '--skip='], '--skip needs a stage name'],
    [['check', '--input', 'novalue'], '--input expects <stage>.<name>=value; got "novalue"'],
    [['check', '--input', '=v'], '--input expects <stage>.<name>=value; got "=v"'],
    [['check', '--input', 'config=x'], '--input expects <stage>.<name>=value; got "config=x" (which stage? e.g. gitleaks-scan.config=…)'],
    [['check', '--input', '.config=x'], '--input expects <stage>.<name>=value; got ".config=x" (which stage? e.g. gitleaks-scan..config=…)'],
    [['run', action, '--input', 'x'], '--input expects <name>=value; got "x"'],
    [['check', '--database-url', 'mysql://u:hunter2@h/db'], '--database-url expects a postgres:// or postgresql:// URL; got "mysql://***@h/db"'],
    [['check', '--event', 'Push'], '--event expects an event name such as push or pull_request; got "Push"'],
    [['check', '--json', tmp], `--json: ${tmp} is a directory; expected a file path`],
    [['check', '--json', join(tmp, 'no', 'r.json')], `--json: the folder ${join(tmp, 'no')} does not exist; create it or write the report elsewhere`],
    [['check', '--timeout', '0'], '--timeout expects a number of seconds greater than 0; got "0"'],
    [['check', '--timeout=soon'], '--timeout expects a number of seconds greater than 0; got "soon"'],
    [['run'], `run needs an action name (one of: ${actions})`],
    [['run', '--postgres'], `run needs an action name (one of: ${actions})`],
    [['run', 'nope'], `run: unknown action "nope" (one of: ${actions})`],
    [['check', '--database-url', 'postgres://h/db', '--postgres'], '--database-url and --postgres: give one of them, not both'],
    [['run', action, '--only', 'a'], '--only, --skip, --changed, --list, --run-steps and --redis are options of check, not run'],
    [['run', action, '--skip', 'a'], '--only, --skip, --changed, --list, --run-steps and --redis are options of check, not run'],
    [['run', action, '--changed'], '--only, --skip, --changed, --list, --run-steps and --redis are options of check, not run'],
    [['run', action, '--list'], '--only, --skip, --changed, --list, --run-steps and --redis are options of check, not run'],
    [['run', action, '--run-steps'], '--only, --skip, --changed, --list, --run-steps and --redis are options of check, not run'],
    [['run', action, '--redis'], '--only, --skip, --changed, --list, --run-steps and --redis are options of check, not run'],
    [['pre-push', '--run-steps'], '--run-steps and --redis are options of check, not pre-push (a hook runs only the checks of ours)'],
    [['pre-push', '--redis'], '--run-steps and --redis are options of check, not pre-push (a hook runs only the checks of ours)'],
    [['check', '--redis'], "--redis starts Redis for the jobs' redis services, which only --run-steps runs: add --run-steps"],
    [['pre-push', '--changed'], '--changed, --list, --event and --payload are options of check, not pre-push (it checks what the push sends)'],
    [['pre-push', '--list'], '--changed, --list, --event and --payload are options of check, not pre-push (it checks what the push sends)'],
    [['pre-push', '--event', 'push'], '--changed, --list, --event and --payload are options of check, not pre-push (it checks what the push sends)'],
    [['pre-push', '--payload', 'p.json'], '--changed, --list, --event and --payload are options of check, not pre-push (it checks what the push sends)'],
  ])('%j', (argv, message) => {
    let error: unknown;
    try {
      parseArgs(argv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(message);
  });
});
