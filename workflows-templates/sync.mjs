#!/usr/bin/env node
// The starter workflows in this folder are the single source of each scenario's pipeline; every example
// caller repository in examples/ carries a generated copy (as GitHub would render the template there:
// `$default-branch` becomes main). Nothing is kept twice by hand.
//
//   node workflows-templates/sync.mjs                    # write the example copies and the README tables
//   node workflows-templates/sync.mjs --check            # exit 1 when a generated file is stale (CI, tests)
//   node workflows-templates/sync.mjs --pin <sha> [--from <branch>]
//        # move every pin of this repository — the starters' calls of our reusable workflows and the
//        # examples' direct uses of our actions — to <sha> with the `# vX.Y.Z` of its CHANGELOG entry,
//        # then write the copies. <sha> must be a release: a commit reachable from <branch> (default
//        # origin/main, else main) whose CHANGELOG.md has that version as its newest section and nothing
//        # under Unreleased. `--from` names a maintenance branch (release/1.x), never a feature branch.
//   node workflows-templates/sync.mjs --export <dir> [--owner <org>]
//        # write <dir>/workflow-templates/<name>.yml and <name>.properties.json, the layout GitHub reads
//        # from an organisation's `.github` repository; --owner replaces `acme` in the calls.
// It also writes the tables of .github/workflows/README.md (what each reusable workflow runs, its
// permissions, inputs, outputs and secrets) from the workflow files, below the README's marker.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);

/**
 * Starter workflow → the example caller repository that runs it.
 * @public (read by the e2e tests through `node -e`)
 */
export const pipelines = {
  'helm-terraform-platform': 'sentiment-platform',
  'hardened-python-service': 'python-service-hardened',
  'flask-react-ci-cd': 'flask-react-app',
  'ml-staged-deploy': 'ml-platform',
  'versioned-k8s-release': 'trading-service',
};

/**
 * A pin of this repository: a reusable workflow (`acme/platform-actions/.github/workflows/<f>.yml`) or an
 * action (`acme/platform-actions/actions/<name>`) at a full commit SHA, with the comment that labels it.
 */
