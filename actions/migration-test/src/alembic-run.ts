// The Alembic test modes, walking the revision graph by explicit revision ids in topological order (parents
// and depends_on before children). Relative steps (+1/-1) are ambiguous at branch points and merges, so
// every command names the revision it applies or reverts:
//   stepwise, per revision r: S0 → up r → S1 → down r → S2 (must equal S0) → up r → S3 (must equal S1).
//     A merge revision is tested as a merge: up joins its parents' heads, down splits them again. Revisions on
//     parallel branches are each tested on top of whatever was applied before them in the order, which is
//     what a deployment that merged both branches runs.
//     After a failure the run goes on: from the same state when the failed command changed nothing (Alembic
//     rolls a failed revision back), else from a fresh database upgraded to the revisions applied so far.
//     Descendants of a revision whose upgrade failed cannot be applied and are listed as not tested.
//   round-trip: up to the revisions below the top N, S_low → up the top N one by one → S1 → down the top N one by
//     one, newest first (a failing downgrade is named by that walk) → S2 (must equal S_low, so what a downgrade
//     left behind is named) → up to heads → S3 (must equal S1).
import { type SnapshotDiff, describeDiff, diffSnapshots, enumValueLeftBehind, isEmptyDiff, renderDiff } from './diff.js';
import { formatError, headline, repoPath, revisionFrame, type SetupContext, setupError } from './alembic-errors.js';
import type { AlembicInfo, AlembicRevision, AlembicSession, StepResult } from './alembic-session.js';
import type { Problem, RuleId, RunResult, Status, StepRow } from './execute.js';

export interface AlembicRunContext {
  session: AlembicSession;
  info: AlembicInfo;
  snapshot: () => Promise<string[]>;
  /** Runs the seed SQL for a revision, if any; returns the error line when it fails. */
  seed: (revision: string) => Promise<string | undefined>;
  /** Switches to a new empty database (after a failure left the current one in an unknown state). */
  freshDatabase?: () => Promise<void>;
  irreversible: ReadonlySet<string>;
  setup: SetupContext;
  /** Scrubs secrets from tool output. */
  scrub: (text: string) => string;
  /** Stepwise: stop after this many failing revisions (0: never). */
  maxFailures?: number;
}

/** Revision ids base → heads: parents and depends_on first; ties keep Alembic's own walk order. */
export function topoOrder(revs: readonly AlembicRevision[]): string[] {
  // Alembic's walk is heads → base; reversed it is a good tie-break order.
  const rank = new Map([...revs].reverse().map((r, i) => [r.id, i]));
  const known = new Set(revs.map((r) => r.id));
  const deps = new Map(revs.map((r) => [r.id, [...r.parents, ...r.dependsOn].filter((p) => known.has(p))]));
  const indeg = new Map(revs.map((r) => [r.id, deps.get(r.id)!.length]));
  const children = new Map<string, string[]>();
  for (const [id, ps] of deps) for (const p of ps) children.set(p, [...(children.get(p) ?? []), id]);
  const ready = revs.filter((r) => indeg.get(r.id) === 0).map((r) => r.id);
  const out: string[] = [];
  while (ready.length) {
    ready.sort((a, b) => rank.get(a)! - rank.get(b)!);
    const id = ready.shift()!;
    out.push(id);
    for (const c of children.get(id) ?? []) {
      indeg.set(c, indeg.get(c)! - 1);
      if (indeg.get(c) === 0) ready.push(c);
    }
  }
  return out;
}

/** The heads of a set of applied revisions: those no other applied revision builds on. */
export function headsOf(applied: readonly string[], byId: ReadonlyMap<string, AlembicRevision>): string[] {
  const set = new Set(applied);
  const under = new Set<string>();
  for (const id of applied) for (const p of [...(byId.get(id)?.parents ?? []), ...(byId.get(id)?.dependsOn ?? [])]) if (set.has(p)) under.add(p);
  return applied.filter((id) => !under.has(id)).sort();
}

