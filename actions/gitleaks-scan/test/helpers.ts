// Test repositories built with real git, and secrets generated at run time (no secret-looking literal is
// committed to this repository).
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const ID_ENV = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.invalid',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

function shuffled(alphabet: string): string[] {
  const a = [...alphabet];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** An AWS access key id gitleaks' aws-access-token rule reports: AKIA + 16 distinct base32 characters. */
export const awsKey = (): string => 'AKIA' + shuffled('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567').slice(0, 16).join('');

/** A token for the custom rule in customConfig(): acme_ + 32 random hex characters. */
export const acmeToken = (): string => 'acme_' + Array.from({ length: 32 }, () => '0123456789abcdef'[randomInt(16)]).join('');

/** A gitleaks config that adds one rule to the defaults. */
export const customConfig = (): string => `title = "test config"
[extend]
useDefault = true

[[rules]]
id = "acme-internal-token"
description = "ACME internal API token"
regex = '''acme_[0-9a-f]{32}'''
tags = ["internal", "severity:critical"]
`;

export const awsIni = (key: string): string => `[default]\nregion = eu-west-1\naws_access_key_id = ${key}\n`;

export class Repo {
  constructor(readonly dir: string) {}

  static async init(dir: string, opts: { bare?: boolean; branch?: string } = {}): Promise<Repo> {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const r = new Repo(dir);
    await r.git('init', '-q', `--initial-branch=${opts.branch ?? 'main'}`, ...(opts.bare ? ['--bare'] : []));
    // File URLs: let clients fetch any commit by SHA, as GitHub does.
    await r.git('config', 'uploadpack.allowAnySHA1InWant', 'true');
    return r;
  }

  /** A clone of `url` (e.g. file:///…/origin.git) with extra clone arguments such as --depth 1. */
  static async clone(url: string, dir: string, args: string[] = []): Promise<Repo> {
    rmSync(dir, { recursive: true, force: true });
    await run('git', ['clone', '-q', ...args, url, dir], { env: { ...process.env, ...ID_ENV } });
    return new Repo(dir);
  }

  async git(...args: string[]): Promise<string> {
    const { stdout } = await run('git', args, { cwd: this.dir, env: { ...process.env, ...ID_ENV }, maxBuffer: 64 << 20 });
    return stdout.trim();
  }

  /** Writes (or with null deletes) files, commits everything, returns the new commit. */
  async commit(message: string, files: Record<string, string | null> = {}): Promise<string> {
    for (const [name, body] of Object.entries(files)) {
      const p = join(this.dir, name);
      if (body === null) rmSync(p, { force: true });
      else {
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(p, body);
      }
    }
    await this.git('add', '-A');
    await this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.sha('HEAD');
  }

  sha(ref: string): Promise<string> {
    return this.git('rev-parse', ref);
  }

  async checkout(branch: string, opts: { create?: boolean; from?: string } = {}): Promise<void> {
    await this.git('checkout', '-q', ...(opts.create ? ['-b', branch] : [branch]), ...(opts.from ? [opts.from] : []));
  }

  /** Merges `branch` into the current branch with a merge commit; returns it. */
  async merge(branch: string, message = `merge ${branch}`): Promise<string> {
    await this.git('merge', '-q', '--no-ff', '--no-edit', '-m', message, branch);
    return this.sha('HEAD');
  }

  /** `count` commits, each touching its own small file (commit i writes `${prefix}/${i}.txt`). */
  async commits(count: number, prefix: string): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(await this.commit(`${prefix} ${i}`, { [`${prefix}/${i}.txt`]: `line ${i} of ${prefix}\n` }));
    return out;
  }
}

export const ZERO = '0'.repeat(40);

/** Event payloads shaped like GitHub's (only the fields the action reads, plus a few for realism). */
export const payloads = {
  pr: (n: number, base: string, head: string, o: { baseRef?: string; headRef?: string; fork?: boolean } = {}) => ({
    action: 'synchronize',
    number: n,
    pull_request: {
      number: n,
      base: { sha: base, ref: o.baseRef ?? 'main', repo: { full_name: 'acme/example' } },
      head: { sha: head, ref: o.headRef ?? 'feature', repo: { full_name: o.fork ? 'someone/example' : 'acme/example', fork: Boolean(o.fork) } },
    },
    repository: { full_name: 'acme/example', default_branch: 'main' },
  }),
  push: (before: string, after: string, o: { ref?: string; forced?: boolean; created?: boolean; deleted?: boolean; commits?: number } = {}) => ({
    ref: o.ref ?? 'refs/heads/feature',
    before,
    after,
    created: o.created ?? before === ZERO,
    deleted: o.deleted ?? after === ZERO,
    forced: o.forced ?? false,
    commits: Array.from({ length: o.commits ?? 1 }, (_, i) => ({ id: String(i) })),
    repository: { full_name: 'acme/example', default_branch: 'main' },
  }),
  mergeGroup: (base: string, head: string) => ({
    action: 'checks_requested',
    merge_group: { base_sha: base, head_sha: head, base_ref: 'refs/heads/main', head_ref: 'refs/heads/gh-readonly-queue/main/pr-7-' + head.slice(0, 8) },
    repository: { full_name: 'acme/example', default_branch: 'main' },
  }),
  schedule: () => ({ schedule: '17 3 * * *' }),
  dispatch: () => ({ inputs: {}, ref: 'refs/heads/main', repository: { full_name: 'acme/example', default_branch: 'main' } }),
};
