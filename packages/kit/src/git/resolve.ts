// Turns the plan into commits git can actually read: gathers the facts planRange asks for, fetches
// commits the checkout lacks, and deepens a shallow clone in bounded, doubling steps until the range is
// whole. It never settles for a range it could not read: that is a ToolError, not a clean scan.
// Shared by gitleaks-scan and the plan action (kit/changes), so a range is resolved one way.
import * as core from '../core.js';
import { ToolError } from '../errors.js';
import { tail } from '../exec.js';
import type { EventContext } from '../github/event.js';
import type { Git } from './git.js';
import { type CommitScope, planRange, type RangeFacts, type RangeMode, type RangeNeed, type RangeScope, revListArgs } from './range.js';

export interface RangeResolveOptions {
  /** Remote to fetch missing commits from (actions/checkout names it origin). */
  remote: string;
  /** Most commits to deepen a shallow clone by, in total; 0 never fetches anything. */
  deepenLimit: number;
  /** First deepening step (doubles each time). */
  firstStep?: number;
}

/** Full mode: which refs were scanned, and whether they are all of the remote's. */
export interface RefsReport {
  branches: string[];
  tags: string[];
  /** Refs fetched from the remote because the clone did not have them (or had them at another commit). */
  fetched: number;
  /** Set when the remote's refs could not be brought in: why, so the summary can say what was not scanned. */
  notFetched?: string;
}

export interface ResolvedRange {
  scope: CommitScope;
  /** Commits in the scope, newest first (range scopes only). */
  commits: string[];
  commitCount: number;
  /** How far a shallow clone was deepened, in commits. */
  deepenedBy: number;
  /** Commits fetched because the checkout did not have them. */
  fetched: string[];
  /** `git fetch --deepen` round trips made. */
  rounds: number;
  /** Full mode only. */
  refs?: RefsReport;
}

const pair = (a: string, b: string): string => `${a} ${b}`;

/** Step n of deepening: doubling from `first`, never past what the limit leaves. */
export function deepenStep(first: number, round: number, done: number, limit: number): number {
  return Math.max(0, Math.min(first * 2 ** round, limit - done));
}

/** Commits of the scan set that sit on a shallow boundary (their parents, maybe in range, are missing). */
export function cutOff(scanSet: readonly string[], boundary: ReadonlySet<string>): string[] {
  return boundary.size ? scanSet.filter((c) => boundary.has(c)) : [];
}

class Gatherer {
  fetched: string[] = [];
  private fetchable?: boolean;
  constructor(
    private readonly git: Git,
    private readonly ev: EventContext,
    private readonly opts: RangeResolveOptions,
  ) {}

  /** Fetching is allowed and there is a remote to fetch from (asked only when needed). */
  async canFetch(): Promise<boolean> {
    this.fetchable ??= this.opts.deepenLimit > 0 && (await this.git.hasRemote(this.opts.remote));
    return this.fetchable;
  }

  async gather(f: RangeFacts, needs: RangeNeed[]): Promise<void> {
    for (const n of needs) {
      switch (n.fact) {
        case 'head':
          f.head = await this.git.head();
          break;
        case 'present': {
          const ask = n.commits.filter((c) => f.present[c] === undefined);
          const here = await this.git.which(ask);
          for (const c of ask) f.present[c] = here.has(c) || (await this.ensure(c, f.shallow));
          break;
        }
        case 'merge-base':
          f.mergeBases[pair(n.a, n.b)] = await this.git.mergeBases(n.a, n.b);
          break;
        case 'ancestor':
          f.ancestor[pair(n.a, n.b)] = await this.git.isAncestor(n.a, n.b);
          break;
        case 'default-branch':
          f.defaultBranch = await this.defaultBranch(f);
          break;
      }
    }
  }

