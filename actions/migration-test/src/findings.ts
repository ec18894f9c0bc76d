// Problems → kit Findings, located at the migration file so annotations and SARIF land on the revision
// that needs fixing. Fingerprints are rule + revision: stable across runs and line shifts.
import { readdirSync } from 'node:fs';
import { relative } from 'node:path';
import { type Finding, fingerprint, type Severity, workspace } from '@platform-actions/kit';
import type { Problem, RuleId, RunResult } from './execute.js';
import { ACTION } from './action.js';

type AllRules = RuleId | 'multiple-heads' | 'empty-downgrade-source' | 'models-differ';

const RULES: Record<AllRules, { title: string; severity: Severity; help: string }> = {
  'up-failed': { title: 'Upgrade failed', severity: 'high', help: 'The migration could not be applied. With seed data, check that existing rows satisfy the new constraints.' },
  'down-failed': { title: 'Downgrade failed', severity: 'high', help: 'The downgrade raised. Fix it, or declare the revision irreversible (irreversible-revisions).' },
  'reup-failed': {
    title: 'Upgrade after downgrade failed',
    severity: 'high',
    help: 'The migration cannot be re-applied after its downgrade, usually because the downgrade left an object behind.',
  },
  'seed-failed': { title: 'Seed SQL failed', severity: 'high', help: 'The seed SQL for this revision failed; it must fit the schema at that revision.' },
  'downgrade-left-trace': {
    title: 'Downgrade left a trace',
    severity: 'high',
    help: 'After the downgrade the schema differs from the one before the upgrade. Undo every object the upgrade created or changed.',
  },
  'reup-mismatch': {
    title: 'Re-upgrade gave a different schema',
    severity: 'high',
    help: 'Applying the migration again after its downgrade produced a different schema (e.g. a column moved to the end).',
  },
  'empty-downgrade': {
    title: 'Downgrade changes nothing',
    severity: 'high',
    help: 'The downgrade ran without error but undid nothing. Write the downgrade, or declare the revision irreversible.',
  },
  'column-moved': {
    title: 'Column moved',
    severity: 'low',
    help: 'After the downgrade (or the second upgrade) a column is in another position: a drop and re-add puts it at the end. Only positional access (SELECT *, INSERT or COPY without a column list) notices; column-order: strict makes this a trace.',
  },
  'empty-downgrade-source': {
    title: 'Empty downgrade()',
    severity: 'medium',
    help: 'downgrade() only contains pass: it passes every "downgrade works" test while undoing nothing.',
  },
  'models-differ': {
    title: 'Models differ from the migrations',
    severity: 'high',
    help: 'After upgrading to head, the models describe a schema the migrations did not build: the next autogenerate (or makemigrations) would write a migration for it. Write that migration, or change the models.',
  },
  'multiple-heads': { title: 'Multiple heads', severity: 'high', help: 'Two revisions share a parent; deployments break. Merge them with `alembic merge heads`.' },
};

/** Finds the file for a revision label: a known path, else a file in the migrations dir whose name contains it. */
export function locateRevision(revision: string, migrationsAbs: string, known?: Map<string, string>): string | undefined {
  const abs = known?.get(revision) ?? findByName(revision, migrationsAbs);
  if (!abs) return undefined;
  const rel = relative(workspace(), abs).split('\\').join('/');
  // A file outside the repository (only on the runner) cannot be annotated or linked.
  return rel.startsWith('../') || rel === '..' || rel.startsWith('/') ? undefined : rel;
}

function findByName(revision: string, dir: string): string | undefined {
  if (!revision || revision.length < 3) return undefined;
  try {
    const names = (readdirSync(dir, { recursive: true }) as string[]).filter((n) => n.includes(revision)).sort();
    return names[0] ? `${dir}/${names[0]}` : undefined;
  } catch {
    return undefined;
  }
}

export interface FindingInput {
  rule: AllRules;
  revision: string;
  message: string;
  path?: string;
  line?: number;
  diff?: string;
  /** Error text (exception and the user's frame) for SARIF when there is no diff. */
  error?: string;
  phase?: string;
  /** What tells this finding from others of its rule and revision (default: nothing else). */
  key?: string[];
}

export function toFinding(i: FindingInput): Finding {
  const r = RULES[i.rule];
  return {
    tool: ACTION,
    ruleId: i.rule,
    severity: r.severity,
    title: r.title,
    message: i.message,
    location: i.path ? { path: i.path, startLine: i.line ?? 1 } : undefined,
    // Model findings are about the models, not a revision (the head moves with every migration added).
    fingerprint: i.key ? fingerprint(ACTION, i.rule, ...i.key) : fingerprint(ACTION, i.rule, i.revision),
    help: { text: r.help },
    // SARIF carries the evidence: the snapshot diff, or the error text.
    properties: { revision: i.revision, ...(i.phase ? { phase: i.phase } : {}), ...(i.diff ? { diff: i.diff } : i.error ? { error: i.error } : {}) },
  };
}

export function problemsToFindings(problems: readonly Problem[], locate: (rev: string) => string | undefined): Finding[] {
  return problems.map((p) =>
    toFinding({
      rule: p.rule,
      revision: p.revision,
      message: p.message,
      path: p.path ?? locate(p.revision),
      line: p.line,
      diff: p.diff,
      error: p.diff ? undefined : p.output,
      phase: p.phase,
    }),
  );
}

/** The first finding of each fingerprint (a static and a dynamic check may see the same problem). */
export function firstOfEachFingerprint(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => (seen.has(f.fingerprint) ? false : (seen.add(f.fingerprint), true)));
}

/**
 * The first revision with a finding that fails the gate, in the order the revisions were tested: a failed
 * step, a leftover, and equally a static finding (an empty downgrade() in the source, a lint finding).
 */
export function failingRevision(failing: readonly Finding[], run: RunResult): string | undefined {
  const revs = failing.map((f) => String(f.properties?.revision ?? '')).filter(Boolean);
  if (!revs.length) return undefined;
  const rank = (rev: string) => {
    const i = run.rows.findIndex((r) => r.revision === rev);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return [...revs].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))[0];
}
