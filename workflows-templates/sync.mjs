#!/usr/bin/env node
// The starter workflows in this folder are the single source of each scenario's pipeline; every example
// caller repository in examples/ carries a generated copy (as GitHub would render the template there:
// `$default-branch` becomes main). Nothing is kept twice by hand.
//
//   node workflows-templates/sync.mjs              # write the example copies
//   node workflows-templates/sync.mjs --check      # exit 1 when a copy is stale (CI, tests)
//   node workflows-templates/sync.mjs --pin <sha>  # pin every call of our reusable workflows to <sha>, then write
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);

/** Starter workflow → the example caller repository that runs it. */
export const pipelines = {
  'helm-terraform-platform': 'sentiment-platform',
  'hardened-python-service': 'python-service-hardened',
  'flask-react-ci-cd': 'flask-react-app',
  'ml-staged-deploy': 'ml-platform',
  'versioned-k8s-release': 'trading-service',
};

/** `uses:` of one of our reusable workflows, pinned by commit. */
export const OUR_WORKFLOW = /(acme\/platform-actions\/\.github\/workflows\/[A-Za-z0-9._-]+\.yml@)([0-9a-f]{40})/g;

export const examplePath = (template) => join('examples', pipelines[template], '.github', 'workflows', `${template}.yml`);

export function render(template, text) {
  const header = `# Generated from workflows-templates/${template}.yml by \`node workflows-templates/sync.mjs\`; edit the template.\n`;
  return header + text.replaceAll('$default-branch', 'main');
}

function main(argv) {
  const check = argv.includes('--check');
  const pinAt = argv.indexOf('--pin');
  const pin = pinAt >= 0 ? argv[pinAt + 1] : undefined;
  if (pinAt >= 0 && !/^[0-9a-f]{40}$/.test(pin ?? '')) {
    console.error('sync: --pin expects a full 40-hex commit SHA');
    return 2;
  }
  const stale = [];
  for (const template of Object.keys(pipelines)) {
    const src = join(here, `${template}.yml`);
    let text = readFileSync(src, 'utf8');
    if (pin) {
      text = text.replace(OUR_WORKFLOW, `$1${pin}`);
      writeFileSync(src, text);
    }
    const out = join(root, examplePath(template));
    const want = render(template, text);
    const have = existsSync(out) ? readFileSync(out, 'utf8') : undefined;
    if (have === want) continue;
    if (check) {
      stale.push(examplePath(template));
    } else {
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, want);
      console.log(`sync: wrote ${examplePath(template)}`);
    }
  }
  if (stale.length) {
    console.error(`sync: stale copies of the starter workflows (run: node workflows-templates/sync.mjs): ${stale.join(', ')}`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
