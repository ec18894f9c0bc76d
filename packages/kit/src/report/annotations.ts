// Workflow-command annotations. GitHub keeps only 10 per level per step (50 per job) and drops the rest
// silently, so we choose: most severe first, and one closing notice that says what was left out and where
// to read it.
import * as core from '../core.js';
import { type Finding, type Severity, sortFindings } from '../findings.js';
import { scrub } from '../secrets.js';

type AnnotationLevel = 'error' | 'warning' | 'notice';

const levelFor = (s: Severity): AnnotationLevel => (s === 'critical' || s === 'high' ? 'error' : s === 'medium' ? 'warning' : 'notice');

/** GitHub's per-step limit for each level. */
const PER_LEVEL_CAP = 10;

interface Annotation {
  level: AnnotationLevel;
  message: string;
  properties: core.AnnotationProperties;
}

export interface AnnotationPlan {
  annotations: Annotation[];
  /** Findings that did not fit. */
  omitted: number;
}

/** Pure: which annotations to emit for `findings`, within the caps, with the closing notice last. */
export interface AnnotationOptions {
  cap?: number;
  whereToRead?: string;
  /**
   * Error slots to leave free for lines printed after the findings. A failing step's own failure line is an
   * error annotation too; printed as the 11th it would be dropped, and the PR author would see ten findings
   * but not why the step failed.
   */
  reserveErrors?: number;
}

export function planAnnotations(findings: readonly Finding[], opts: AnnotationOptions = {}): AnnotationPlan {
  const cap = opts.cap ?? PER_LEVEL_CAP;
  const errorCap = Math.max(0, cap - (opts.reserveErrors ?? 0));
  const used: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };
  const annotations: Annotation[] = [];
  let omitted = 0;
  const sorted = sortFindings(findings);
  // Keep one notice slot for the closing notice when some level overflows.
  const perLevel: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };
  for (const f of findings) perLevel[levelFor(f.severity)]++;
  const overflow = perLevel.error > errorCap || perLevel.warning > cap || perLevel.notice > cap;
  const noticeCap = overflow ? cap - 1 : cap;
  for (const f of sorted) {
    const level = levelFor(f.severity);
    const limit = level === 'notice' ? noticeCap : level === 'error' ? errorCap : cap;
    if (used[level] >= limit) {
      omitted++;
      continue;
    }
    used[level]++;
    annotations.push({ level, message: scrub(f.message), properties: annotationProperties(f) });
  }
  if (omitted > 0) {
    annotations.push({
      level: 'notice',
      message: `${omitted} more finding${omitted === 1 ? ' is' : 's are'} not annotated (GitHub shows at most ${cap} annotations per level per step). ${opts.whereToRead ?? 'See the job summary for all findings.'}`,
      properties: { title: 'More findings' },
    });
  }
  return { annotations, omitted };
}

function annotationProperties(f: Finding): core.AnnotationProperties {
  const p: core.AnnotationProperties = { title: scrub(`${f.severity.toUpperCase()} ${f.ruleId}: ${f.title}`) };
  if (f.location?.path) {
    p.file = f.location.path;
    if (f.location.startLine) {
      p.startLine = f.location.startLine;
      p.endLine = f.location.endLine ?? f.location.startLine;
      // Columns are only honoured on single-line annotations.
      if (p.endLine === p.startLine && f.location.startColumn) {
        p.startColumn = f.location.startColumn;
        if (f.location.endColumn) p.endColumn = f.location.endColumn;
      }
    }
  }
  return p;
}

/** Emits the planned annotations; returns the plan so callers can report counts. */
export function annotate(findings: readonly Finding[], opts: AnnotationOptions = {}): AnnotationPlan {
  const plan = planAnnotations(findings, opts);
  for (const a of plan.annotations) {
    if (a.level === 'error') core.error(a.message, a.properties);
    else if (a.level === 'warning') core.warning(a.message, a.properties);
    else core.notice(a.message, a.properties);
  }
  return plan;
}
