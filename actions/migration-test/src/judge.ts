// A step's verdict from its catalog snapshots, in one pure place for every tool and mode:
//   S0 (before the revision's upgrade) → up → S1 → down → S2 (must equal S0) → up → S3 (must equal S1).
// What a downgrade left behind or lost is a trace; a downgrade that changed nothing at all is an empty
// downgrade; a column that only moved (a drop and re-add puts it at the end) is its own low finding unless
// column-order is strict. Lines already blamed on a newer revision (a multi-step round trip, where each older
// snapshot still holds the newer leftover) are never blamed again.
import { type SnapshotDiff, describeDiff, diffSnapshots, enumValueLeftBehind, isEmptyDiff, renderDiff } from './diff.js';
import type { Problem, Status } from './execute.js';
import type { ColumnOrder } from './snapshot.js';

export interface JudgeInput {
  revision: string;
  /** S0: the schema before the revision's upgrade. */
  before: readonly string[];
  /** S1: the schema after its upgrade. */
  after: readonly string[];
  /** The schema right before its downgrade ran: S1 stepwise; in a round trip, after the newer downgrades. */
  preDown?: readonly string[];
  /** S2: the schema after its downgrade. */
  down: readonly string[];
  /** S3: the schema after the second upgrade, when it ran and succeeded. */
  reup?: readonly string[];
  columnOrder: ColumnOrder;
  /** Differences already blamed on a newer revision: left out of this one's. */
  known?: SnapshotDiff;
}

export interface Judgement {
  down: Status;
  /** Undefined when there was no S3 to judge. */
  reup?: Status;
  problems: Problem[];
}

const POSITION = / #\d+ /;
const withoutPosition = (line: string) => line.replace(POSITION, ' ');

/**
 * Splits off the column lines that differ only in their position (same column, type, default, …): a moved
 * column. Everything else stays in `rest`.
 */
export function splitMoves(d: SnapshotDiff): { moved: SnapshotDiff; rest: SnapshotDiff } {
  const isColumn = (l: string) => l.startsWith('column ') && POSITION.test(l);
  const extraBare = new Map(d.extra.filter(isColumn).map((l) => [withoutPosition(l), l]));
  const movedMissing = d.missing.filter((l) => isColumn(l) && extraBare.has(withoutPosition(l)));
  const movedExtra = new Set(movedMissing.map((l) => extraBare.get(withoutPosition(l))!));
  const mm = new Set(movedMissing);
  return {
    moved: { missing: movedMissing, extra: [...movedExtra] },
    rest: { missing: d.missing.filter((l) => !mm.has(l)), extra: d.extra.filter((l) => !movedExtra.has(l)) },
  };
}

/** `d` without the lines in `known`. */
function subtract(d: SnapshotDiff, known: SnapshotDiff | undefined): SnapshotDiff {
  if (!known) return d;
  const ke = new Set(known.extra);
  const km = new Set(known.missing);
  return { extra: d.extra.filter((l) => !ke.has(l)), missing: d.missing.filter((l) => !km.has(l)) };
}

/** Adds `d` to `known` (for the next, older revision of a round trip). */
export function remember(known: SnapshotDiff, d: SnapshotDiff): SnapshotDiff {
  return { extra: [...new Set([...known.extra, ...d.extra])], missing: [...new Set([...known.missing, ...d.missing])] };
}

const labels = (expected: string, actual: string) => ({ expected, actual });

function movedProblem(revision: string, phase: 'down' | 're-up', d: SnapshotDiff, expected: string, actual: string): Problem {
  const cols = [...new Set(d.extra.map((l) => l.split(' ')[1]))];
  const what = phase === 'down' ? `the downgrade of ${revision}` : `the second upgrade to ${revision}`;
  return {
    rule: 'column-moved',
    revision,
    phase,
    message: `after ${what} ${cols.length === 1 ? 'column' : 'columns'} ${cols.join(', ')} ${cols.length === 1 ? 'is' : 'are'} in another position (dropped and re-added at the end); nothing else differs`,
    diff: renderDiff(d, labels(expected, actual)),
  };
}

