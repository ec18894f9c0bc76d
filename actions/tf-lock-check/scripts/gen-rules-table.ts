// Rewrites the rules table in actions/tf-lock-check/README.md from src/rules.ts (a test checks it is current).
//   npx tsx actions/tf-lock-check/scripts/gen-rules-table.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULES } from '../src/rules.js';

export const README = join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
export const BEGIN = '<!-- rules:begin (generated from src/rules.ts by scripts/gen-rules-table.ts; do not edit) -->';
export const END = '<!-- rules:end -->';

const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function rulesTable(): string {
  const rows = Object.values(RULES).map((r) => `| \`${r.id}\` | ${r.severity} | ${esc(r.title)} | ${esc(r.help)} |`);
  return `${BEGIN}\n| Rule | Severity | What | Why and how to fix |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n${END}`;
}

/** The README with its rules table replaced, or undefined when it has no markers. */
export function withRulesTable(readme: string): string | undefined {
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) return undefined;
  return readme.slice(0, a) + rulesTable() + readme.slice(b + END.length);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const next = withRulesTable(readFileSync(README, 'utf8'));
  if (next === undefined) throw new Error(`${README} has no rules markers`);
  writeFileSync(README, next);
  console.log(`rules table: ${Object.keys(RULES).length} rules → ${README}`);
}
