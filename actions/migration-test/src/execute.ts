// The two test modes over an abstract Driver (the migration tool plus the schema oracle), so the logic
// reads without process plumbing. Every step compares catalog snapshots:
//   stepwise, per revision: S0 → up → S1 → down → S2 (must equal S0) → up → S3 (must equal S1)
//   round-trip: up to head → S1 → down N → S2 → up to head → S3 (must equal S1)
// A failed command stops the run: after it the database is in an unknown state.
import { ToolError } from '@platform-actions/kit';
import { diffSnapshots, isEmptyDiff } from './diff.js';
import { explainReupFailure, judgeReup, judgeStep } from './judge.js';
import type { ColumnOrder } from './snapshot.js';

type Phase = 'up' | 'down' | 're-up' | 'seed';
export type RuleId = 'up-failed' | 'down-failed' | 'reup-failed' | 'seed-failed' | 'downgrade-left-trace' | 'reup-mismatch' | 'empty-downgrade' | 'column-moved';

export interface CommandOutcome {
  ok: boolean;
  /** Last lines of the tool's output (already scrubbed of the password). */
  output: string;
  durationMs: number;
  /** The tool refused the downgrade because this migration is irreversible (Django's IrreversibleError). */
  irreversible?: string;
}

export interface Driver {
  /** Brings the database to the state the first snapshot is taken in (Django: the apps the app depends on, migrated). */
  prepare?(): Promise<void>;
  snapshot(): Promise<string[]>;
  /** The current revision label ('' at base / before any migration). */
  current(): Promise<string>;
  up(): Promise<CommandOutcome>;
  upOne?(): Promise<CommandOutcome>;
  downOne?(): Promise<CommandOutcome>;
  downN?(n: number): Promise<CommandOutcome>;
  /** Runs the seed SQL for `revision` if there is one; returns the error line when it fails. */
  seed(revision: string): Promise<string | undefined>;
}

export interface Problem {
  rule: RuleId;
  /** The revision the problem belongs to (label from the bookkeeping table). */
  revision: string;
  phase: Phase;
  message: string;
  /** Readable snapshot diff, when the problem is a schema difference. */
  diff?: string;
  output?: string;
  /** Where the failure happened in the user's file (the innermost frame in a revision file). */
  path?: string;
  line?: number;
  /** Full tool output or traceback, folded in reports below the line that matters. */
  detail?: string;
}

export type Status = 'ok' | 'failed' | 'trace' | 'mismatch' | 'unchanged' | 'moved' | 'skipped' | '-';

export interface StepRow {
  revision: string;
  up: Status;
  down: Status;
  reup: Status;
  durationMs: number;
  note?: string;
}

export interface RunResult {
  mode: 'round-trip' | 'stepwise' | 'forward-only';
  rows: StepRow[];
  problems: Problem[];
  /** Snapshot at head (for the report), when reached. */
  head?: { revision: string; lines: number };
  /** The tool error that stopped the run part-way; what is above was still tested. */
  stopped?: ToolError;
}

export interface StepwiseOptions {
  /** Revision ids base → head when the tool can list them (Alembic); else the run stops when an up changes nothing. */
  revisions?: string[];
  /** Revisions whose downgrade is declared impossible: tested up only. */
  irreversible?: ReadonlySet<string>;
  maxSteps?: number;
  columnOrder?: ColumnOrder;
}

