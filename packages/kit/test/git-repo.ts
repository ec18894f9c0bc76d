// Small real git repositories for tests: files written, committed, branched, with a fixed identity.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ID_ENV = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.invalid',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

export class TestRepo {
  constructor(readonly dir: string) {}

  static init(files: Record<string, string> = {}): TestRepo {
    const r = new TestRepo(mkdtempSync(join(tmpdir(), 'kit-changes-')));
    r.git('init', '-q', '--initial-branch=main');
    if (Object.keys(files).length) r.commit('start', files);
    return r;
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, env: { ...process.env, ...ID_ENV }, encoding: 'utf8', maxBuffer: 64 << 20 }).trim();
  }

  /** Writes files (null deletes), commits everything, returns the commit. */
  commit(message: string, files: Record<string, string | null> = {}): string {
    this.write(files);
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  write(files: Record<string, string | null>): void {
    for (const [name, body] of Object.entries(files)) {
      const p = join(this.dir, name);
      if (body === null) rmSync(p, { force: true, recursive: true });
      else {
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(p, body);
      }
    }
  }

  /** `git mv` (a real rename), then commit. */
  move(from: string, to: string, message = `move ${from} to ${to}`): string {
    mkdirSync(dirname(join(this.dir, to)), { recursive: true });
    this.git('mv', from, to);
    this.git('commit', '-q', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const chart = (name: string, deps: Array<{ name: string; repository: string }> = [], type = 'application'): Record<string, string> => ({
  'Chart.yaml': [
    'apiVersion: v2',
    `name: ${name}`,
    `type: ${type}`,
    'version: 0.1.0',
    ...(deps.length ? ['dependencies:', ...deps.flatMap((d) => [`  - name: ${d.name}`, '    version: 0.1.0', `    repository: ${JSON.stringify(d.repository)}`])] : []),
  ].join('\n'),
  'values.yaml': 'replicas: 1\n',
  ...(type === 'library' ? { 'templates/_helpers.tpl': '{{- define "lib.name" -}}lib{{- end -}}\n' } : { 'templates/deployment.yaml': 'kind: Deployment\n' }),
});

/** Prefixes every file name with `dir/`. */
export const inDir = (dir: string, files: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(files).map(([k, v]) => [`${dir}/${k}`, v]));
