import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec, expectExit, ToolError } from '@platform-actions/kit';

// Running and not a zombie (an orphan's zombie lingers until init reaps it; it is dead all the same).
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
};

describe('exec', () => {
  test('arguments reach the tool verbatim: no shell ever sees them', async () => {
    const tricky = ['$(touch /tmp/pwned-by-input)', '; rm -rf /', "it's", '`id`', 'a b'];
    const r = await exec(process.execPath, ['-e', 'console.log(JSON.stringify(process.argv.slice(1)))', ...tricky]);
    expect(JSON.parse(r.stdout)).toEqual(tricky);
    expect(existsSync('/tmp/pwned-by-input')).toBe(false);
  });

  test('onLine gets whole lines of both streams as they come, a line split over writes once, the last one unterminated', async () => {
    const seen: string[] = [];
    const script = `process.stdout.write('one\\ntw'); setTimeout(() => { process.stdout.write('o\\r\\n'); process.stderr.write('err\\n'); process.stdout.write('tail'); }, 50);`;
    const r = await exec(process.execPath, ['-e', script], { onLine: (l, stream) => seen.push(`${stream}:${l}`) });
    expect(r.exitCode).toBe(0);
    expect(seen).toEqual(['stdout:one', 'stdout:two', 'stderr:err', 'stdout:tail']);
    expect(r.stdout).toBe('one\ntwo\r\ntail');
  });

  test('a process that exits while a tool runs takes the tool and what it started with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exec-'));
    const pidFile = join(dir, 'tool.pid');
    // The tool runs in its own process group, so a Ctrl-C of the terminal does not reach it; if the
    // process exits (say, another SIGINT handler calls process.exit) the tool must not run on.
    const script = join(dir, 'main.ts');
    writeFileSync(
      script,
      `import { exec } from ${JSON.stringify(join(process.cwd(), 'packages/kit/src/exec.ts'))};
       void exec('sh', ['-c', 'echo $$ > ${pidFile}; sleep 30']);
       setTimeout(() => process.exit(3), 500);`,
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { timeout: 20_000 });
    expect(r.status).toBe(3);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const deadline = Date.now() + 5000;
    while (alive(pid) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    expect(alive(pid)).toBe(false);
  });

  test('exit code, stderr and duration are returned', async () => {
    const r = await exec(process.execPath, ['-e', 'process.stderr.write("bad"); process.exit(3)']);
    expect(r).toMatchObject({ exitCode: 3, stderr: 'bad', timedOut: false, truncated: false });
    expect(() => expectExit(r, [0], 'node')).toThrow('node failed with exit code 3: bad');
    expect(expectExit(r, [0, 3]).exitCode).toBe(3);
  });

  test('a timeout kills the whole process tree, grandchildren included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exec-'));
    const pidFile = join(dir, 'grandchild.pid');
    // The child starts a grandchild that would outlive a plain kill of the child.
    const script = `const { spawn } = require('node:child_process');
      const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(g.pid));
      setInterval(() => {}, 1000);`;
    const started = Date.now();
    const r = await exec(process.execPath, ['-e', script], { timeoutMs: 1500, killGraceMs: 500 });
    expect(r.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    const gpid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 300));
    expect(alive(gpid)).toBe(false);
    expect(() => expectExit(r)).toThrow(/timed out after/);
  });

  test('output beyond the cap is dropped and flagged', async () => {
    const r = await exec(process.execPath, ['-e', 'process.stdout.write("x".repeat(100000))'], { maxOutputBytes: 1000 });
    expect(r.stdout.length).toBe(1000);
    expect(r.truncated).toBe(true);
  });

  test('stdin input and env reach the tool', async () => {
    const r = await exec(process.execPath, ['-e', 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(s+process.env.KIT_X))'], {
      input: 'hello-',
      env: { KIT_X: 'world' },
    });
    expect(r.stdout.trim()).toBe('hello-world');
  });

  test('a missing tool is a ToolError that says so', async () => {
    await expect(exec('definitely-not-a-tool-xyz', [])).rejects.toThrow(new ToolError('definitely-not-a-tool-xyz was not found (is it installed and on PATH?)'));
  });

  test('SIGINT to the action is forwarded to the tool so it can clean up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exec-'));
    const marker = join(dir, 'cleaned');
    const script = `process.on('SIGINT', () => { require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'yes'); process.exit(130); });
      console.log('ready'); setInterval(() => {}, 1000);`;
    const p = exec(process.execPath, ['-e', script], { timeoutMs: 10_000 });
    await new Promise((res) => setTimeout(res, 500));
    // Deliver the runner's SIGINT to our listeners without signalling the test runner itself.
    process.emit('SIGINT', 'SIGINT');
    const r = await p;
    expect(r.exitCode).toBe(130);
    expect(readFileSync(marker, 'utf8')).toBe('yes');
    expect(process.listenerCount('SIGINT')).toBe(0);
  });
});
