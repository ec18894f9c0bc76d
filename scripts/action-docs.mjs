// Inputs/outputs tables generated from action.yml, so a README never disagrees with the action.
// The table lives between two markers in each action's README.md.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';

const BEGIN = '<!-- action-docs:begin (generated from action.yml by `npm run docs`; do not edit) -->';
const END = '<!-- action-docs:end -->';

const esc = (s) =>
  String(s ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ')
    .trim();

export function readAction(dir) {
  return yaml.load(readFileSync(join(dir, 'action.yml'), 'utf8'));
}

function renderTables(action) {
  const inputs = Object.entries(action.inputs ?? {});
  const outputs = Object.entries(action.outputs ?? {});
  let md = '### Inputs\n\n';
  md += inputs.length
    ? '| Name | Description | Required | Default |\n| --- | --- | --- | --- |\n' +
      inputs
        .map(([n, i]) => `| \`${n}\` | ${esc(i.description)} | ${i.required ? 'yes' : 'no'} | ${i.default === undefined || i.default === '' ? '' : `\`${esc(i.default)}\``} |`)
        .join('\n') +
      '\n'
    : 'None.\n';
  md += '\n### Outputs\n\n';
  md += outputs.length ? '| Name | Description |\n| --- | --- |\n' + outputs.map(([n, o]) => `| \`${n}\` | ${esc(o.description)} |`).join('\n') + '\n' : 'None.\n';
  return `${BEGIN}\n${md}${END}`;
}

/** README text with the generated block replaced; undefined when the README has no markers. */
export function withTables(readme, action) {
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) return undefined;
  return readme.slice(0, a) + renderTables(action) + readme.slice(b + END.length);
}
