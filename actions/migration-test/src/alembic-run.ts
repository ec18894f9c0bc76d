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
import { ToolError, UserError } from '@platform-actions/kit';
import { diffSnapshots, isEmptyDiff } from './diff.js';
import { blame, connectionError, formatError, repoPath, type SetupContext, setupError } from './alembic-errors.js';
import type { AlembicInfo, AlembicRevision, AlembicSession, StepResult } from './alembic-session.js';
import { keepPartial, type Problem, type RuleId, type RunResult, type StepRow } from './execute.js';
import { explainReupFailure, judgeDown, judgeReup, judgeStep, remember } from './judge.js';
import type { ColumnOrder } from './snapshot.js';

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
  columnOrder?: ColumnOrder;
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

/**
 * The history as it branches and merges, for the log: linear runs joined by →, a revision whose parents are
 * not the one before it shows them ("0002b (on 0001)", "0003 (merges 0002a + 0002b)").
 */
export function describeGraph(order: readonly string[], byId: ReadonlyMap<string, AlembicRevision>): string {
  const parts: string[] = [];
  order.forEach((id, i) => {
    const r = byId.get(id);
    const ps = r ? [...r.parents, ...r.dependsOn] : [];
    if (i === 0 && ps.length === 0) return void parts.push(id);
    if (ps.length === 1 && ps[0] === order[i - 1] && r?.dependsOn.length === 0) return void parts.push(` → ${id}`);
    const how = r && r.parents.length > 1 ? `merges ${r.parents.join(' + ')}` : ps.length ? `on ${ps.join(' + ')}` : 'a new base';
    parts.push(`; ${id} (${how})`);
  });
  return parts.join('');
}

type Row = StepRow;

class Walker {
  readonly byId: Map<string, AlembicRevision>;
  readonly revFiles: Map<string, string>;
  readonly res: RunResult;
  readonly columnOrder: ColumnOrder;
  lostReason?: string;
  /** The heads the database was last seen at (committed), to tell a command that committed nothing. */
  heads: string[] = [];

  constructor(
    readonly ctx: AlembicRunContext,
    mode: RunResult['mode'],
  ) {
    this.byId = new Map(ctx.info.revisions.map((r) => [r.id, r]));
    this.revFiles = new Map(ctx.info.revisions.filter((r) => r.path).map((r) => [r.path!, r.id]));
    this.res = { mode, rows: [], problems: [] };
    this.columnOrder = ctx.columnOrder ?? 'separate';
  }

  /**
   * A failed command as a Problem, or a thrown tool/config error when the failure is the setup's (URL scheme,
   * driver, env.py, connection). Blamed on the revision the command was applying (a migration that caught a
   * database error fails later, outside its own file), at the line of its file the failure passed through.
   */
  failure(rule: RuleId, fallbackRev: string, phase: Problem['phase'], what: (rev: string) => string, r: StepResult): Problem {
    const e = r.error;
    if (e) {
      // While a revision runs, only a lost connection is the setup's; anything else is that migration's.
      const setup = e.applying ? connectionError(e, this.ctx.setup, what(e.applying.rev)) : setupError(e, this.ctx.setup, what(fallbackRev));
      if (setup) throw setup;
    }
    const b = e ? blame(e, this.revFiles) : {};
    const revision = b.revision ?? fallbackRev;
    const out = this.ctx.scrub(r.output.trim());
    let message: string;
    let detail: string | undefined;
    let output: string | undefined;
    if (r.timedOut) {
      message = `${what(revision)} did not finish within command-timeout and was stopped`;
      output = out.split('\n').slice(-20).join('\n');
    } else if (e) {
      const f = formatError(e, this.revFiles);
      const at = b.file ? `${repoPath(b.file) ?? b.file}:${b.line} in ${b.func}()` : f.at;
      message = `${what(revision)} failed: ${this.ctx.scrub(f.head)}${at ? ` (at ${at})` : ''}${b.swallowed ? ` — ${this.ctx.scrub(b.swallowed)}` : ''}`;
      output = this.ctx.scrub([f.head, ...(at ? [`  at ${at}`] : []), ...(b.swallowed ? [b.swallowed] : [])].join('\n'));
      detail = this.ctx.scrub([out, f.full].filter(Boolean).join('\n'));
    } else {
      message = `${what(revision)} failed`;
      output = out.split('\n').slice(-20).join('\n');
    }
    const p: Problem = { rule, revision, phase, message, output, ...(detail ? { detail } : {}) };
    const file = b.file ? repoPath(b.file) : undefined;
    if (file) {
      p.path = file;
      p.line = b.line;
    }
    return p;
  }

