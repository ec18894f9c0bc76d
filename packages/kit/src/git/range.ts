// Which commits an event brought: a pure decision over the event and what git has told us so far. When
// it needs a fact it does not have yet (is this commit here, what is the merge base, where is the default
// branch), it asks for it instead of guessing, and the caller gathers it and asks again. So every event
// shape and every git situation (shallow clone, force push, new branch) is a row in a table test.
// gitleaks-scan scans these commits; the plan action diffs them to find what a change touched.
import { InputError, ToolError } from '../errors.js';
import { type EventContext, isZeroSha } from '../github/event.js';

export const RANGE_MODES = ['auto', 'range', 'full', 'dir'] as const;
export type RangeMode = (typeof RANGE_MODES)[number];

/** What git has told us. Maps are keyed by commit (or `a b` for pairs). */
export interface RangeFacts {
  /** The clone is shallow: history below the boundary commits is not here. */
  shallow: boolean;
  /** The checked-out commit. */
  head?: string;
  /** Commit → present in the clone (after any fetch we were allowed to make). */
  present: Record<string, boolean>;
  /** `a b` → `git merge-base --all a b` (empty: no common ancestor in the clone). */
  mergeBases: Record<string, string[]>;
  /** `a b` → a is an ancestor of b. */
  ancestor: Record<string, boolean>;
  /** The default branch and its tip; null when it could not be found. */
  defaultBranch?: { name: string; tip?: string } | null;
}

export type RangeNeed =
  | { fact: 'head' }
  | { fact: 'present'; commits: string[] }
  | { fact: 'merge-base'; a: string; b: string }
  | { fact: 'ancestor'; a: string; b: string }
  | { fact: 'default-branch' };

export interface RangeScope {
  kind: 'range';
  /** Scan what these reach ... */
  tips: string[];
  /** ... minus what these reach. */
  excludes: string[];
  /** Human form, e.g. `merge-base(main, feature)..feature`. */
  label: string;
  reason: string;
  /**
   * False when the plan rests on an absence that a shallow clone may be faking (no merge base, `before`
   * not an ancestor): deepen and plan again before trusting it.
   */
  complete: boolean;
}

export type CommitScope =
  RangeScope | { kind: 'full'; label: string; reason: string } | { kind: 'dir'; label: string; reason: string } | { kind: 'nothing'; label: string; reason: string };

export type RangePlan = CommitScope | { needs: RangeNeed[] };

const pair = (a: string, b: string): string => `${a} ${b}`;
const short = (sha: string): string => sha.slice(0, 7);
const branchOf = (ref: string | undefined): string | undefined => (ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined);
const RANGE_EVENTS = new Set(['pull_request', 'pull_request_target', 'push', 'merge_group']);

/** Asks for the facts that are still missing; undefined when all are known. */
function missing(f: RangeFacts, needs: RangeNeed[]): RangePlan | undefined {
  const open = needs.filter((n) => {
    switch (n.fact) {
      case 'head':
        return f.head === undefined;
      case 'present':
        return n.commits.some((c) => f.present[c] === undefined);
      case 'merge-base':
        return f.mergeBases[pair(n.a, n.b)] === undefined;
      case 'ancestor':
        return f.ancestor[pair(n.a, n.b)] === undefined;
      case 'default-branch':
        return f.defaultBranch === undefined;
    }
  });
  return open.length ? { needs: open } : undefined;
}

function requirePresent(f: RangeFacts, sha: string, what: string): void {
  if (!f.present[sha]) {
    throw new ToolError(
      `the ${what} ${short(sha)} is not in the clone and could not be fetched from origin, so it cannot be scanned (with persist-credentials: false on actions/checkout, check out with fetch-depth: 0)`,
    );
  }
}

