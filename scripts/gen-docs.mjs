// npm run docs: regenerate the inputs/outputs tables in every action README from its action.yml (the rules
// tables come next, from scripts/rules-tables.ts).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAction, withTables } from './action-docs.mjs';
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