  /**
   * After a command that reported success: the database must hold `want` (each of those revisions is a head,
   * and none of `gone` is). An env.py that leaves SQLAlchemy 2's autobegun transaction open makes Alembic
   * finish without error and commit nothing: a configuration error naming env.py, not a finding against the
   * migrations that would then fail on tables that were never created.
   */
  reached(r: StepResult, what: string, want: readonly string[], gone: readonly string[] = []): void {
    if (!r.ok || r.heads === undefined) return;
    const before = this.heads;
    const got = r.heads;
    this.heads = [...got].sort();
    const applied = ancestors(got, this.byId);
    if (want.every((h) => applied.has(h)) && gone.every((h) => !applied.has(h))) return;
    const at = got.length ? got.join(', ') : 'base';
    if (this.heads.join(',') === before.join(',')) {
      const envPy = (this.ctx.setup.envPy && repoPath(this.ctx.setup.envPy)) ?? 'env.py';
      throw new UserError(
        `${what} ran without an error but was not committed: the database is still at ${at}. ${envPy} leaves its transaction open ` +
          `(with SQLAlchemy 2, a statement env.py runs on the connection before context.begin_transaction(), such as SET search_path, ` +
          `starts a transaction Alembic then leaves to env.py): call connection.commit() after that statement, or wrap run_migrations() in connection.begin()`,
      );
    }
    throw new ToolError(`${what} ended with the database at ${at}, not at ${[...want].join(', ') || 'base'}`);
  }

  row(revision: string): Row {
    const r: Row = { revision, up: '-', down: '-', reup: '-', durationMs: 0 };
    const rev = this.byId.get(revision);
    if (rev?.isMerge) r.note = `merge of ${rev.parents.join(' + ')}`;
    return r;
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
    this.heads = [];
    for (const id of applied) {
      const r = await this.ctx.session.step(id, true);
      if (!r.ok) return false;
      this.heads = [...(r.heads ?? [])].sort();
      await this.ctx.seed(id);
    }
    return true;
  }
}