/** The downgrade's verdict: S2 against S0 (with S1 and the pre-down schema to tell an empty downgrade). */
export function judgeDown(i: JudgeInput): { status: Status; problems: Problem[]; diff: SnapshotDiff } {
  const { revision } = i;
  const full = diffSnapshots(i.before, i.down);
  const d = subtract(full, i.known);
  const { moved, rest } = i.columnOrder === 'strict' ? { moved: { extra: [], missing: [] }, rest: d } : splitMoves(d);
  const expected = `schema before upgrading to ${revision}`;
  const actual = `schema after downgrading ${revision}`;
  const problems: Problem[] = [];
  let status: Status = 'ok';
  if (!isEmptyDiff(rest)) {
    const upChanged = !isEmptyDiff(diffSnapshots(i.before, i.after));
    const downChanged = !isEmptyDiff(diffSnapshots(i.preDown ?? i.after, i.down));
    if (upChanged && !downChanged) {
      status = 'unchanged';
      problems.push({
        rule: 'empty-downgrade',
        revision,
        phase: 'down',
        message: `downgrade of ${revision} ran but changed nothing: ${describeDiff(rest)}.`,
        diff: renderDiff(rest, labels(expected, actual)),
      });
    } else {
      status = 'trace';
      const enumType = enumValueLeftBehind(rest);
      const hint = enumType
        ? ` Enum ${enumType} kept a value: PostgreSQL cannot drop enum values, so the downgrade must recreate the type (or mark the revision irreversible).`
        : '';
      problems.push({
        rule: 'downgrade-left-trace',
        revision,
        phase: 'down',
        message: `downgrade of ${revision} did not restore the schema: ${describeDiff(rest)}.${hint}`,
        diff: renderDiff(rest, labels(expected, actual)),
      });
    }
  }
  if (!isEmptyDiff(moved)) {
    if (status === 'ok') status = 'moved';
    problems.push(movedProblem(revision, 'down', moved, expected, actual));
  }
  return { status, problems, diff: d };
}

/** The second upgrade's verdict: S3 against S1. */
export function judgeReup(
  revision: string,
  first: readonly string[],
  second: readonly string[],
  columnOrder: ColumnOrder,
  what = revision,
): { status: Status; problems: Problem[] } {
  const d = diffSnapshots(first, second);
  const { moved, rest } = columnOrder === 'strict' ? { moved: { extra: [], missing: [] }, rest: d } : splitMoves(d);
  const expected = `schema after the first upgrade to ${what}`;
  const actual = `schema after the second upgrade to ${what}`;
  const problems: Problem[] = [];
  let status: Status = 'ok';
  if (!isEmptyDiff(rest)) {
    status = 'mismatch';
    problems.push({
      rule: 'reup-mismatch',
      revision,
      phase: 're-up',
      message: `upgrading to ${what} a second time gave a different schema: ${describeDiff(rest)}`,
      diff: renderDiff(rest, labels(expected, actual)),
    });
  }
  if (!isEmptyDiff(moved)) {
    if (status === 'ok') status = 'moved';
    problems.push(movedProblem(revision, 're-up', moved, expected, actual));
  }
  return { status, problems };
}

/** One revision's up/down/up verdict from its snapshots. */
export function judgeStep(i: JudgeInput): Judgement {
  const down = judgeDown(i);
  if (!i.reup) return { down: down.status, problems: down.problems };
  const reup = judgeReup(i.revision, i.after, i.reup, i.columnOrder);
  // A moved column shows again after the re-upgrade (the schema it left is the one re-upgraded): one finding.
  const reupProblems = reup.problems.filter((p) => !(p.rule === 'column-moved' && down.problems.some((q) => q.rule === 'column-moved')));
  return { down: down.status, reup: reup.status, problems: [...down.problems, ...reupProblems] };
}

/**
 * A re-upgrade that failed after a downgrade that did not restore the schema: one defect, one finding. The
 * leftover is the cause, the failure its symptom, told in the same finding; else the failure stands alone.
 */
export function explainReupFailure(downProblems: Problem[], failure: Problem): Problem[] {
  const cause =
    downProblems.find((p) => p.revision === failure.revision && (p.rule === 'downgrade-left-trace' || p.rule === 'empty-downgrade')) ??
    downProblems.find((p) => p.rule === 'downgrade-left-trace' || p.rule === 'empty-downgrade');
  if (!cause) return [failure];
  cause.message += ` That is why the re-upgrade failed: ${failure.message.replace(/^re-upgrade to \S+ failed: /, '')}`;
  cause.detail = [failure.output, failure.detail].filter(Boolean).join('\n');
  return [];
}
