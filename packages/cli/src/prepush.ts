// `platform-actions pre-push`: what a push sends, read from the refs git gives the pre-push hook on
// standard input (`<local ref> <local sha> <remote ref> <remote sha>` per line), or from the PRE_COMMIT_*
// variables the pre-commit framework sets instead. Each pushed ref is checked on its own:
//   - a deleted ref sends nothing: nothing to check;
//   - an update: the commits between the remote's tip and the new one;
//   - a new branch (or a remote tip this clone does not have): the commits not on the remote's default
//     branch; when the remote has no default branch yet, every commit the ref reaches.
import { git } from './local.js';

/** One pushed ref, as the pre-push hook checks it: the commits `before..after` are what the push sends. */
export interface PushScope {
  ref: string;
  before: string;
  after: string;
  /** No commit of the remote to start from: every commit `after` reaches. */
  created: boolean;
  /** For the report, e.g. `new branch: origin/main..leaky (2 commits)`. */
  label: string;
}

export const ZERO = '0'.repeat(40);
const isZero = (sha: string) => /^0+$/.test(sha);

export interface PushedRef {
  localRef: string;
  localSha: string;
  remoteRef: string;
  remoteSha: string;
}

/** The pre-push hook's standard input; lines that are not four fields are ignored. */
export function parsePushedRefs(text: string): PushedRef[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length === 4 && /^[0-9a-f]{40,64}$/i.test(f[1]) && /^[0-9a-f]{40,64}$/i.test(f[3]))
    .map(([localRef, localSha, remoteRef, remoteSha]) => ({ localRef, localSha, remoteRef, remoteSha }));
}

/** pre-commit reads the hook's stdin itself and passes the first pushed ref in PRE_COMMIT_* variables. */
export function pushedRefFromPreCommit(env: NodeJS.ProcessEnv, repo: string): PushedRef | undefined {
  const local = env.PRE_COMMIT_LOCAL_BRANCH;
  if (!local || !env.PRE_COMMIT_REMOTE_BRANCH) return undefined;
  const localSha = env.PRE_COMMIT_TO_REF || git(repo, ['rev-parse', '--verify', '--quiet', `${local}^{commit}`]);
  if (!localSha) return undefined;
  // pre-commit's from-ref is the remote tip for an update, but for a new branch the parent of its first new
  // commit; the remote-tracking ref tells the two apart (none: a new branch, checked against the default branch).
  const remote = env.PRE_COMMIT_REMOTE_NAME || 'origin';
  const tracked = git(repo, ['rev-parse', '--verify', '--quiet', `refs/remotes/${remote}/${env.PRE_COMMIT_REMOTE_BRANCH.replace(/^refs\/heads\//, '')}^{commit}`]);
  return { localRef: local, localSha, remoteRef: env.PRE_COMMIT_REMOTE_BRANCH, remoteSha: tracked ? env.PRE_COMMIT_FROM_REF || tracked : ZERO };
}

/** What the plan needs to know about the clone. */
export interface PushFacts {
  /** The commit exists in this clone. */
  has(sha: string): boolean;
  mergeBase(a: string, b: string): string | undefined;
  count(before: string | undefined, after: string): number;
  /** The remote's default branch and its tip, when known. */
  defaultBranch?: { name: string; tip: string };
}

type PushPlan = { kind: 'skip'; why: string } | { kind: 'check'; scope: PushScope };

const short = (ref: string) => ref.replace(/^refs\/(heads|tags)\//, '');

/** The range one pushed ref brings (pure over the facts, so the rules are tested with a table). */
export function planPushedRef(r: PushedRef, remote: string, f: PushFacts): PushPlan {
  const name = short(r.remoteRef);
  if (isZero(r.localSha)) return { kind: 'skip', why: `deleting ${name} on ${remote}: nothing is sent, nothing to check` };
  const commits = (n: number) => `${n} commit${n === 1 ? '' : 's'}`;
  if (!isZero(r.remoteSha) && f.has(r.remoteSha)) {
    // An update (or a force push: then from where the two meet).
    const before = f.mergeBase(r.remoteSha, r.localSha) ?? r.remoteSha;
    return {
      kind: 'check',
      scope: { ref: r.remoteRef, before, after: r.localSha, created: false, label: `${remote}/${name}..${short(r.localRef)} (${commits(f.count(before, r.localSha))})` },
    };
  }
  const db = f.defaultBranch;
  const base = db ? f.mergeBase(db.tip, r.localSha) : undefined;
  if (db && base) {
    const what = isZero(r.remoteSha) ? 'new branch' : `${name} whose tip on ${remote} this clone does not have`;
    return {
      kind: 'check',
      scope: {
        ref: r.remoteRef,
        before: base,
        after: r.localSha,
        created: false,
        label: `${what}: ${remote}/${db.name}..${short(r.localRef)} (${commits(f.count(base, r.localSha))})`,
      },
    };
  }
  return {
    kind: 'check',
    scope: {
      ref: r.remoteRef,
      before: ZERO,
      after: r.localSha,
      created: true,
      label: `${short(r.localRef)}: every commit (${commits(f.count(undefined, r.localSha))}; ${db ? `no history in common with ${remote}/${db.name}` : `${remote} has no default branch to compare with`})`,
    },
  };
}

/** The facts from the clone itself (and `git ls-remote` for a default branch the clone does not record). */
export function pushFacts(repo: string, remote: string): PushFacts {
  const has = (sha: string) => git(repo, ['cat-file', '-e', `${sha}^{commit}`]) !== undefined;
  let defaultBranch: PushFacts['defaultBranch'];
  const sym = git(repo, ['symbolic-ref', '--quiet', `refs/remotes/${remote}/HEAD`]);
  let name = sym?.replace(`refs/remotes/${remote}/`, '');
  if (!name) {
    const ls = git(repo, ['ls-remote', '--symref', '--', remote, 'HEAD']);
    name = ls ? /^ref: refs\/heads\/(\S+)\s+HEAD/m.exec(ls)?.[1] : undefined;
  }
  // A remote whose HEAD names no branch (a bare repository made with another default): the usual names.
  const candidates = name ? [name] : [git(repo, ['config', 'init.defaultBranch']), 'main', 'master'].filter((n): n is string => !!n);
  for (const n of candidates) {
    const tip = git(repo, ['rev-parse', '--verify', '--quiet', `refs/remotes/${remote}/${n}^{commit}`]);
    if (tip) {
      defaultBranch = { name: n, tip };
      break;
    }
  }
  return {
    has,
    mergeBase: (a, b) => git(repo, ['merge-base', a, b]) || undefined,
    count: (before, after) => Number(git(repo, ['rev-list', '--count', after, ...(before ? ['--not', before] : [])]) ?? 0),
    defaultBranch,
  };
}
