// Shared by the CLI tests: fresh bundles, temp git repositories, real tools on PATH, and the CLI run
// in-process with its output captured.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolBin } from '../../../test/harness/tools.js';
import { main } from '../src/main.js';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const node24 = (): string => toolBin('node24', 'node');
/** The CLI package's version (what `--version` and the pin note print). */
export const cliVersion = (JSON.parse(readFileSync(join(root, 'packages', 'cli', 'package.json'), 'utf8')) as { version: string }).version;

function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Builds an action's bundle unless dist/<action>/index.js is newer than its sources and the kit's, so a
 * test never runs a stale bundle and does not pay ~30 s for a build when nothing changed.
 */
export function freshBundle(action: string): void {
  const bundle = join(root, 'dist', action, 'index.js');
  const src = Math.max(newest(join(root, 'actions', action)), newest(join(root, 'packages', 'kit', 'src')));
  if (existsSync(bundle) && statSync(bundle).mtimeMs > src) return;
  try {
    execFileSync('node', ['scripts/build.mjs', '--only', action], { cwd: root, stdio: 'pipe', timeout: 300_000 });
  } catch (e) {
    const out = `${(e as { stdout?: Buffer }).stdout ?? ''}${(e as { stderr?: Buffer }).stderr ?? ''}`;
    throw new Error(`build of ${action} failed:\n${out.slice(-3000)}`);
  }
}

const GIT_ENV = { GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };
export const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd, env: { ...process.env, ...GIT_ENV }, stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();

/** A git repository with `files` (path → text) and copies of `copy` (repo path → folder in the temp repo), committed. */
export function tempRepo(files: Record<string, string>, copy: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'pa-cli-'));
  for (const [from, to] of Object.entries(copy)) cpSync(join(root, from), join(dir, to), { recursive: true });
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

/** PATH with the harness tools first (what a developer would have installed). */
export const pathWith = (...tools: string[]): string => [...tools.map((t) => dirname(toolBin(t))), process.env.PATH].join(':');

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `platform-actions <argv>` in-process (not a TTY unless asked), with the bundles under the harness's Node 24. */
export async function runCli(argv: string[], env: Record<string, string> = {}, opts: { isTTY?: boolean; cwd?: string } = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const code = await main(argv, {
      stdout: { write: (s: string) => (stdout += s), isTTY: opts.isTTY ?? false, columns: 120 },
      stderr: { write: (s: string) => (stderr += s) },
      env: process.env,
      node: node24(),
      cwd: opts.cwd,
    });
    return { code, stdout, stderr };
  } finally {
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
    Object.assign(process.env, saved);
  }
}