/** Per revision up, down, up, over the whole graph; every failing revision is reported in one run. */
export async function alembicStepwise(ctx: AlembicRunContext, order: readonly string[]): Promise<RunResult> {
  const w = new Walker(ctx, 'stepwise');
  return keepPartial(w.res, async () => {
    const start = await ctx.session.current();
    w.heads = [...start.heads].sort();
    const applied: string[] = [...ancestors(start.heads, w.byId)].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    const blocked = new Map<string, string>();
    let s0 = await ctx.snapshot();
    const failing = new Set<string>();
    let stoppedAt: string | undefined;
    let lost = false;
    // After a failure that may have left the database in neither state: restored before the next revision
    // is tested (and never after the last one, when there is nothing left to test).
    let restore: { expected: readonly string[] | undefined; seed?: string } | undefined;
    const fail = (p: Problem) => {
      w.res.problems.push(p);
      if (p.rule === 'column-moved') return; // low: not a failing revision for max-failures
      failing.add(p.revision);
      if (ctx.maxFailures && failing.size >= ctx.maxFailures) stoppedAt ??= p.revision;
    };
    for (const id of order) {
      if (applied.includes(id)) continue;
      const rev = w.byId.get(id)!;
      const row = w.row(id);
      const needs = [...rev.parents, ...rev.dependsOn].find((p) => blocked.has(p));
      if (restore && stoppedAt === undefined && !lost && !needs) {
        if (!(await w.ensure(applied, restore.expected))) lost = true;
        else {
          if (restore.seed) await w.seed(restore.seed);
          s0 = await ctx.snapshot();
        }
        restore = undefined;
      }
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
        w.res.rows.push(row);
        continue;
      }
      const parentsHere = [...rev.parents, ...rev.dependsOn];
      const prev = order[order.indexOf(id) - 1];
      if (!rev.isMerge && parentsHere.length && !(parentsHere.length === 1 && parentsHere[0] === prev)) row.note = `on ${parentsHere.join(' + ')}`;
      const up = await ctx.session.step(id, true);
      row.durationMs += up.durationMs;
      if (!up.ok) {
        row.up = 'failed';
        fail(w.failure('up-failed', id, 'up', (r) => `upgrade to ${r}`, up));
        blocked.set(id, id);
        w.res.rows.push(row);
        restore = { expected: s0 };
        continue;
      }
      w.reached(up, `upgrade to ${id}`, [id]);
      row.up = 'ok';
      const s1 = await ctx.snapshot();
      if (ctx.irreversible.has(id) || rev.down === 'irreversible') {
        row.down = 'skipped';
        row.reup = 'skipped';
        row.note = 'irreversible: tested up only';
        applied.push(id);
        s0 = s1;
        await w.seed(id);
        w.res.rows.push(row);
        continue;
      }
      const down = await ctx.session.step(id, false);
      row.durationMs += down.durationMs;
      if (!down.ok) {
        row.down = 'failed';
        fail(w.failure('down-failed', id, 'down', (r) => `downgrade of ${r}`, down));
        applied.push(id);
        w.res.rows.push(row);
        restore = { expected: s1, seed: id };
        s0 = s1;
        continue;
      }
      w.reached(down, `downgrade of ${id}`, rev.parents, [id]);
      const s2 = await ctx.snapshot();
      const reup = await ctx.session.step(id, true);
      row.durationMs += reup.durationMs;
      const s3 = reup.ok ? (w.reached(reup, `re-upgrade to ${id}`, [id]), await ctx.snapshot()) : undefined;
      const v = judgeStep({ revision: id, before: s0, after: s1, down: s2, reup: s3, columnOrder: w.columnOrder });
      row.down = v.down;
      for (const p of v.problems) fail(p);
      applied.push(id);
      if (!reup.ok) {
        row.reup = 'failed';
        for (const p of explainReupFailure(
          v.problems,
          w.failure('reup-failed', id, 're-up', (r) => `re-upgrade to ${r}`, reup),
        ))
          fail(p);
        w.res.rows.push(row);
        // The downgrade left the database in neither state: rebuilt with this revision applied, if needed.
        restore = { expected: s1, seed: id };
        s0 = s1;
        continue;
      }
      row.reup = v.reup!;
      s0 = s3!;
      if (!(await w.seed(id))) row.note = 'seed failed';
      w.res.rows.push(row);
    }
    if (!lost) w.res.head = { revision: headsOf(applied, w.byId).join(','), lines: s0.length };
  });
}

