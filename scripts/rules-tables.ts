// The rules table of each action README, generated from the rule list in the action's own code by
// `npm run docs` (`tsx scripts/rules-tables.ts`); each action's tests check that its README is current. One
// generator: an action with a rule list adds an entry to RULES_TABLES (which columns, from which list).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULES as helmValidate } from '../actions/helm-validate/src/rules.js';
import { RULES as k8sDeployRollback } from '../actions/k8s-deploy-rollback/src/classify.js';
import { RULES as tfLockCheck } from '../actions/tf-lock-check/src/rules.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface RulesTable<R = never> {
  /** The folder under actions/. */
  action: string;
  /** Where the rules are listed, relative to the action folder (named in the README's marker). */
  source: string;
  /** Column heading → the cell of one rule (Markdown). */
  columns: Record<string, (rule: R) => string>;
  rules: readonly R[];
}

const table = <R>(t: RulesTable<R>): RulesTable<unknown> => t as RulesTable<unknown>;
const code = (s: string) => `\`${s}\``;

const RULES_TABLES: ReadonlyArray<RulesTable<unknown>> = [
  table({
    action: 'helm-validate',
    source: 'src/rules.ts',
    columns: {
      Rule: (r) => code(r.id),
      Group: (r) => r.group,
      'Default severity': (r) => r.severity,
      What: (r) => r.title,
      Fix: (r) => r.help,
      'Why this severity (peers)': (r) => r.rationale,
    },
    rules: helmValidate,
  }),
  table({
    action: 'k8s-deploy-rollback',
    source: 'src/classify.ts',
    columns: { Reason: (r) => r.reason, Signal: (r) => r.signal, Fails: (r) => r.when },
    rules: k8sDeployRollback,
  }),
  table({
    action: 'tf-lock-check',
    source: 'src/rules.ts',
    columns: { Rule: (r) => code(r.id), Severity: (r) => r.severity, What: (r) => r.title, 'Why and how to fix': (r) => r.help },
    rules: Object.values(tfLockCheck),
  }),
];

const END = '<!-- rules:end -->';
const begin = (t: RulesTable<unknown>) => `<!-- rules:begin (generated from ${t.source} by \`npm run docs\`; do not edit) -->`;
// A cell is one line, and a `|` in it is text, not a column break.
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** The table between its markers. */
function renderRulesTable(t: RulesTable<unknown>): string {
  const heads = Object.keys(t.columns);
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const rows = t.rules.map((r) => row(Object.values(t.columns).map((col) => cell(col(r)))));
  return [begin(t), row(heads), row(heads.map(() => '---')), ...rows, END].join('\n');
}

/** The README text with its rules table replaced; undefined when it has no rules markers. */
function withRulesTable(readme: string, t: RulesTable<unknown>): string | undefined {
  const a = readme.indexOf('<!-- rules:begin');
  const b = readme.indexOf(END);
  if (a < 0 || b < a) return undefined;
  return readme.slice(0, a) + renderRulesTable(t) + readme.slice(b + END.length);
}

export const readmePath = (t: RulesTable<unknown>) => join(root, 'actions', t.action, 'README.md');

/** The rules table of one action (throws for an action without one). */
export function rulesTableOf(action: string): RulesTable<unknown> {
  const t = RULES_TABLES.find((x) => x.action === action);
  if (!t) throw new Error(`no rules table for ${action} in scripts/rules-tables.ts`);
  return t;
}

/** Whether the action's README holds the current table (its tests call this). */
export function readmeIsCurrent(action: string): boolean {
  const t = rulesTableOf(action);
  const readme = readFileSync(readmePath(t), 'utf8');
  return withRulesTable(readme, t) === readme;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const t of RULES_TABLES) {
    const readme = readmePath(t);
    const next = withRulesTable(readFileSync(readme, 'utf8'), t);
    if (next === undefined) throw new Error(`${readme} has no rules markers (<!-- rules:begin … --> … ${END})`);
    writeFileSync(readme, next);
    console.log(`docs: actions/${t.action}/README.md (${t.rules.length} rules)`);
  }
}
