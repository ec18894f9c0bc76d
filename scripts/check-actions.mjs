// Every action.yml declares the same runtime and points into its bundle, and its README shows exactly
// the inputs and outputs it declares (the generated table is current).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readAction, withTables } from './action-docs.mjs';
import { actionTargets, root, testActionTargets } from './targets.mjs';

const RUNTIME = 'node24';
const problems = [];
for (const t of [...actionTargets(), ...testActionTargets()]) {
  const rel = t.actionDir.replace(root + '/', '');
  const a = readAction(t.actionDir);
  if (a?.runs?.using !== RUNTIME) problems.push(`${rel}/action.yml: runs.using is "${a?.runs?.using}", expected "${RUNTIME}"`);
  const want = resolve(t.out, 'index.js');
  for (const key of ['main', 'post']) {
    if (a?.runs?.[key] && resolve(t.actionDir, a.runs[key]) !== want) problems.push(`${rel}/action.yml: runs.${key} should point at ${want.replace(root + '/', '')}`);
  }
  if (!a?.runs?.main) problems.push(`${rel}/action.yml: runs.main is missing`);
  if (!a?.description) problems.push(`${rel}/action.yml: description is missing`);
  for (const [kind, entries] of [
    ['input', a.inputs],
    ['output', a.outputs],
  ]) {
    for (const [n, spec] of Object.entries(entries ?? {})) if (!spec?.description) problems.push(`${rel}/action.yml: ${kind} "${n}" has no description`);
  }
  const readme = join(t.actionDir, 'README.md');
  if (!existsSync(readme)) problems.push(`${rel}/README.md is missing`);
  else {
    const text = readFileSync(readme, 'utf8');
    const next = withTables(text, a);
    if (next === undefined) problems.push(`${rel}/README.md has no generated inputs/outputs table (add the action-docs markers)`);
    else if (next !== text) problems.push(`${rel}/README.md: the inputs/outputs table does not match action.yml; run npm run docs`);
  }
}
if (problems.length) {
  console.error(`check-actions:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`check-actions: ${actionTargets().length + testActionTargets().length} action(s) use ${RUNTIME} and their README tables are current`);