/** Up to heads, down the top `steps` revisions one by one, up to heads again. */
export async function alembicRoundTrip(ctx: AlembicRunContext, order: readonly string[], steps: number): Promise<RunResult> {
  const w = new Walker(ctx, steps > 0 ? 'round-trip' : 'forward-only');
  const n = Math.min(steps, order.length);
  const low = order.slice(0, order.length - n);
  const top = order.slice(order.length - n);
  const rows = new Map(top.map((id) => [id, w.row(id)]));
  const head = headsOf(order, w.byId).join(',');
  const headRow = n === 0 ? w.row(head) : undefined;
  const upFailed = (r: StepResult, fallback: string) => {
    const p = w.failure('up-failed', fallback, 'up', (rev) => `upgrade to ${rev}`, r);
    w.res.problems.push(p);
    const row = rows.get(p.revision) ?? headRow ?? w.row(p.revision);
    row.up = 'failed';
    if (!rows.has(p.revision) && row !== headRow) rows.set(p.revision, row);
  };
  await keepPartial(w.res, async () => {
    const start = await ctx.session.current();
    w.heads = [...start.heads].sort();
    // 1. up to the revisions below the top n (one command per head: Alembic runs each in one env.py session).
    if (low.length && n > 0) {
      for (const h of headsOf(low, w.byId)) {
        const r = await ctx.session.upgrade(h);
        if (!r.ok) return upFailed(r, h);
        w.reached(r, `upgrade to ${h}`, [h]);
      }
    }
    if (n === 0) {
      const r = await ctx.session.upgrade('heads');
      headRow!.durationMs += r.durationMs;
      if (!r.ok) return upFailed(r, head);
      w.reached(r, 'upgrade to heads', ctx.info.heads);
      headRow!.up = 'ok';
      headRow!.down = 'skipped';
      headRow!.reup = 'skipped';
      headRow!.note = 'forward-only';
      w.res.head = { revision: head, lines: (await ctx.snapshot()).length };
      await w.seed(order.at(-1) ?? '');
      return;
    }
    // 2. up the top n one at a time, remembering the schema below and above each.
    const before = new Map<string, string[]>();
    const after = new Map<string, string[]>();
    let s = await ctx.snapshot();
    for (const id of top) {
      const row = rows.get(id)!;
      before.set(id, s);
      const r = await ctx.session.step(id, true);
      row.durationMs += r.durationMs;
      if (!r.ok) return upFailed(r, id);
      w.reached(r, `upgrade to ${id}`, [id]);
      row.up = 'ok';
      s = await ctx.snapshot();
      after.set(id, s);
    }
    const s1 = s;
    w.res.head = { revision: head, lines: s1.length };
    if (!(await w.seed(order.at(-1)!))) return;
    // 3. down, newest first; each downgrade is compared with the schema before its upgrade. What a newer
    //    downgrade left behind is still there below it: it is blamed once, on the newer revision.
    const leftovers: Problem[] = [];
    let known = { extra: [] as string[], missing: [] as string[] };
    for (const id of [...top].reverse()) {
      const row = rows.get(id)!;
      const rev = w.byId.get(id)!;
      if (ctx.irreversible.has(id) || rev.down === 'irreversible') {
        row.down = 'skipped';
        row.reup = 'skipped';
        row.note = `irreversible: the round trip stops above ${id}`;
        break;
      }
      const r = await ctx.session.step(id, false);
      row.durationMs += r.durationMs;
      if (!r.ok) {
        row.down = 'failed';
        w.res.problems.push(w.failure('down-failed', id, 'down', (rv) => `downgrade of ${rv}`, r));
        break;
      }
      w.reached(r, `downgrade of ${id}`, rev.parents, [id]);
      const s2 = await ctx.snapshot();
      const j = judgeDown({ revision: id, before: before.get(id)!, after: after.get(id)!, preDown: s, down: s2, columnOrder: w.columnOrder, known });
      row.down = j.status;
      known = remember(known, j.diff);
      w.res.problems.push(...j.problems);
      leftovers.push(...j.problems);
      s = s2;
    }
    // 4. up to heads again; a failure here after a leftover is explained by it.
    const reup = await ctx.session.upgrade('heads');
    const wentDown = [...rows.values()].filter((r) => r.down !== '-' && r.down !== 'skipped');
    for (const r of wentDown) r.durationMs += Math.round(reup.durationMs / Math.max(1, wentDown.length));
    if (!reup.ok) {
      for (const r of wentDown) r.reup = 'failed';
      w.res.problems.push(
        ...explainReupFailure(
          leftovers,
          w.failure('reup-failed', top.at(-1)!, 're-up', (rev) => `re-upgrade to ${rev}`, reup),
        ),
      );
      return;
    }
    w.reached(reup, 'upgrade to heads', ctx.info.heads);
    const v = judgeReup(head, s1, await ctx.snapshot(), w.columnOrder, `${head} (after down ${n})`);
    for (const r of wentDown) r.reup = v.status;
    const culprit = [...top].reverse().find((id) => rows.get(id)!.down !== '-') ?? head;
    w.res.problems.push(...v.problems.map((p) => ({ ...p, revision: culprit })));
  });
  w.res.rows.push(...rows.values());
  if (headRow) w.res.rows.push(headRow);
  return w.res;
}