  /** True when the commit is here, fetching it by SHA first if needed (and allowed). */
  private async ensure(sha: string, shallow: boolean): Promise<boolean> {
    if (await this.git.has(sha)) return true;
    if (!(await this.canFetch())) return false;
    // In a shallow clone take only the commit itself (deepening comes later, bounded); in a full clone
    // its history too, so the clone stays whole. Never --depth on a commit we have: that cuts history.
    const r = await this.git.fetch(this.opts.remote, [sha], shallow ? ['--depth=1'] : []);
    if (r.exitCode !== 0) {
      core.info(`Could not fetch ${sha.slice(0, 7)} from ${this.opts.remote}: ${r.stderr.trim().split('\n').pop()}`);
      return false;
    }
    this.fetched.push(sha);
    return this.git.has(sha);
  }

  /**
   * Full mode: brings every branch and tag of the remote into the clone, so "every ref" means the
   * repository's refs and not only the one branch actions/checkout fetched. In a shallow clone only the
   * new tips come (depth 1); the deepening loop then reads their history within deepen-limit.
   */
  async completeRefs(shallow: boolean): Promise<Pick<RefsReport, 'fetched' | 'notFetched'>> {
    const remote = this.opts.remote;
    if (!(await this.canFetch())) {
      return { fetched: 0, notFetched: this.opts.deepenLimit === 0 ? 'deepen-limit is 0, so nothing was fetched' : `there is no ${remote} remote to fetch from` };
    }
    const theirs = await this.git.remoteRefs(remote);
    if (!theirs) return { fetched: 0, notFetched: `the branches and tags of ${remote} could not be listed` };
    const ours = await this.git.refCommits([`refs/remotes/${remote}/`, 'refs/tags/']);
    const want: Array<{ spec: string; sha: string }> = [];
    for (const [ref, sha] of theirs) {
      const local = ref.startsWith('refs/heads/') ? `refs/remotes/${remote}/${ref.slice('refs/heads/'.length)}` : ref;
      if (ours.get(local) !== sha) want.push({ spec: `+${ref}:${local}`, sha });
    }
    if (!want.length) return { fetched: 0 };
    const here = await this.git.which([...new Set(want.map((w) => w.sha))]);
    // Never --depth for a commit we already have: that would cut its history short.
    const have = want.filter((w) => here.has(w.sha)).map((w) => w.spec);
    const lack = want.filter((w) => !here.has(w.sha)).map((w) => w.spec);
    for (const [specs, options] of [
      [have, []],
      [lack, shallow ? ['--depth=1'] : []],
    ] as const) {
      if (!specs.length) continue;
      const r = await this.git.fetch(remote, [...specs], [...options]);
      if (r.exitCode !== 0)
        throw new ToolError(`could not fetch the branches and tags of ${remote} for mode: full (${tail(r.stderr, 1)}); check out with fetch-depth: 0`, r.stderr);
    }
    core.info(`Full mode: fetched ${want.length} branch(es)/tag(s) of ${remote} that the clone did not have`);
    return { fetched: want.length };
  }

  private async defaultBranch(f: RangeFacts): Promise<RangeFacts['defaultBranch']> {
    const remote = this.opts.remote;
    const hasRemote = await this.git.hasRemote(remote);
    const name = this.ev.defaultBranch || (hasRemote ? await this.git.remoteDefaultBranch(remote) : undefined);
    if (!name) return null;
    // Local remote-tracking ref first (no network), then the remote, then a local branch.
    let tip = await this.git.resolveRef(`refs/remotes/${remote}/${name}`);
    if (!tip && hasRemote && (await this.canFetch())) tip = await this.git.remoteBranchTip(remote, name);
    tip ??= await this.git.resolveRef(`refs/heads/${name}`);
    if (tip && !(await this.ensure(tip, f.shallow))) tip = undefined;
    if (tip) f.present[tip] = true;
    return { name, tip };
  }
}

