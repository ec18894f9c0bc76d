// A thin git wrapper: argument arrays, a timeout on every call, no prompts, and answers as plain data.
import { exec, type ExecResult, expectExit, tail, ToolError, UserError } from '@platform-actions/kit';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const LOCAL_TIMEOUT_MS = 120_000;

// Never wait for a password prompt; read git's own words in English so we can recognise them.
const ENV = { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' };

export class Git {
  private constructor(
    /** The repository's top-level folder. */
    readonly root: string,
    /** Whether the clone was shallow when opened. */
    readonly shallowAtOpen: boolean,
    private readonly remoteTimeoutMs: number,
  ) {}

  /** Opens the repository that contains `path`; a UserError when there is none. */
  static async open(path: string, opts: { remoteTimeoutMs?: number } = {}): Promise<Git> {
    const r = await exec('git', ['-C', path, 'rev-parse', '--show-toplevel', '--is-shallow-repository'], { env: ENV, timeoutMs: LOCAL_TIMEOUT_MS });
    if (r.exitCode !== 0) {
      const why = tail(r.stderr, 1).replace(/^fatal:\s*/, '');
      throw new UserError(`${path} is not a git repository (${why}); check the code out with actions/checkout before this step, or set mode: dir`);
    }
    const [root, shallow] = r.stdout.trim().split('\n');
    return new Git(root, shallow === 'true', opts.remoteTimeoutMs ?? 300_000);
  }

  async run(args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
    return exec('git', ['-C', this.root, ...args], { env: ENV, timeoutMs: opts.timeoutMs ?? LOCAL_TIMEOUT_MS, input: opts.input });
  }

  /** stdout of a command that must succeed. */
  async out(args: string[]): Promise<string> {
    return expectExit(await this.run(args), [0], `git ${args[0]}`).stdout.trim();
  }

  async isShallow(): Promise<boolean> {
    return (await this.out(['rev-parse', '--is-shallow-repository'])) === 'true';
  }

  /** The boundary commits of a shallow clone (their parents are not here). */
  async shallowCommits(): Promise<Set<string>> {
    const file = resolve(this.root, await this.out(['rev-parse', '--git-path', 'shallow']));
    if (!existsSync(file)) return new Set();
    return new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean));
  }

  async has(sha: string): Promise<boolean> {
    return (await this.run(['cat-file', '-e', `${sha}^{commit}`])).exitCode === 0;
  }

  /** Which of these commits are here, in one call. */
  async which(shas: readonly string[]): Promise<Set<string>> {
    if (!shas.length) return new Set();
    const r = expectExit(await this.run(['cat-file', '--batch-check=%(objectname) %(objecttype)'], { input: shas.map((s) => `${s}^{commit}`).join('\n') + '\n' }), [0], 'git cat-file');
    return new Set(r.stdout.split('\n').filter((l) => l.endsWith(' commit')).map((l) => l.split(' ')[0]));
  }

  async head(): Promise<string> {
    return this.out(['rev-parse', '--verify', 'HEAD^{commit}']);
  }

  /** The commit a ref points at, or undefined. */
  async resolveRef(ref: string): Promise<string | undefined> {
    const r = await this.run(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    return r.exitCode === 0 ? r.stdout.trim() : undefined;
  }

  async mergeBases(a: string, b: string): Promise<string[]> {
    const r = await this.run(['merge-base', '--all', a, b]);
    if (r.exitCode === 1 && !r.stderr.trim()) return []; // no common ancestor (here)
    return expectExit(r, [0], 'git merge-base').stdout.split('\n').filter(Boolean);
  }

  async isAncestor(a: string, b: string): Promise<boolean> {
    const r = await this.run(['merge-base', '--is-ancestor', a, b]);
    if (r.exitCode === 0 || r.exitCode === 1) return r.exitCode === 0;
    expectExit(r, [0, 1], 'git merge-base --is-ancestor');
    return false;
  }

  async revList(args: string[]): Promise<string[]> {
    return (await this.out(['rev-list', ...args])).split('\n').filter(Boolean);
  }

  async count(args: string[]): Promise<number> {
    return Number(await this.out(['rev-list', '--count', ...args]));
  }

  /** Every commit a local ref or HEAD points at. */
  async refTips(): Promise<string[]> {
    const refs = (await this.out(['for-each-ref', '--format=%(objectname) %(objecttype)'])).split('\n');
    const tips = refs.filter((l) => l.endsWith(' commit')).map((l) => l.split(' ')[0]);
    const head = await this.resolveRef('HEAD');
    return [...new Set([...(head ? [head] : []), ...tips])];
  }

  async hasRemote(name: string): Promise<boolean> {
    return (await this.run(['remote'])).stdout.split('\n').includes(name);
  }

  /** The branch the remote's HEAD points at, from the local symref or by asking the remote. */
  async remoteDefaultBranch(remote: string): Promise<string | undefined> {
    const local = await this.run(['symbolic-ref', '--quiet', `refs/remotes/${remote}/HEAD`]);
    if (local.exitCode === 0) return local.stdout.trim().replace(`refs/remotes/${remote}/`, '');
    const r = await this.run(['ls-remote', '--symref', remote, 'HEAD'], { timeoutMs: this.remoteTimeoutMs });
    return /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(r.stdout)?.[1];
  }

  /** The commit a branch points at on the remote, without fetching it. */
  async remoteBranchTip(remote: string, branch: string): Promise<string | undefined> {
    const r = await this.run(['ls-remote', remote, `refs/heads/${branch}`], { timeoutMs: this.remoteTimeoutMs });
    return r.exitCode === 0 ? /^([0-9a-f]{40,64})\s/m.exec(r.stdout)?.[1] : undefined;
  }

  /** `git fetch` from a remote; returns the result (callers decide what a failure means). */
  async fetch(remote: string, args: string[]): Promise<ExecResult> {
    const r = await this.run(['fetch', '--no-tags', '--quiet', remote, ...args], { timeoutMs: this.remoteTimeoutMs });
    if (r.timedOut) throw new ToolError(`git fetch from ${remote} timed out after ${Math.round(r.durationMs / 1000)}s`, tail(r.stderr));
    return r;
  }
}