function ancestors(ids: readonly string[], byId: ReadonlyMap<string, AlembicRevision>): Set<string> {
  const out = new Set<string>();
  const stack = [...ids];
  while (stack.length) {
    const id = stack.pop()!;
    if (out.has(id) || !byId.has(id)) continue;
    out.add(id);
    stack.push(...byId.get(id)!.parents, ...byId.get(id)!.dependsOn);
  }
  return out;
}

const labels = (a: string, b: string) => ({ expected: a, actual: b });

class Walker {
  readonly byId: Map<string, AlembicRevision>;
  readonly revFiles: Map<string, string>;
  readonly res: RunResult;
  lostReason?: string;

  constructor(
    readonly ctx: AlembicRunContext,
    mode: RunResult['mode'],
  ) {
    this.byId = new Map(ctx.info.revisions.map((r) => [r.id, r]));
    this.revFiles = new Map(ctx.info.revisions.filter((r) => r.path).map((r) => [r.path!, r.id]));
    this.res = { mode, rows: [], problems: [] };
  }

  /**
   * A failed command as a Problem, or a thrown config/tool error when the failure is the setup's (URL scheme,
   * driver, env.py, connection). The revision blamed is the one whose file the traceback passes through.
   */
  failure(rule: RuleId, fallbackRev: string, phase: Problem['phase'], what: string, r: StepResult, explain?: (rev: string) => string): Problem {
    if (r.error) {
      const setup = setupError(r.error, this.ctx.setup, `${what}`);
      if (setup) throw setup;
    }
    const frame = r.error ? revisionFrame(r.error, this.revFiles) : undefined;
    const revision = frame?.revision ?? fallbackRev;
    what = what.replace('{rev}', revision);
    const out = this.ctx.scrub(r.output.trim());
    let message: string;
    let detail: string | undefined;
    let output: string | undefined;
    if (r.timedOut) {
      message = `${what} did not finish within command-timeout and was stopped`;
      output = out.split('\n').slice(-20).join('\n');
    } else if (r.error) {
      const f = formatError(r.error, this.revFiles);
      message = `${what} failed: ${this.ctx.scrub(f.head)}${f.at ? ` (at ${f.at})` : ''}`;
      output = this.ctx.scrub([f.head, ...(f.at ? [`  at ${f.at}`] : [])].join('\n'));
      detail = this.ctx.scrub([out, f.full].filter(Boolean).join('\n'));
    } else {
      message = `${what} failed`;
      output = out.split('\n').slice(-20).join('\n');
    }
    if (explain) message = `${explain(revision)}: ${message}`;
    const p: Problem = { rule, revision, phase, message, output, ...(detail ? { detail } : {}) };
    const file = frame ? repoPath(frame.file) : undefined;
    if (file && frame) {
      p.path = file;
      p.line = frame.line;
    }
    return p;
  }

  trace(revision: string, d: SnapshotDiff, before: string, after: string): Problem {
    const enumType = enumValueLeftBehind(d);
    const hint = enumType ? ` Enum ${enumType} kept a value: PostgreSQL cannot drop enum values, so the downgrade must recreate the type (or mark the revision irreversible).` : '';
    return {
      rule: 'downgrade-left-trace',
      revision,
      phase: 'down',
      message: `downgrade of ${revision} did not restore the schema: ${describeDiff(d)}.${hint}`,
      diff: renderDiff(d, labels(before, after)),
    };
  }

  row(revision: string): StepRow & { started: number } {
    return { revision, up: '-', down: '-', reup: '-', durationMs: 0, started: Date.now() };
  }

  push(row: StepRow & { started: number }): void {
    const { started, ...rest } = row;
    this.res.rows.push({ ...rest, durationMs: Date.now() - started });
  }

  async seed(rev: string): Promise<boolean> {
    const err = await this.ctx.seed(rev);
    if (!err) return true;
    this.res.problems.push({ rule: 'seed-failed', revision: rev, phase: 'seed', message: `seed SQL for ${rev} failed: ${this.ctx.scrub(err)}` });
    return false;
  }