/** Plans the scan for this event and makes every commit in it readable. */
export async function resolveRange(git: Git, ev: EventContext, mode: RangeMode, opts: RangeResolveOptions): Promise<ResolvedRange> {
  const g = new Gatherer(git, ev, opts);
  const fresh = async (prev?: RangeFacts): Promise<RangeFacts> => ({
    shallow: prev ? await git.isShallow() : git.shallowAtOpen,
    present: prev?.present ?? {},
    head: prev?.head,
    // Ancestry answers may change once history is deeper; ask again.
    mergeBases: {},
    ancestor: {},
    defaultBranch: prev?.defaultBranch,
  });
  let facts = await fresh();
  let deepenedBy = 0;
  let asked = 0;
  let refs: Pick<RefsReport, 'fetched' | 'notFetched'> | undefined;
  for (let round = 0; ;) {
    const plan = planRange(ev, mode, facts);
    if ('needs' in plan) {
      // Each answer removes a need, so this ends; the bound only guards against a planning bug.
      if (++asked > 100) throw new Error(`planning did not settle: still needs ${JSON.stringify(plan.needs)}`);
      await g.gather(facts, plan.needs);
      continue;
    }
    if (plan.kind === 'dir' || plan.kind === 'nothing') return { scope: plan, commits: [], commitCount: 0, deepenedBy, fetched: g.fetched, rounds: round };
    if (plan.kind === 'full' && !refs) {
      refs = await g.completeRefs(facts.shallow);
      if (refs.fetched) facts = await fresh(facts);
    }
    const commits = plan.kind === 'range' ? await git.revList(revListArgs(plan)) : [];
    const gap = facts.shallow ? await whatIsMissing(git, plan, commits) : undefined;
    if (!gap) {
      const commitCount = plan.kind === 'range' ? commits.length : await git.count(revListArgs(plan));
      return { scope: plan, commits, commitCount, deepenedBy, fetched: g.fetched, rounds: round, ...(refs ? { refs: { ...(await git.localRefs()), ...refs } } : {}) };
    }
    const canFetch = await g.canFetch();
    const step = canFetch ? deepenStep(opts.firstStep ?? 50, round++, deepenedBy, opts.deepenLimit) : 0;
    if (step === 0) {
      const how = canFetch
        ? `after deepening by ${deepenedBy} commits (deepen-limit ${opts.deepenLimit})`
        : opts.deepenLimit === 0
          ? '(deepen-limit is 0, so nothing is fetched)'
          : `(there is no ${opts.remote} remote to fetch from)`;
      throw new ToolError(`the clone is shallow and ${gap} ${how}; nothing was scanned. Check out with fetch-depth: 0, or raise deepen-limit`);
    }
    const anchors = plan.kind === 'full' ? await git.refTips() : [...new Set([...plan.tips, ...plan.excludes, ...Object.keys(facts.present).filter((c) => facts.present[c])])];
    core.info(`Shallow clone: ${gap}; deepening by ${step} commits`);
    await deepen(git, opts.remote, step, anchors);
    deepenedBy += step;
    facts = await fresh(facts);
  }
}

/** `git fetch --deepen` from the anchors; one by one if the remote refuses one of them (a local-only commit). */
async function deepen(git: Git, remote: string, step: number, anchors: string[]): Promise<void> {
  const all = await git.fetch(remote, anchors, [`--deepen=${step}`]);
  if (all.exitCode === 0) return;
  let ok = 0;
  if (anchors.length > 1) for (const a of anchors) if ((await git.fetch(remote, [a], [`--deepen=${step}`])).exitCode === 0) ok++;
  if (!ok) {
    const why = all.stderr.trim().split('\n').pop();
    throw new ToolError(`git fetch --deepen=${step} from ${remote} failed (${why}); check out with fetch-depth: 0 if the clone cannot fetch`, all.stderr);
  }
}

/** Why a plan cannot be trusted yet in a shallow clone, or undefined when every commit in it is readable. */
async function whatIsMissing(git: Git, plan: RangeScope | Extract<CommitScope, { kind: 'full' }>, commits: string[]): Promise<string | undefined> {
  if (plan.kind === 'full') return 'the full history is not here';
  if (!plan.complete) return `the history connecting ${plan.label} is cut off`;
  const cut = cutOff(commits, await git.shallowCommits());
  if (cut.length) return `${cut.length} commit(s) in ${plan.label} have parents that are not here (e.g. ${cut[0].slice(0, 7)})`;
  return undefined;
}