const OUR_PIN = /(acme\/platform-actions\/(?:\.github\/workflows\/[A-Za-z0-9._-]+\.ya?ml|actions\/[A-Za-z0-9._-]+))@([0-9a-f]{40})([ \t]*#[^\n]*)?/g;

const examplePath = (template) => join('examples', pipelines[template], '.github', 'workflows', `${template}.yml`);

function render(template, text) {
  const header = `# Generated from workflows-templates/${template}.yml by \`node workflows-templates/sync.mjs\`; edit the template.\n`;
  return header + text.replaceAll('$default-branch', 'main');
}

/** Thrown for anything the user must fix; main() prints the message as one line. */
class SyncError extends Error {}

const git = (args, cwd = root) => spawnSync('git', args, { cwd, encoding: 'utf8' });

/**
 * The released version a CHANGELOG text says its commit is: the newest `## [X.Y.Z]` section. A commit
 * whose Unreleased section still lists changes is not a release, whatever its newest section says.
 */
function releasedVersion(changelog) {
  const sections = [...changelog.matchAll(/^## \[?([^\]\s]+)\]?[^\n]*\n([\s\S]*?)(?=^## |(?![\s\S]))/gm)].map((m) => ({ name: m[1], body: m[2] }));
  const unreleased = sections.find((s) => /^unreleased$/i.test(s.name));
  if (unreleased && /^\s*[-*] /m.test(unreleased.body)) {
    return { error: 'its CHANGELOG.md still lists changes under Unreleased (a release moves them into its ## [X.Y.Z] section)' };
  }
  const release = sections.find((s) => /^\d+\.\d+\.\d+$/.test(s.name));
  if (!release) return { error: 'its CHANGELOG.md has no released ## [X.Y.Z] section' };
  return { version: `v${release.name}` };
}

/** The branch a pin must be reachable from: origin/main where the clone has it, else main. */
function defaultBranch(cwd) {
  return git(['rev-parse', '--verify', '--quiet', 'refs/remotes/origin/main'], cwd).status === 0 ? 'origin/main' : 'main';
}

/**
 * Checks that `sha` is a release this repository can be pinned to, and returns its `vX.Y.Z`.
 * @public (read by the e2e tests through `node -e`)
 */
export function releaseOf(sha, from, cwd = root) {
  if (!/^[0-9a-f]{40}$/.test(sha ?? '')) throw new SyncError('--pin expects a full 40-hex commit SHA');
  if (git(['cat-file', '-e', `${sha}^{commit}`], cwd).status !== 0) {
    throw new SyncError(`--pin ${sha}: no such commit in this clone (fetch it, or check the SHA)`);
  }
  const branch = from ?? defaultBranch(cwd);
  if (git(['rev-parse', '--verify', '--quiet', branch], cwd).status !== 0) throw new SyncError(`--from ${branch}: no such branch in this clone`);
  // GitHub serves a fork's commit under the parent repository's name too: only our own history counts.
  if (git(['merge-base', '--is-ancestor', sha, branch], cwd).status !== 0) {
    throw new SyncError(`--pin ${sha}: not reachable from ${branch}, so it was never merged (a fork's or an unmerged branch's commit); pin a release commit of ${branch}`);
  }
  const changelog = git(['show', `${sha}:CHANGELOG.md`], cwd);
  if (changelog.status !== 0) throw new SyncError(`--pin ${sha}: the commit has no CHANGELOG.md, so it has no version to write`);
  const r = releasedVersion(changelog.stdout);
  if (r.error) throw new SyncError(`--pin ${sha}: not a release: ${r.error}`);
  const tagged = git(['rev-parse', '--verify', '--quiet', `refs/tags/${r.version}^{commit}`], cwd);
  if (tagged.status === 0 && tagged.stdout.trim() !== sha) {
    throw new SyncError(`--pin ${sha}: its CHANGELOG says ${r.version}, but tag ${r.version} is ${tagged.stdout.trim()}; pin that commit`);
  }
  return r.version;
}

/** Every pin of this repository in `text` moved to `sha` and labelled `version`. */
const pinText = (text, sha, version) => text.replace(OUR_PIN, `$1@${sha} # ${version}`);

/** The example workflows that are not generated from a starter (they carry their own direct pins). */
function directExampleWorkflows() {
  const generated = new Set(Object.keys(pipelines).map(examplePath));
  const out = [];
  for (const ex of readdirSync(join(root, 'examples'))) {
    const dir = join('examples', ex, '.github', 'workflows');
    if (!existsSync(join(root, dir))) continue;
    for (const f of readdirSync(join(root, dir))) if (/\.ya?ml$/.test(f) && !generated.has(join(dir, f))) out.push(join(dir, f));
  }
  return out;
}

/** The organisation `.github` repository's `workflow-templates/` folder, written under `dir`. */
function exportTemplates(dir, owner) {
  if (owner !== undefined && !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(owner)) throw new SyncError(`--owner ${owner}: not a GitHub organisation name`);
  const out = join(dir, 'workflow-templates');
  mkdirSync(out, { recursive: true });
  const written = [];
  for (const template of Object.keys(pipelines)) {
    let text = readFileSync(join(here, `${template}.yml`), 'utf8');
    if (owner) text = text.replaceAll('acme/platform-actions/', `${owner}/platform-actions/`);
    writeFileSync(join(out, `${template}.yml`), text);
    writeFileSync(join(out, `${template}.properties.json`), readFileSync(join(here, `${template}.properties.json`)));
    written.push(`${template}.yml`, `${template}.properties.json`);
  }
  return written;
}

const MARKER = '<!-- generated by node workflows-templates/sync.mjs: do not edit below -->';
const cell = (v) =>
  String(v ?? '')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/\n/g, ' ')
    .trim();

/** The README section for the reusable workflows, generated from their YAML. */
function workflowDocs() {
  const dir = join(root, '.github', 'workflows');
  const parts = [];
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.yml'))
    .sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    const wf = parse(text);
    const call = wf?.on?.workflow_call;
    if (call) parts.push(...workflowSection(f, text, wf, call));
  }
  return parts.join('\n');
}

/** One workflow's section: what it runs, what the caller grants, its inputs, secrets (if any) and outputs. */
function workflowSection(file, text, wf, call) {
  return [
    `### \`${file}\``,
    '',
    headerDescription(text),
    '',
    `**Permissions the calling job grants:** ${callerPermissions(wf.jobs) || 'none (`permissions: {}`)'}`,
    '',
    ...inputsTable(call.inputs),
    ...secretsTable(call.secrets),
    ...outputsTable(call.outputs),
  ];
}

/** The header comment up to the first blank comment line (or the `# Caller` one) says what the workflow runs. */
function headerDescription(text) {
  const about = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#') || /^#\s*$/.test(line) || /^#\s*Caller/.test(line)) break;
    about.push(line.replace(/^#\s?/, ''));
  }
  return about.join(' ').replace(/\s+/g, ' ').trim();
}

/** Every permission a job asks for, the most any job needs (write wins over read); '' when none. */
function callerPermissions(jobs) {
  const perms = new Map();
  for (const job of Object.values(jobs ?? {})) {
    for (const [k, v] of Object.entries(job.permissions ?? {})) if (perms.get(k) !== 'write') perms.set(k, v);
  }
  return [...perms].map(([k, v]) => `\`${k}: ${v}\``).join(', ');
}

function inputsTable(inputs) {
  const row = ([k, v]) => `| \`${k}\` | ${v.type} | ${v.required ? '**required**' : `\`${cell(JSON.stringify(v.default))}\``} | ${cell(v.description)} |`;
  return ['| Input | Type | Default | Description |', '| --- | --- | --- | --- |', ...Object.entries(inputs ?? {}).map(row), ''];
}

/** Secrets get a table only when the workflow takes any. */
function secretsTable(secrets) {
  if (!Object.keys(secrets ?? {}).length) return [];
  const row = ([k, v]) => `| \`${k}\` | ${v?.required ? 'yes' : 'no'} | ${cell(v?.description)} |`;
  return ['| Secret | Required | Description |', '| --- | --- | --- |', ...Object.entries(secrets).map(row), ''];
}

function outputsTable(outputs) {
  return ['| Output | Description |', '| --- | --- |', ...Object.entries(outputs ?? {}).map(([k, v]) => `| \`${k}\` | ${cell(v.description)} |`), ''];
}

function option(argv, name) {
  const at = argv.indexOf(name);
  if (at < 0) return undefined;
  const v = argv[at + 1];
  if (v === undefined || v.startsWith('--')) throw new SyncError(`${name} needs a value`);
  return v;
}

function main(argv) {
  const check = argv.includes('--check');
  const pin = option(argv, '--pin');
  const from = option(argv, '--from');
  const exportDir = option(argv, '--export');
  if (exportDir !== undefined) {
    const written = exportTemplates(exportDir, option(argv, '--owner'));
    console.log(`sync: wrote ${written.length} files to ${join(exportDir, 'workflow-templates')} (commit them to the organisation's .github repository)`);
    return 0;
  }
  if (argv.includes('--pin') && pin === undefined) throw new SyncError('--pin needs a value');
  const version = pin !== undefined ? releaseOf(pin, from) : undefined;
  const stale = [];
  if (version) {
    for (const f of directExampleWorkflows()) {
      const text = readFileSync(join(root, f), 'utf8');
      const pinned = pinText(text, pin, version);
      if (pinned !== text) {
        writeFileSync(join(root, f), pinned);
        console.log(`sync: pinned ${f} to ${pin} # ${version}`);
      }
    }
  }
  for (const template of Object.keys(pipelines)) {
    const src = join(here, `${template}.yml`);
    let text = readFileSync(src, 'utf8');
    if (version) {
      text = pinText(text, pin, version);
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
  const readme = join(root, '.github', 'workflows', 'README.md');
  const current = readFileSync(readme, 'utf8');
  const at = current.indexOf(MARKER);
  if (at < 0) throw new SyncError(`${readme} lacks the marker line ${MARKER}`);
  const wantReadme = `${current.slice(0, at + MARKER.length)}\n\n${workflowDocs()}`;
  if (wantReadme !== current) {
    if (check) stale.push('.github/workflows/README.md');
    else {
      writeFileSync(readme, wantReadme);
      console.log('sync: wrote .github/workflows/README.md');
    }
  }
  if (stale.length) {
    console.error(`sync: stale generated files (run: node workflows-templates/sync.mjs): ${stale.join(', ')}`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof SyncError)) throw e;
    console.error(`sync: ${e.message}`);
    process.exitCode = 2;
  }
}