/** The commits a PR or merge queue group adds: merge-base(base, head)..head. */
function betweenBaseAndHead(f: RangeFacts, base: string, head: string, names: { base: string; head: string }, reason: string, exclude: 'merge-base' | 'base'): RangePlan {
  const ask = missing(f, [{ fact: 'present', commits: [base, head] }]);
  if (ask) return ask;
  requirePresent(f, head, 'head commit');
  requirePresent(f, base, 'base commit');
  const ask2 = missing(f, [{ fact: 'merge-base', a: base, b: head }]);
  if (ask2) return ask2;
  const bases = f.mergeBases[pair(base, head)];
  if (exclude === 'merge-base' && bases.length) {
    return { kind: 'range', tips: [head], excludes: bases, label: `merge-base(${names.base}, ${names.head})..${names.head}`, reason, complete: true };
  }
  // No merge base: either unrelated histories (then "not reachable from base" is right) or a shallow
  // clone hiding it (then deepen first).
  return { kind: 'range', tips: [head], excludes: [base], label: `${names.base}..${names.head}`, reason, complete: bases.length > 0 || !f.shallow };
}

/** What is new on `tip` relative to the default branch; `why` explains the choice. */
function sinceDefaultBranch(
  f: RangeFacts,
  tip: { sha: string; name: string; branch?: string },
  why: string,
  /** After a force push: the previous tip, for when there is no other branch to compare with. */
  before?: string,
): RangePlan {
  const ask = missing(f, [{ fact: 'default-branch' }]);
  if (ask) return ask;
  const db = f.defaultBranch;
  const tipName = tip.name;
  if (db?.tip && tip.branch !== db.name) {
    const ask2 = missing(f, [{ fact: 'merge-base', a: db.tip, b: tip.sha }]);
    if (ask2) return ask2;
    const connected = f.mergeBases[pair(db.tip, tip.sha)].length > 0 || !f.shallow;
    return {
      kind: 'range',
      tips: [tip.sha],
      excludes: [db.tip],
      label: `${db.name}..${tipName}`,
      reason: `${why}: the commits not on the default branch ${db.name}`,
      complete: connected,
    };
  }
  if (before) {
    // A force push to the default branch itself (or no default branch known): what the old tip lacked.
    return {
      kind: 'range',
      tips: [tip.sha],
      excludes: [before],
      label: `${short(before)}..${tipName}`,
      reason: `${why}: the commits the previous tip ${short(before)} did not have`,
      complete: true,
    };
  }
  const where = db?.tip ? `${tipName} is the default branch` : 'the default branch could not be found';
  return { kind: 'range', tips: [tip.sha], excludes: [], label: `all history of ${tipName}`, reason: `${why}; ${where}, so every commit it reaches`, complete: true };
}

function push(ev: EventContext, f: RangeFacts): RangePlan {
  const p = ev.push!;
  const ref = ev.ref || 'the pushed ref';
  if (p.deleted || isZeroSha(p.after)) return { kind: 'nothing', label: `deleted ${ref}`, reason: `the push deleted ${ref}, so it brought no commits` };
  const branch = branchOf(ev.ref);
  const tip = { sha: p.after, name: branch ?? (ev.ref || short(p.after)), branch };
  const name = tip.name;
  const ask = missing(f, [{ fact: 'present', commits: p.created ? [p.after] : [p.after, p.before] }]);
  if (ask) return ask;
  requirePresent(f, p.after, 'pushed commit');
  if (p.created) return sinceDefaultBranch(f, tip, `push of the new ref ${name}`);
  const had = f.present[p.before] ? p.before : undefined;
  // GitHub says so: no need to find out (which in a shallow clone can mean deepening to the fork point).
  if (p.forced) return sinceDefaultBranch(f, tip, `force push to ${name}`, had);
  if (had) {
    const ask2 = missing(f, [
      { fact: 'ancestor', a: p.before, b: p.after },
      { fact: 'merge-base', a: p.before, b: p.after },
    ]);
    if (ask2) return ask2;
    const label = `${short(p.before)}..${short(p.after)}`;
    if (f.ancestor[pair(p.before, p.after)]) return { kind: 'range', tips: [p.after], excludes: [p.before], label, reason: `push to ${name}: before..after`, complete: true };
    // Not an ancestor. In a shallow clone that may only mean the path between them is cut off: deepen
    // first. Once they share any ancestor here, "not an ancestor" is real: a force push.
    if (f.shallow && !f.mergeBases[pair(p.before, p.after)].length) {
      return { kind: 'range', tips: [p.after], excludes: [p.before], label, reason: `push to ${name}: before..after`, complete: false };
    }
    return sinceDefaultBranch(f, tip, `force push to ${name} (the previous tip ${short(p.before)} is not an ancestor)`, had);
  }
  return sinceDefaultBranch(f, tip, `push to ${name} whose previous tip ${short(p.before)} is gone (force push)`);
}