  /**
   * Makes sure the database holds exactly `applied` with schema `expected`; else rebuilds it on a fresh
   * database by applying `applied` in order (with their seeds). Returns false when that is impossible.
   */
  async ensure(applied: readonly string[], expected: readonly string[] | undefined): Promise<boolean> {
    const cur = await this.ctx.session.current();
    const want = headsOf(applied, this.byId);
    const same = cur.ok && [...cur.heads].sort().join(',') === want.join(',') && (expected === undefined || isEmptyDiff(diffSnapshots(expected, await this.ctx.snapshot())));
    if (same) return true;
    if (!this.ctx.freshDatabase) return false;
    try {
      await this.ctx.freshDatabase();
    } catch (err) {
      this.lostReason = `the database could not be restored after a failure (${this.ctx.scrub(err instanceof Error ? err.message : String(err))})`;
      return false;
    }
    for (const id of applied) {
      const r = await this.ctx.session.step(id, true);
      if (!r.ok) return false;
      await this.ctx.seed(id);
    }
    return true;
  }
}

/** Per revision up, down, up, over the whole graph; every failing revision is reported in one run. */
export async function alembicStepwise(ctx: AlembicRunContext, order: readonly string[]): Promise<RunResult> {
  const w = new Walker(ctx, 'stepwise');
  const start = await ctx.session.current();
  const applied: string[] = [...ancestors(start.heads, w.byId)].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const blocked = new Map<string, string>();
  let s0 = await ctx.snapshot();
  let failures = 0;
  let stoppedAt: string | undefined;
  let lost = false;
  const fail = (p: Problem) => {
    w.res.problems.push(p);
    failures++;
    if (ctx.maxFailures && failures >= ctx.maxFailures) stoppedAt ??= p.revision;
  };
  for (const id of order) {
    if (applied.includes(id)) continue;
    const rev = w.byId.get(id)!;
    const row = w.row(id);
    const needs = [...rev.parents, ...rev.dependsOn].find((p) => blocked.has(p));
    if (stoppedAt !== undefined || lost || needs) {
      row.up = 'skipped';
      row.down = 'skipped';
      row.reup = 'skipped';
      row.note = lost
        ? `not tested: ${w.lostReason ?? 'the database could not be restored after a failure'}`
        : stoppedAt !== undefined
          ? `not tested: stopped after max-failures (${ctx.maxFailures})`
          : `not tested: needs ${blocked.get(needs!)}, whose upgrade failed`;
      if (needs) blocked.set(id, blocked.get(needs)!);
      w.push(row);
      continue;
    }
    const up = await ctx.session.step(id, true);
    if (!up.ok) {
      row.up = 'failed';
      fail(w.failure('up-failed', id, 'up', `upgrade to ${id}`, up));
      blocked.set(id, id);
      w.push(row);
      if (!(await w.ensure(applied, s0))) lost = true;
      else s0 = await ctx.snapshot();
      continue;
    }
    row.up = 'ok';
    const s1 = await ctx.snapshot();
    if (ctx.irreversible.has(id) || rev.down === 'irreversible') {
      row.down = 'skipped';
      row.reup = 'skipped';
      row.note = 'irreversible: tested up only';
      applied.push(id);
      s0 = s1;
      await w.seed(id);
      w.push(row);
      continue;
    }
    if (rev.isMerge) row.note = `merge of ${rev.parents.join(' + ')}`;
    const down = await ctx.session.step(id, false);
    if (!down.ok) {
      row.down = 'failed';
      fail(w.failure('down-failed', id, 'down', `downgrade of ${id}`, down));
      applied.push(id);
      w.push(row);
      if (!(await w.ensure(applied, s1))) lost = true;
      else await w.seed(id);
      s0 = await ctx.snapshot();
      continue;
    }
    const s2 = await ctx.snapshot();
    const dDown = diffSnapshots(s0, s2);
    let downProblem: Problem | undefined;
    if (!isEmptyDiff(dDown)) {
      const upChanged = !isEmptyDiff(diffSnapshots(s0, s1));
      if (upChanged && isEmptyDiff(diffSnapshots(s1, s2))) {
        row.down = 'unchanged';
        downProblem = {
          rule: 'empty-downgrade',
          revision: id,
          phase: 'down',
          message: `downgrade of ${id} ran but changed nothing: ${describeDiff(dDown)}`,
          diff: renderDiff(dDown, labels(`schema before upgrading to ${id}`, `schema after downgrading ${id}`)),
        };
      } else {
        row.down = 'trace';
        downProblem = w.trace(id, dDown, `schema before upgrading to ${id}`, `schema after downgrading ${id}`);
      }
      fail(downProblem);
    } else row.down = 'ok';
    const reup = await ctx.session.step(id, true);
    if (!reup.ok) {
      row.reup = 'failed';
      if (downProblem) {
        // One defect, one finding: the leftover is the cause, the failed re-upgrade its symptom.
        const p = w.failure('reup-failed', id, 're-up', `re-upgrade to ${id}`, reup);
        downProblem.message += ` That is why the re-upgrade failed: ${p.message.replace(/^re-upgrade to \S+ failed: /, '')}`;
        downProblem.detail = [p.output, p.detail].filter(Boolean).join('\n');
      } else fail(w.failure('reup-failed', id, 're-up', `re-upgrade to ${id}`, reup));
      applied.push(id);
      w.push(row);
      // The downgrade left the database in neither state: rebuild it with this revision applied.
      if (!(await w.ensure(applied, s1))) lost = true;
      else await w.seed(id);
      s0 = await ctx.snapshot();
      continue;
    }
    const s3 = await ctx.snapshot();
    const dRe = diffSnapshots(s1, s3);
    if (!isEmptyDiff(dRe)) {
      row.reup = 'mismatch';
      fail({
        rule: 'reup-mismatch',
        revision: id,
        phase: 're-up',
        message: `upgrading to ${id} a second time gave a different schema: ${describeDiff(dRe)}`,
        diff: renderDiff(dRe, labels(`schema after the first upgrade to ${id}`, `schema after the second upgrade to ${id}`)),
      });
    } else row.reup = 'ok';
    applied.push(id);
    s0 = s3;
    if (!(await w.seed(id))) row.note = 'seed failed';
    w.push(row);
  }
  if (!lost) w.res.head = { revision: headsOf(applied, w.byId).join(','), lines: s0.length };
  return w.res;
}