/** The line of a tool's output that says what went wrong: the last error-looking line, skipping SQLAlchemy's footers. */
export function keyLine(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^\(Background on this error|^\[SQL: |^\[parameters: |^\^+$/.test(l));
  const rev = [...lines].reverse();
  // Best: "<something>Error: message" / "error: message" (Python, Go, node-postgres); then any error word.
  const err = rev.find((l) => /^\S*(?:Error|Exception|error|ERROR|FATAL)\S*:\s+\S/.test(l)) ?? rev.find((l) => /(Error|Exception|ERROR|FATAL|error)\b:?/.test(l));
  return err ?? lines.pop() ?? '';
}

function failed(rule: RuleId, revision: string, phase: Phase, what: string, r: CommandOutcome): Problem {
  const last = keyLine(r.output);
  return { rule, revision, phase, message: `${what} failed${last ? `: ${last}` : ''}`, output: r.output };
}

/** Per revision: up, down, up, with S2 == S0 and S3 == S1 (judged by judgeStep). */
export async function runStepwise(d: Driver, opts: StepwiseOptions = {}): Promise<RunResult> {
  const { upOne, downOne } = d;
  if (!upOne || !downOne) throw new Error('stepwise needs one-step up and down commands');
  const res: RunResult = { mode: 'stepwise', rows: [], problems: [] };
  const columnOrder = opts.columnOrder ?? 'separate';
  return keepPartial(res, async () => {
    await d.prepare?.();
    let s0 = await d.snapshot();
    let c0 = await d.current();
    const revs = opts.revisions;
    const startIdx = revs ? (c0 === '' ? 0 : revs.indexOf(c0) + 1) : 0;
    const max = revs ? revs.length - startIdx : (opts.maxSteps ?? 1000);
    for (let i = 0; i < max; i++) {
      const expected = revs?.[startIdx + i];
      const row: StepRow = { revision: expected ?? `(after ${c0 || 'base'})`, up: '-', down: '-', reup: '-', durationMs: 0 };
      const done = (stop: boolean) => {
        res.rows.push(row);
        return stop;
      };
      const up = await upOne();
      row.durationMs += up.durationMs;
      if (!up.ok) {
        row.up = 'failed';
        res.problems.push(failed('up-failed', row.revision, 'up', `upgrade to ${row.revision}`, up));
        done(true);
        break;
      }
      const c1 = await d.current();
      if (!revs && c1 === c0) break; // nothing left to apply: head reached
      row.revision = c1;
      row.up = 'ok';
      // Seed rows go in once the revision's up/down/up cycle is over, so every later migration (and its
      // downgrade) meets them; seeding before the down would lose them to a DROP TABLE in the downgrade.
      const seeded = async (): Promise<boolean> => {
        const seedErr = await d.seed(c1);
        if (!seedErr) return true;
        res.problems.push({ rule: 'seed-failed', revision: c1, phase: 'seed', message: `seed SQL for ${c1} failed: ${seedErr}` });
        row.note = 'seed failed';
        return false;
      };
      const s1 = await d.snapshot();
      const down = opts.irreversible?.has(c1) ? undefined : await downOne();
      row.durationMs += down?.durationMs ?? 0;
      if (!down || (!down.ok && down.irreversible)) {
        // Declared irreversible, or the tool checked reversibility before touching anything: still at c1.
        row.down = 'skipped';
        row.reup = 'skipped';
        row.note = down ? `irreversible (${down.irreversible} cannot be reversed): tested up only` : 'irreversible: tested up only';
        s0 = s1;
        c0 = c1;
        if (done(!(await seeded()))) break;
        continue;
      }
      if (!down.ok) {
        row.down = 'failed';
        res.problems.push(failed('down-failed', c1, 'down', `downgrade of ${c1}`, down));
        done(true);
        break;
      }
      const s2 = await d.snapshot();
      const reup = await upOne();
      row.durationMs += reup.durationMs;
      const s3 = reup.ok ? await d.snapshot() : undefined;
      const v = judgeStep({ revision: c1, before: s0, after: s1, down: s2, reup: s3, columnOrder });
      row.down = v.down;
      res.problems.push(...v.problems);
      if (!reup.ok) {
        row.reup = 'failed';
        res.problems.push(...explainReupFailure(v.problems, failed('reup-failed', c1, 're-up', `re-upgrade to ${c1}`, reup)));
        done(true);
        break;
      }
      row.reup = v.reup!;
      s0 = s3!;
      c0 = await d.current();
      if (done(!(await seeded()))) break;
    }
    if (!res.problems.some((p) => p.rule.endsWith('-failed'))) res.head = { revision: c0, lines: s0.length };
  });
}

/**
 * Runs `body`, keeping what it recorded in `res` when a tool error stops it part-way (the server went away,
 * a step did not reach its target): what was tested before is still reported, next to the error.
 */
export async function keepPartial(res: RunResult, body: () => Promise<void>): Promise<RunResult> {
  try {
    await body();
  } catch (err) {
    if (!(err instanceof ToolError)) throw err;
    res.stopped ??= err;
  }
  return res;
}

/** Up to head, down `steps`, up to head again; S3 must equal S1. */
export async function runRoundTrip(d: Driver, steps: number, opts: { revisions?: readonly string[]; columnOrder?: ColumnOrder } = {}): Promise<RunResult> {
  const res: RunResult = { mode: steps > 0 ? 'round-trip' : 'forward-only', rows: [], problems: [] };
  const row: StepRow = { revision: 'head', up: '-', down: '-', reup: '-', durationMs: 0 };
  res.rows.push(row);
  return keepPartial(res, async () => {
    await d.prepare?.();
    const before = await d.current();
    const up = await d.up();
    row.durationMs += up.durationMs;
    const head = await d.current();
    if (!up.ok) {
      row.up = 'failed';
      row.revision = head || 'base';
      const culprit = await findFailingUp(d, opts.revisions);
      res.problems.push(failed('up-failed', culprit?.revision ?? (head ? `the migration after ${head}` : 'the first migration'), 'up', 'upgrade to head', culprit?.outcome ?? up));
      return;
    }
    row.revision = head;
    row.up = 'ok';
    const seedErr = await d.seed(head);
    if (seedErr) {
      res.problems.push({ rule: 'seed-failed', revision: head, phase: 'seed', message: `seed SQL for ${head} failed: ${seedErr}` });
      return;
    }
    const s1 = await d.snapshot();
    res.head = { revision: head, lines: s1.length };
    if (steps === 0) {
      row.down = 'skipped';
      row.reup = 'skipped';
      row.note = 'forward-only';
      return;
    }
    const down = steps === 1 || !d.downN ? await downRepeatedly(d, steps) : await d.downN(steps);
    row.durationMs += down.durationMs;
    // An irreversible migration is not a defect: the tool refused to go below it before changing anything,
    // so the round trip goes on from wherever the downgrade stopped.
    if (!down.ok && !down.irreversible) {
      row.down = 'failed';
      res.problems.push(failed('down-failed', head, 'down', `downgrade of ${steps} step(s) from ${head}`, down));
      return;
    }
    const after = await d.current();
    const s2 = await d.snapshot();
    row.note = `down ${steps} → ${after || 'base'}`;
    if (down.irreversible) row.note = `down stopped at ${after || 'base'}: ${down.irreversible} is irreversible`;
    if (down.irreversible && after === head) row.down = 'skipped';
    else if (isEmptyDiff(diffSnapshots(s1, s2)) && after !== head && after !== before) {
      row.down = 'unchanged';
      res.problems.push({
        rule: 'empty-downgrade',
        revision: head,
        phase: 'down',
        message: `downgrading ${steps} step(s) from ${head} to ${after || 'base'} changed no schema object (an empty downgrade, unless those migrations only change data)`,
      });
    } else row.down = 'ok';
    const reup = await d.up();
    row.durationMs += reup.durationMs;
    if (!reup.ok) {
      row.reup = 'failed';
      res.problems.push(failed('reup-failed', head, 're-up', `re-upgrade to ${head} after downgrading ${steps} step(s)`, reup));
      return;
    }
    const v = judgeReup(head, s1, await d.snapshot(), opts.columnOrder ?? 'separate', `${head} (after down ${steps})`);
    row.reup = v.status;
    res.problems.push(...v.problems);
  });
}

/**
 * After a failed "up to head", names the migration that failed. A transactional tool (Alembic runs the
 * whole upgrade in one transaction) rolled everything back, so the database's own revision says nothing:
 * step up one at a time until the step that fails. A tool that marks the failed version dirty
 * (golang-migrate) names it in its bookkeeping.
 */
async function findFailingUp(d: Driver, revisions?: readonly string[]): Promise<{ revision: string; outcome: CommandOutcome } | undefined> {
  if (!d.upOne) return undefined;
  for (let i = 0; i < (revisions?.length ?? 1000); i++) {
    const c = await d.current();
    const dirty = / \(dirty\)$/.exec(c);
    const r = await d.upOne();
    if (!r.ok) {
      const rev = dirty ? c.slice(0, dirty.index) : revisions?.[c ? revisions.indexOf(c) + 1 : 0];
      return rev ? { revision: rev, outcome: r } : undefined;
    }
    if ((await d.current()) === c) return undefined;
  }
  return undefined;
}

async function downRepeatedly(d: Driver, steps: number): Promise<CommandOutcome> {
  let total = 0;
  let last: CommandOutcome = { ok: true, output: '', durationMs: 0 };
  for (let i = 0; i < steps; i++) {
    last = await d.downOne!();
    total += last.durationMs;
    if (!last.ok) break;
  }
  return { ...last, durationMs: total };
}