/** The plan for this event and mode, or the facts it still needs. Throws for impossible combinations. */
export function planRange(ev: EventContext, mode: RangeMode, f: RangeFacts): RangePlan {
  if (mode === 'dir') return { kind: 'dir', label: 'working tree', reason: 'mode: dir scans the files in the working tree, not history' };
  if (mode === 'full') return { kind: 'full', label: 'all refs', reason: 'mode: full scans the whole history of every ref' };
  if (!RANGE_EVENTS.has(ev.kind)) {
    if (mode === 'auto') return { kind: 'full', label: 'all refs', reason: `${ev.name} carries no commit range, so the whole history of every ref` };
    return headSinceDefaultBranch(ev, mode, f);
  }
  return payloadRange(ev, f) ?? withoutPayloadRange(ev, mode);
}

/** The range a pull request, merge group or push payload carries; undefined when the payload lacks it. */
function payloadRange(ev: EventContext, f: RangeFacts): RangePlan | undefined {
  if (ev.kind === 'push') return ev.push ? push(ev, f) : undefined;
  if (ev.kind === 'merge_group') return mergeGroupRange(ev, f);
  return pullRequestRange(ev, f); // the other RANGE_EVENTS: pull_request, pull_request_target
}

function pullRequestRange(ev: EventContext, f: RangeFacts): RangePlan | undefined {
  const pr = ev.pr;
  if (!pr?.headSha || !pr.baseSha) return undefined;
  const names = { base: pr.baseRef || short(pr.baseSha), head: pr.headRef || short(pr.headSha) };
  return betweenBaseAndHead(f, pr.baseSha, pr.headSha, names, `${ev.kind} #${pr.number}: the commits the pull request adds to its base`, 'merge-base');
}

function mergeGroupRange(ev: EventContext, f: RangeFacts): RangePlan | undefined {
  const mg = ev.mergeGroup;
  if (!mg?.headSha || !mg.baseSha) return undefined;
  const names = { base: branchOf(mg.baseRef) ?? short(mg.baseSha), head: branchOf(mg.headRef) ?? short(mg.headSha) };
  return betweenBaseAndHead(f, mg.baseSha, mg.headSha, names, 'merge_group: the commits the merge queue group adds to its base', 'base');
}

/** A range event whose payload lacks the range (hand-written test payloads, odd proxies). */
function withoutPayloadRange(ev: EventContext, mode: RangeMode): RangePlan {
  if (mode === 'range') throw new InputError('mode', `is range, but the ${ev.name} event payload has no commit range`, mode);
  return { kind: 'full', label: 'all refs', reason: `the ${ev.name} payload has no commit range, so the whole history of every ref` };
}

/** mode: range on an event without one: what the checked-out commit adds to the default branch. */
function headSinceDefaultBranch(ev: EventContext, mode: RangeMode, f: RangeFacts): RangePlan {
  const ask = missing(f, [{ fact: 'head' }, { fact: 'default-branch' }]);
  if (ask) return ask;
  if (!f.defaultBranch?.tip) {
    throw new InputError('mode', `is range, but ${ev.name} carries no commit range and the default branch could not be found; use full or dir`, mode);
  }
  const ask2 = missing(f, [{ fact: 'present', commits: [f.head!] }]);
  if (ask2) return ask2;
  // Always relative to the default branch, even when on it: then the range is honestly empty.
  return sinceDefaultBranch(f, { sha: f.head!, name: 'HEAD' }, `mode: range on ${ev.name}`);
}

/** Revisions for `git rev-list` over the same commits (the Git wrapper adds --end-of-options). */
export const revListArgs = (scope: RangeScope | { kind: 'full' }): string[] => (scope.kind === 'full' ? ['--all'] : [...scope.tips, ...scope.excludes.map((e) => `^${e}`)]);
