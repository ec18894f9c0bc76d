// A thin git wrapper: argument arrays, a timeout on every call, no prompts, and answers as plain data.
// Every revision, remote and refspec goes after `--end-of-options`, so a value that starts with `-` (a
// payload "SHA" of `--upload-pack=…`) is read as a name git rejects, never as an option it obeys.
// Shared by gitleaks-scan (which commits to scan) and the plan action (which files a change touched).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ToolError, UserError } from '../errors.js';
import { exec, type ExecResult, expectExit, tail, toolEnv } from '../exec.js';
import { isSecret } from '../secrets.js';

const LOCAL_TIMEOUT_MS = 120_000;
const EOO = '--end-of-options';

/**
 * The step's environment minus every credential: the runner's tokens and our inputs (toolEnv), GHES's
 * token variable, and any other variable that holds one of those tokens or a secret this run registered
 * (a caller's `env: MY_TOKEN: ${{ github.token }}`). git needs none of them (actions/checkout leaves its
 * own credentials in .git/config, if it leaves any), and a tool that never holds a token cannot leak it.
 */
export function gitEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const tokens = new Set([base.INPUT_TOKEN, base.GITHUB_TOKEN, base.GH_TOKEN, base.GH_ENTERPRISE_TOKEN].filter((v): v is string => Boolean(v)));
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(toolEnv(base))) {
    if (k === 'GH_ENTERPRISE_TOKEN' || (v && (tokens.has(v) || isSecret(v)))) continue;
    out[k] = v;
  }
  return out;
}

