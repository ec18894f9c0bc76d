// The gitleaks argument array, and what its runs mean, checked against the real gitleaks: it exits 0 with
// an empty report when git fails, and a bad regex in a config makes it panic with exit code 2.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { exec, InputError, ToolError, UserError } from '@platform-actions/kit';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolBin } from '../../../test/harness/tools.js';
import type { ConfigChoice } from '../src/gitleaks-config.js';
import { gitleaksArgs, LEAKS_EXIT, parseLog, runGitleaks, runProblem } from '../src/gitleaks.js';
import { parseReport } from '../src/findings.js';
import { awsIni, awsKey, Repo } from './helpers.js';

jest.setTimeout(120_000);
const gitleaks = toolBin('gitleaks');
let tmp: string;
let repo: Repo;
let key: string;
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gitleaks-run-'));
  repo = await Repo.init(join(tmp, 'repo'));
  await repo.commit('readme', { 'README.md': 'hello\n' });
  key = awsKey();
  await repo.commit('add deploy config', { 'deploy/app.ini': awsIni(key) });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const defaults: ConfigChoice = { origin: 'default', label: "gitleaks' default rules" };
const fromInput = (path: string): ConfigChoice => ({ origin: 'input', path, label: '`x.toml` (the config input)' });
const fromRepo = (path: string): ConfigChoice => ({ origin: 'repository', path, label: '`.gitleaks.toml` (repository)' });

describe('gitleaksArgs', () => {
  test('git: redacted, our exit code, JSON report, no links, log options as one value', () => {
    expect(gitleaksArgs({ subcommand: 'git', source: '/r', logOpts: '--all', reportPath: '/t/r.json', config: '/r/.gitleaks.toml' })).toEqual([
      'git',
      '.',
      '--no-banner',
      '--no-color',
      '--redact=100',
      '--exit-code',
      String(LEAKS_EXIT),
      '--report-format',
      'json',
      '--report-path',
      '/t/r.json',
      '--config',
      '/r/.gitleaks.toml',
      '--platform',
      'none',
      '--log-opts',
      '--all',
    ]);
  });
  test('dir: no git-only flags', () => {
    const a = gitleaksArgs({ subcommand: 'dir', source: '/r', reportPath: '/t/r.json' });
    expect(a.slice(0, 2)).toEqual(['dir', '.']);
    expect(a).toContain('--redact=100');
    expect(a).not.toContain('--platform');
    expect(a).not.toContain('--config');
  });
  test('dir of a folder: gitleaks runs at the root and reads ./<folder>, so paths stay relative to the root', () => {
    expect(gitleaksArgs({ subcommand: 'dir', source: '/r', folder: 'app', reportPath: '/t/r.json' }).slice(0, 2)).toEqual(['dir', './app']);
    expect(gitleaksArgs({ subcommand: 'dir', source: '/r', folder: '-x', reportPath: '/t/r.json' }).slice(0, 2)).toEqual(['dir', './-x']);
    expect(gitleaksArgs({ subcommand: 'git', source: '/r', folder: 'app', reportPath: '/t/r.json' }).slice(0, 2)).toEqual(['git', '.']);
  });
});

const runBare = async (args: string[]) => exec(gitleaks, ['--no-banner', '--no-color', '--exit-code', String(LEAKS_EXIT), ...args], { cwd: tmp, timeoutMs: 60_000 });

describe('what a gitleaks run means (real gitleaks)', () => {
  test('leaks: our exit code, a report, no errors in the log', async () => {
    const r = await runBare(['git', repo.dir, '--redact=100', '-f', 'json', '-r', join(tmp, 'r.json')]);
    expect(r.exitCode).toBe(LEAKS_EXIT);
    const log = parseLog(r.stderr);
    expect(log).toMatchObject({ errors: [], commitsScanned: 2 });
    expect(runProblem(r.exitCode, log, defaults)).toBeUndefined();
  });

  test('not a repository: gitleaks exits 0 saying "no leaks found", we call it a tool error', async () => {
    const empty = mkdtempSync(join(tmp, 'empty-'));
    const r = await runBare(['git', empty, '-f', 'json', '-r', '-']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe('[]');
    const problem = runProblem(r.exitCode, parseLog(r.stderr), defaults);
    expect(problem).toBeInstanceOf(ToolError);
    expect(problem?.message).toMatch(/^gitleaks could not read everything it was asked to scan: git: fatal: not a git repository/);
  });

  test('an unreadable revision: exit 0 and an empty report, we call it a tool error', async () => {
    const r = await runBare(['git', repo.dir, '-f', 'json', '-r', '-', '--log-opts', 'f'.repeat(40)]);
    expect(r.exitCode).toBe(0);
    expect(runProblem(r.exitCode, parseLog(r.stderr), defaults)?.message).toMatch(/bad object|unknown revision/);
  });

  test('invalid TOML: a one-line error naming the config input', async () => {
    const bad = join(tmp, 'bad.toml');
    writeFileSync(bad, 'title = "x"\n[[rules]\nid = 3\n');
    const r = await runBare(['git', repo.dir, '-f', 'json', '-r', '-', '--config', bad]);
    expect(r.exitCode).toBe(1);
    const p = runProblem(r.exitCode, parseLog(r.stderr), fromInput(bad));
    expect(p).toBeInstanceOf(InputError);
    expect(p?.message).toMatch(/^input "config" is not a valid gitleaks config: unable to load gitleaks config, err: While parsing config: toml: expected character \]/);
  });

  test('a bad regex panics with exit code 2, which is why leaks use another code', async () => {
    const bad = join(tmp, 'regex.toml');
    writeFileSync(bad, '[[rules]]\nid = "x"\nregex = "("\n');
    const r = await runBare(['git', repo.dir, '-f', 'json', '-r', '-', '--config', bad]);
    expect(r.exitCode).toBe(2);
    expect(LEAKS_EXIT).not.toBe(2);
    const p = runProblem(r.exitCode, parseLog(r.stderr), fromRepo(bad));
    expect(p).toBeInstanceOf(UserError);
    expect(p?.message).toMatch(/^\.gitleaks\.toml \(repository\) is not a valid gitleaks config: regexp: Compile\(`\(`\)/);
  });

  test('runGitleaks returns the redacted report; no secret in it', async () => {
    const out = join(tmp, 'report.json');
    writeFileSync(out, '[{"stale": true}]'); // a leftover must not pass for this run
    const run = await runGitleaks(gitleaks, { subcommand: 'git', source: repo.dir, reportPath: out, logOpts: '--full-history --all' }, defaults, 60_000);
    expect(run.report).not.toContain(key);
    expect(parseReport(run.report)).toHaveLength(1);
    expect(run.log.scanned).toMatch(/bytes/);
  });

  test('runGitleaks throws a ToolError for an unreadable range', async () => {
    await expect(runGitleaks(gitleaks, { subcommand: 'git', source: repo.dir, reportPath: join(tmp, 'x.json'), logOpts: 'f'.repeat(40) }, defaults, 60_000)).rejects.toThrow(
      ToolError,
    );
  });
});

describe('parseLog', () => {
  test('levels, counts and a panic', () => {
    const log = parseLog('10:01PM INF 3 commits scanned.\n10:01PM INF scanned ~51 bytes (51 bytes) in 306ms\n10:01PM WRN leaks found: 1\n');
    expect(log).toEqual({ errors: [], warnings: ['leaks found: 1'], commitsScanned: 3, scanned: '~51 bytes (51 bytes)' });
    expect(parseLog('panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n').panic).toEqual({ message: 'boom', inConfig: false });
  });
});
