// run: steps as GitHub's runner runs them: the shell table (actions/runner ScriptHandlerHelpers), and one
// script run for real with this machine's bash, sh and python — exit codes, GITHUB_OUTPUT / GITHUB_ENV /
// GITHUB_PATH read back, workflow commands and masks, a timeout that kills the step.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPath } from '../src/local.js';
import { stepFiles } from '../src/runner-env.js';
import { runScript, shellFor } from '../src/steps.js';

const find = (have: string[]) => (bin: string) => (have.includes(bin) ? `/usr/bin/${bin}` : undefined);

describe('shellFor', () => {
  it.each([
    // No shell: GitHub's default is bash -e (no pipefail), sh -e where there is no bash.
    [undefined, ['bash', 'sh'], 'bash -e {0}', ['-e', '{0}']],
    [undefined, ['sh'], 'sh -e {0}', ['-e', '{0}']],
    ['bash', ['bash', 'sh'], 'bash --noprofile --norc -eo pipefail {0}', ['--noprofile', '--norc', '-e', '-o', 'pipefail', '{0}']],
    ['sh', ['sh'], 'sh -e {0}', ['-e', '{0}']],
    ['python', ['python'], 'python {0}', ['{0}']],
    ['python', ['python3'], 'python {0}', ['{0}']],
    ['pwsh', ['pwsh'], 'pwsh -command ". \'{0}\'"', ['-command', ". '{0}'"]],
    ['perl -w {0}', ['perl'], 'perl -w {0}', ['-w', '{0}']],
    ['bash -x "{0}"', ['bash'], 'bash -x "{0}"', ['-x', '{0}']],
  ])('shell %s on a machine with %j runs %s', (shell, have, label, args) => {
    const r = shellFor(shell, find(have));
    expect('shell' in r && [r.shell.label, r.shell.args]).toEqual([label, args]);
  });

  it.each([
    ['pwsh', ['bash'], { notLocal: 'shell: pwsh is not on this machine' }],
    ['cmd', ['bash'], { notLocal: "shell: cmd is Windows' shell" }],
    ['fish -c', ['fish'], { error: 'shell: fish -c is neither a built-in shell (bash, sh, python, pwsh, powershell) nor a command with {0} for the script' }],
    [undefined, [], { notLocal: 'neither bash nor sh is on PATH' }],
  ])('shell %s on a machine with %j: %j', (shell, have, want) => {
    expect(shellFor(shell, find(have))).toEqual(want);
  });

  it('PowerShell scripts are wrapped so that an error stops them and their exit code is kept', () => {
    const r = shellFor('pwsh', find(['pwsh']));
    expect('shell' in r && r.shell.wrap!('exit 3')).toBe("$ErrorActionPreference = 'stop'\nexit 3\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }");
  });
});

describe('runScript', () => {
  const run = async (script: string, shell: string | undefined, o: { timeoutMs?: number; masks?: string[]; cwd?: string } = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-step-'));
    const found = shellFor(shell, (b) => onPath(b));
    if (!('shell' in found)) throw new Error(JSON.stringify(found));
    const lines: string[] = [];
    const r = await runScript({
      script,
      shell: found.shell,
      bin: found.bin,
      cwd: o.cwd ?? dir,
      env: { PATH: process.env.PATH, HOME: dir, GREETING: 'hi' },
      runnerTemp: dir,
      files: stepFiles(dir),
      timeoutMs: o.timeoutMs ?? 30_000,
      masks: o.masks ?? [],
      onLine: (l) => lines.push(l),
    });
    return { ...r, lines, dir };
  };

  it('reads GITHUB_OUTPUT (heredocs too), GITHUB_ENV and GITHUB_PATH back; the step sees its env and cwd', async () => {
    const r = await run(
      [
        'echo "cwd=$(pwd)" >> "$GITHUB_OUTPUT"',
        'echo "greeting=$GREETING" >> "$GITHUB_OUTPUT"',
        '{ echo "notes<<EOF"; echo "line 1"; echo "line 2"; echo EOF; } >> "$GITHUB_OUTPUT"',
        'echo "BUILD_ID=7" >> "$GITHUB_ENV"',
        'echo "/opt/first" >> "$GITHUB_PATH"',
        'echo "/opt/second" >> "$GITHUB_PATH"',
        'echo done',
      ].join('\n'),
      'bash',
    );
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toEqual({ cwd: r.dir, greeting: 'hi', notes: 'line 1\nline 2' });
    expect(r.env).toEqual({ BUILD_ID: '7' });
    expect(r.path).toEqual(['/opt/first', '/opt/second']);
    expect(r.lines).toEqual(['done']);
  });

  it('the deprecated ::set-output still sets an output, with a warning', async () => {
    const r = await run('echo "::set-output name=old::a%0Ab"', 'bash');
    expect([r.outputs, r.warnings]).toEqual([{ old: 'a\nb' }, ['The `set-output` command is deprecated: write to GITHUB_OUTPUT']]);
  });

  it('bash with pipefail fails on a failing pipe; the default bash -e does not', async () => {
    expect((await run('false | true', 'bash')).exitCode).toBe(1);
    expect((await run('false | true', undefined)).exitCode).toBe(0);
    expect((await run('exit 3', 'sh')).exitCode).toBe(3);
  });

  it('python runs the script as a file', async () => {
    const r = await run('import os\nprint("py", os.environ["GREETING"])\nraise SystemExit(4)', 'python');
    expect([r.exitCode, r.lines]).toEqual([4, ['py hi']]);
  });

  it('workflow commands: errors and warnings are kept, masked values never shown, in this step or later ones', async () => {
    const r = await run(
      ['echo "::add-mask::s3cr3t"', 'echo "token is s3cr3t"', 'echo "::error file=app.py,line=3::bad thing"', 'echo "::warning::careful with s3cr3t"'].join('\n'),
      'bash',
      {
        masks: ['earlier'],
      },
    );
    expect(r.lines).toEqual(['token is ***']);
    expect(r.errors).toEqual(['app.py:3: bad thing']);
    expect(r.warnings).toEqual(['careful with ***']);
    expect(r.masks).toEqual(['earlier', 's3cr3t']);
    expect(r.log.join('\n')).not.toContain('s3cr3t');
    const later = await run('echo "still s3cr3t and earlier"', 'bash', { masks: r.masks });
    expect(later.lines).toEqual(['still *** and ***']);
  });

  it('a step past its timeout is killed with everything it started', async () => {
    const started = Date.now();
    const r = await run('sleep 30 & sleep 30', 'bash', { timeoutMs: 500 });
    expect(r.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('a working directory that does not exist fails the step, as on GitHub', async () => {
    const r = await run('echo hi', 'bash', { cwd: '/no/such/dir' });
    expect(r.exitCode).toBeNull();
    expect(r.errors.join('\n')).toMatch(/could not be started|not found|ENOENT/);
  });

  it('the script is written as it is, without a byte-order mark', async () => {
    const r = await run('head -c 4 "$0"; echo', 'bash');
    expect(r.lines).toEqual(['head']);
  });
});