// Never wait for a password prompt; read git's own words in English so we can recognise them.
const env = (): NodeJS.ProcessEnv => ({ ...gitEnv(), GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' });

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
    const r = await exec('git', ['-C', path, 'rev-parse', '--show-toplevel', '--is-shallow-repository'], { env: env(), replaceEnv: true, timeoutMs: LOCAL_TIMEOUT_MS });
    if (r.exitCode !== 0) {
      const why = tail(r.stderr, 1).replace(/^fatal:\s*/, '');
      throw new UserError(`${path} is not a git repository (${why}); check the code out with actions/checkout before this step, or set mode: dir`);
    }
    const [root, shallow] = r.stdout.trim().split('\n');
    return new Git(root, shallow === 'true', opts.remoteTimeoutMs ?? 300_000);
  }

  /** The top-level folder of the git work tree that holds `path`, or undefined (no git, or not in one). */
  static async toplevel(path: string): Promise<string | undefined> {
    const r = await exec('git', ['-C', path, 'rev-parse', '--show-toplevel'], { env: env(), replaceEnv: true, timeoutMs: LOCAL_TIMEOUT_MS }).catch(() => undefined);
    return r?.exitCode === 0 ? r.stdout.trim() || undefined : undefined;
  }

  async run(args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
    return exec('git', ['-C', this.root, ...args], { env: env(), replaceEnv: true, timeoutMs: opts.timeoutMs ?? LOCAL_TIMEOUT_MS, input: opts.input });
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
    return (await this.run(['cat-file', '-e', EOO, `${sha}^{commit}`])).exitCode === 0;
  }

  /** Whether `path` exists in `commit`'s tree. */
  async hasPath(commit: string, path: string): Promise<boolean> {
    return (await this.run(['cat-file', '-e', EOO, `${commit}:${path}`])).exitCode === 0;
  }

  /** The parents of a commit (two or more for a merge). */
  async parents(commit: string): Promise<string[]> {
    return (await this.out(['rev-list', '--parents', '-n', '1', EOO, commit])).split(' ').slice(1).filter(Boolean);
  }

  /**
   * The text of `path` in `commit`, or undefined when the commit has no such file (or it is larger than
   * git's output cap). It may hold a secret: it is compared in memory and never printed.
   */
  async fileAt(commit: string, path: string): Promise<string | undefined> {
    const r = await this.run(['cat-file', 'blob', EOO, `${commit}:${path}`]);
    return r.exitCode === 0 && !r.truncated ? r.stdout : undefined;
  }

  /** git's own version, e.g. 2.39.5. */
  async version(): Promise<string | undefined> {
    return /git version (\d+\.\d+\.\d+)/.exec((await this.run(['version'])).stdout)?.[1];
  }

  /** Which of these commits are here, in one call. */
  async which(shas: readonly string[]): Promise<Set<string>> {
    if (!shas.length) return new Set();
    const r = expectExit(
      await this.run(['cat-file', '--batch-check=%(objectname) %(objecttype)'], { input: shas.map((s) => `${s}^{commit}`).join('\n') + '\n' }),
      [0],
      'git cat-file',
    );
    return new Set(
      r.stdout
        .split('\n')
        .filter((l) => l.endsWith(' commit'))
        .map((l) => l.split(' ')[0]),
    );
  }

  async head(): Promise<string> {
    return this.out(['rev-parse', '--verify', EOO, 'HEAD^{commit}']);
  }

  /** The commit a ref points at, or undefined. */
  async resolveRef(ref: string): Promise<string | undefined> {
    const r = await this.run(['rev-parse', '--verify', '--quiet', EOO, `${ref}^{commit}`]);
    return r.exitCode === 0 ? r.stdout.trim() : undefined;
  }

  async mergeBases(a: string, b: string): Promise<string[]> {
    const r = await this.run(['merge-base', '--all', EOO, a, b]);
    if (r.exitCode === 1 && !r.stderr.trim()) return []; // no common ancestor (here)
    return expectExit(r, [0], 'git merge-base').stdout.split('\n').filter(Boolean);
  }

  async isAncestor(a: string, b: string): Promise<boolean> {
    const r = await this.run(['merge-base', '--is-ancestor', EOO, a, b]);
    if (r.exitCode === 0 || r.exitCode === 1) return r.exitCode === 0;
    expectExit(r, [0, 1], 'git merge-base --is-ancestor');
    return false;
  }

  /** `git rev-list` over revisions (SHAs, `^SHA`, or `--all`, which is an option and so goes first). */
  async revList(revs: string[]): Promise<string[]> {
    return (await this.out(['rev-list', ...revArgs(revs)])).split('\n').filter(Boolean);
  }

  async count(revs: string[]): Promise<number> {
    return Number(await this.out(['rev-list', '--count', ...revArgs(revs)]));
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
    const r = await this.run(['ls-remote', '--symref', EOO, remote, 'HEAD'], { timeoutMs: this.remoteTimeoutMs });
    return /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(r.stdout)?.[1];
  }

  /** The commit a branch points at on the remote, without fetching it. */
  async remoteBranchTip(remote: string, branch: string): Promise<string | undefined> {
    const r = await this.run(['ls-remote', EOO, remote, `refs/heads/${branch}`], { timeoutMs: this.remoteTimeoutMs });
    return r.exitCode === 0 ? /^([0-9a-f]{40,64})\s/m.exec(r.stdout)?.[1] : undefined;
  }

  /**
   * The branches and tags the remote has (`ls-remote`, no fetch): ref → commit, with annotated tags
   * peeled to their commit. Undefined when the remote cannot be asked.
   */
  async remoteRefs(remote: string): Promise<Map<string, string> | undefined> {
    const r = await this.run(['ls-remote', '--heads', '--tags', EOO, remote], { timeoutMs: this.remoteTimeoutMs });
    if (r.exitCode !== 0) return undefined;
    const refs = new Map<string, string>();
    for (const line of r.stdout.split('\n')) {
      const m = /^([0-9a-f]{40,64})\t(refs\/(?:heads|tags)\/\S+?)(\^\{\})?$/.exec(line);
      // A peeled line (`refs/tags/v1^{}`) names the commit an annotated tag points at: that is what counts.
      if (m && (m[3] || !refs.has(m[2]))) refs.set(m[2], m[1]);
    }
    return refs;
  }

  /** Local ref → commit (annotated tags peeled) under the given prefixes. */
  async refCommits(prefixes: string[]): Promise<Map<string, string>> {
    const out = await this.out(['for-each-ref', '--format=%(refname) %(objectname) %(*objectname)', ...prefixes]);
    return new Map(
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [ref, obj, peeled] = l.split(' ');
          return [ref, peeled || obj];
        }),
    );
  }

  /** Branch names (local and remote-tracking, without the remote prefix) and tag names in the clone. */
  async localRefs(): Promise<{ branches: string[]; tags: string[] }> {
    const names = (await this.out(['for-each-ref', '--format=%(refname)', 'refs/heads', 'refs/remotes', 'refs/tags'])).split('\n').filter(Boolean);
    const branches = new Set<string>();
    const tags: string[] = [];
    for (const n of names) {
      if (n.startsWith('refs/tags/')) tags.push(n.slice('refs/tags/'.length));
      else if (n.startsWith('refs/heads/')) branches.add(n.slice('refs/heads/'.length));
      else if (!n.endsWith('/HEAD')) branches.add(n.split('/').slice(3).join('/'));
    }
    return { branches: [...branches].sort(), tags: tags.sort() };
  }

  /** `git fetch` from a remote; returns the result (callers decide what a failure means). */
  async fetch(remote: string, refspecs: string[], options: string[] = []): Promise<ExecResult> {
    const r = await this.run(['fetch', '--no-tags', '--quiet', ...options, EOO, remote, ...refspecs], { timeoutMs: this.remoteTimeoutMs });
    if (r.timedOut) throw new ToolError(`git fetch from ${remote} timed out after ${Math.round(r.durationMs / 1000)}s`, tail(r.stderr));
    return r;
  }
}

/** `--all` is an option to rev-list and log; everything else is a revision and goes after --end-of-options. */
export const revArgs = (revs: readonly string[]): string[] => [...revs.filter((r) => r === '--all'), EOO, ...revs.filter((r) => r !== '--all')];