/** Up to heads, down the top `steps` revisions one by one, up to heads again. */
export async function alembicRoundTrip(ctx: AlembicRunContext, order: readonly string[], steps: number): Promise<RunResult> {
  const w = new Walker(ctx, steps > 0 ? 'round-trip' : 'forward-only');
  const n = Math.min(steps, order.length);
  const low = order.slice(0, order.length - n);
  const top = order.slice(order.length - n);
  const rows = new Map(top.map((id) => [id, w.row(id)]));
  const headRow = n === 0 ? w.row(headsOf(order, w.byId).join(',')) : undefined;
  const finish = () => {
    for (const r of rows.values()) w.push(r);
    if (headRow) w.push(headRow);
    return w.res;
  };
  const upFailed = (r: StepResult, fallback: string, row?: StepRow) => {
    if (row) row.up = 'failed';
    w.res.problems.push(w.failure('up-failed', fallback, 'up', 'upgrade to {rev}', r));
    return finish();
  };
  // 1. up to the revisions below the top n (one command per head: Alembic runs each in one env.py session).
  if (low.length && n > 0) {
    for (const h of headsOf(low, w.byId)) {
      const r = await ctx.session.upgrade(h);
      if (!r.ok) return upFailed(r, h, headRow);
    }
  }
  const before = new Map<string, string[]>();
  let s = await ctx.snapshot();
  if (n === 0) {
    const r = await ctx.session.upgrade('heads');
    if (!r.ok) return upFailed(r, headRow!.revision, headRow);
    headRow!.up = 'ok';
    headRow!.down = 'skipped';
    headRow!.reup = 'skipped';
    headRow!.note = 'forward-only';
    const s1 = await ctx.snapshot();
    w.res.head = { revision: headRow!.revision, lines: s1.length };
    await w.seed(order.at(-1) ?? '');
    return finish();
  }
  // 2. up the top n one at a time, remembering the schema below each.
  for (const id of top) {
    const row = rows.get(id)!;
    before.set(id, s);
    const r = await ctx.session.step(id, true);
    if (!r.ok) return upFailed(r, id, row);
    row.up = 'ok';
    s = await ctx.snapshot();
  }
  const s1 = s;
  const head = headsOf(order, w.byId).join(',');
  w.res.head = { revision: head, lines: s1.length };
  if (!(await w.seed(order.at(-1)!))) return finish();
  // 3. down, newest first; each downgrade is compared with the schema before its upgrade.
  const leftovers: Problem[] = [];
  let downFailed = false;
  for (const id of [...top].reverse()) {
    const row = rows.get(id)!;
    const rev = w.byId.get(id)!;
    if (ctx.irreversible.has(id) || rev.down === 'irreversible') {
      row.down = 'skipped';
      row.reup = 'skipped';
      row.note = `irreversible: the round trip stops above ${id}`;
      break;
    }
    if (rev.isMerge) row.note = `merge of ${rev.parents.join(' + ')}`;
    const r = await ctx.session.step(id, false);
    if (!r.ok) {
      row.down = 'failed';
      w.res.problems.push(w.failure('down-failed', id, 'down', `downgrade of ${id}`, r));
      downFailed = true;
      break;
    }
    const s2 = await ctx.snapshot();
    const d = diffSnapshots(before.get(id)!, s2);
    if (isEmptyDiff(d)) row.down = 'ok';
    else {
      const upChanged = !isEmptyDiff(diffSnapshots(before.get(id)!, s1));
      row.down = upChanged && isEmptyDiff(diffSnapshots(s1, s2)) ? 'unchanged' : 'trace';
      const p =
        row.down === 'unchanged'
          ? {
              rule: 'empty-downgrade' as const,
              revision: id,
              phase: 'down' as const,
              message: `downgrade of ${id} ran but changed nothing: ${describeDiff(d)}`,
              diff: renderDiff(d, labels(`schema before upgrading to ${id}`, `schema after downgrading ${id}`)),
            }
          : w.trace(id, d, `schema before upgrading to ${id}`, `schema after downgrading ${id}`);
      w.res.problems.push(p);
      leftovers.push(p);
    }
  }
  // 4. up to heads again; a failure here after a leftover is explained by it.
  const reup = await ctx.session.upgrade('heads');
  const markReup = (status: Status) => {
    for (const r of rows.values()) if (r.down !== '-' && r.down !== 'skipped') r.reup = status;
  };
  if (!reup.ok) {
    markReup('failed');
    const p = w.failure('reup-failed', top.at(-1)!, 're-up', 're-upgrade to {rev}', reup);
    const cause = leftovers.find((l) => l.revision === p.revision) ?? leftovers[0];
    if (cause) {
      cause.message += ` That is why the re-upgrade failed: ${p.message.replace(/^re-upgrade to \S+ failed: /, '')}`;
      cause.detail = [p.output, p.detail].filter(Boolean).join('\n');
    } else w.res.problems.push(p);
    return finish();
  }
  const s3 = await ctx.snapshot();
  const dRe = diffSnapshots(s1, s3);
  if (!isEmptyDiff(dRe)) {
    markReup('mismatch');
    const culprit = [...top].reverse().find((id) => rows.get(id)!.down !== '-') ?? head;
    w.res.problems.push({
      rule: 'reup-mismatch',
      revision: culprit,
      phase: 're-up',
      message: `after down ${n} and up again, the schema at ${head} differs: ${describeDiff(dRe)}`,
      diff: renderDiff(dRe, labels('schema after the first upgrade to heads', 'schema after down and up again')),
    });
  } else if (!downFailed) markReup('ok');
  else markReup('ok');
  return finish();
}

export { headline };
