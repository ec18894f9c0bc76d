// npm run docs: regenerate the inputs/outputs tables in every action README from its action.yml, and the
// rules tables from each action's rule list (scripts/rules-tables.ts; run under tsx, which reads TypeScript).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAction, withTables } from './action-docs.mjs';
import { readmePath, RULES_TABLES, withRulesTable } from './rules-tables.ts';
import { actionTargets, testActionTargets } from './targets.mjs';

for (const t of [...actionTargets(), ...testActionTargets()]) {
  const readme = join(t.actionDir, 'README.md');
  if (!existsSync(readme)) {
    console.error(`docs: ${readme} is missing`);
    process.exitCode = 1;
    continue;
  }
  const next = withTables(readFileSync(readme, 'utf8'), readAction(t.actionDir));
  if (next === undefined) {
    console.error(`docs: ${readme} has no action-docs markers`);
    process.exitCode = 1;
    continue;
  }
  writeFileSync(readme, next);
  console.log(`docs: ${readme.replace(process.cwd() + '/', '')}`);
}

for (const t of RULES_TABLES) {
  const readme = readmePath(t);
  const next = withRulesTable(readFileSync(readme, 'utf8'), t);
  if (next === undefined) {
    console.error(`docs: ${readme} has no rules markers`);
    process.exitCode = 1;
    continue;
  }
  writeFileSync(readme, next);
  console.log(`docs: ${readme.replace(process.cwd() + '/', '')} (${t.rules.length} rules)`);
}
