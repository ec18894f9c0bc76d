// Releases, pins and starters as GitHub treats them: the release workflow's order, subjects and tag
// writes, run against real git repositories with a FAKE `gh` (the GitHub REST API cannot run here); the
// pins every starter and example carries; `sync.mjs --pin` and `--export`; and the starters' filePatterns
// against their example repositories. Each rule quotes the GitHub documentation it encodes.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { errorLines, exampleWorkflows, load, runStep, stepNamed, templates } from '../helpers/workflows.js';

const work = mkdtempSync(join(tmpdir(), 'pa-release-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const gitEnv = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1' };
function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...gitEnv, HOME: work } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}
const commit = (cwd: string, files: Record<string, string>, message: string) => {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(cwd, p, '..'), { recursive: true });
    writeFileSync(join(cwd, p), text);
  }
  git(cwd, 'add', '-A');
  git(cwd, 'commit', '-qm', message);
  return git(cwd, 'rev-parse', 'HEAD');
};
const changelog = (version: string, unreleased = '') =>
  `# Changelog\n\n## [Unreleased]\n${unreleased}\n## [${version}] - 2026-12-01\n\n### Added\n- ${version}\n\n## [0.9.0] - 2026-01-01\n\n- old\n`;

/**
 * A FAKE `gh` (the GitHub REST API is not reachable here): answers the calls the release workflow makes
 * from a state folder, and records every write. Named as a fake; faithful to the shapes used.
 */
function fakeGh(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(join(dir, 'state', 'refs'), { recursive: true });
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'gh'),
    `#!/usr/bin/env bash
# FAKE gh for the release tests: state in ${dir}/state, every call appended to ${dir}/state/calls.
state="${dir}/state"
echo "$*" >> "$state/calls"
if [ "$1" = api ]; then
  shift; method=GET; args=()
  while [ $# -gt 0 ]; do case "$1" in -X) method="$2"; shift 2;; --jq|-f|-F) args+=("$1" "$2"); shift 2;; --silent) shift;; *) path="$1"; shift;; esac; done
  case "$method $path" in
    "GET repos/"*"/actions/workflows/ci.yml/runs?"*) echo "$(cat "$state/ci-passed" 2>/dev/null || echo 0)";;
    "GET repos/"*"/git/ref/tags/"*) t="\${path##*/}"; [ -f "$state/refs/$t" ] || { echo 'gh: Not Found (HTTP 404)' >&2; exit 1; }; cat "$state/refs/$t";;
    "POST repos/"*"/git/refs") for a in "\${args[@]}"; do case "$a" in ref=refs/tags/*) t="\${a#ref=refs/tags/}";; sha=*) s="\${a#sha=}";; esac; done; echo "$s" > "$state/refs/$t";;
    "PATCH repos/"*"/git/refs/tags/"*) t="\${path##*/}"; for a in "\${args[@]}"; do case "$a" in sha=*) echo "\${a#sha=}" > "$state/refs/$t";; esac; done;;
    *) echo "FAKE gh: unexpected $method $path" >&2; exit 2;;
  esac
elif [ "$1" = release ]; then
  exit 0
else
  echo "FAKE gh: unexpected $*" >&2; exit 2
fi
`,
  );
  chmodSync(join(bin, 'gh'), 0o755);
  return bin;
}

const release = load('.github/workflows/release.yml');

describe('the release workflow', () => {
  test('releases a commit of main on demand — never whatever a pushed tag points at', () => {
    expect(Object.keys(release.on as object)).toEqual(['workflow_dispatch']);
    expect(JSON.stringify(release.on)).not.toMatch(/tags/);
  });

  test('verification installs exactly the lockfile (npm ci) and rebuilds dist/', () => {
    const runs = (release.jobs.verify.steps ?? []).map((s) => s.run ?? '');
    expect(runs).toContain('npm ci --no-audit --no-fund');
    expect(runs.join('\n')).not.toMatch(/npm install/);
    expect(runs).toContain('npm run check:dist');
  });

  // GitHub's ruleset docs: "You can grant certain roles, teams, or apps bypass permissions"; the Actions
  // integration behind the workflow token cannot be one (422 "Actor GitHub Actions integration must be part
  // of the ruleset source or owner organization", reported in kwami-labs/kwami#73). Immutable releases: a
  // published release cannot be re-cut, so it is attested while still a draft.
  test('publish: protected environment, App token, draft → attest every file under dist/ → publish → move v1', () => {
    const job = release.jobs.publish;
    expect(job.environment).toBe('release');
    expect(job.needs).toBe('verify');
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write', attestations: 'write' });
    const steps = job.steps!;
    const at = (pred: (s: (typeof steps)[number]) => boolean) => steps.findIndex(pred);
    const order = [
      at((s) => s.uses?.startsWith('actions/create-github-app-token@') === true),
      at((s) => /gh release create "\$TAG" .*--draft/.test(s.run ?? '')),
      at((s) => s.uses?.startsWith('actions/attest-build-provenance@') === true),
      at((s) => /gh release edit "\$TAG" .*--draft=false/.test(s.run ?? '')),
      at((s) => s.name === 'Move the major tag to this release, never backwards'),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Every step that writes to GitHub does so with the App's token, never the workflow's.
    for (const s of steps) if (/gh (release|api -X)/.test(s.run ?? '')) expect([s.name, s.env?.GH_TOKEN]).toEqual([s.name, '${{ steps.app.outputs.token }}']);
    expect(JSON.stringify(job)).not.toMatch(/github\.token|secrets\.GITHUB_TOKEN/);
  });

  test('the attestation subject is every file under dist/ (bundles, wasm, schema bundle, package.json files)', () => {
    const attest = release.jobs.publish.steps!.find((s) => s.uses?.startsWith('actions/attest-build-provenance@'))!;
    const pattern = String(attest.with?.['subject-path']);
    // @actions/glob semantics for what is used here: `**` is any depth, `*` one path segment.
    const re = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*/g, '\0')
        .replace(/\*/g, '[^/]*')
        .replace(/\0/g, '.*')}$`,
    );
    const files = git('.', 'ls-files', 'dist').split('\n').filter(Boolean);
    expect(files.length).toBeGreaterThan(30);
    expect(files.filter((f) => !re.test(f))).toEqual([]);
    expect(files.some((f) => f.endsWith('.wasm'))).toBe(true);
  });

  // The commit check, run as the verify job runs it, in a real clone of a repository with a FAKE gh.
  describe('verify: a commit of main whose CI passed, releasing a new version', () => {
    const step = () => stepNamed('.github/workflows/release.yml', 'verify', 'commit');
    const origin = join(work, 'origin.git');
    const clone = join(work, 'clone');
    let main1 = '';
    let main2 = '';
    let side = '';
    const setup = () => {
      if (main2) return;
      git(work, 'init', '-q', '--bare', '-b', 'main', origin);
      git(work, 'clone', '-q', origin, clone);
      mkdirSync(join(clone, '.github'));
      cpSync('.github/release-notes.sh', join(clone, '.github', 'release-notes.sh'));
      main1 = commit(clone, { 'CHANGELOG.md': changelog('1.0.0') }, 'release 1.0.0');
      git(clone, 'tag', 'v1.0.0');
      main2 = commit(clone, { 'CHANGELOG.md': changelog('1.1.0') }, 'release 1.1.0');
      git(clone, 'push', '-q', 'origin', 'main', '--tags');
      git(clone, 'checkout', '-q', '-b', 'feature');
      side = commit(clone, { 'CHANGELOG.md': changelog('1.2.0') }, 'unmerged');
      git(clone, 'checkout', '-q', 'main');
    };
    const run = (env: Record<string, string>, ciPassed = '1') => {
      setup();
      const dir = mkdtempSync(join(work, 'gh-'));
      const bin = fakeGh(dir);
      writeFileSync(join(dir, 'state', 'ci-passed'), ciPassed);
      return runStep(step(), { VERSION: '1.1.0', REF: 'refs/heads/main', SHA: main2, REPO: 'acme/platform-actions', GH_TOKEN: 'ghs_x', ...env }, { cwd: clone, path: [bin] });
    };

    test('a green commit of main with its CHANGELOG section is released', () => {
      const r = run({});
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.output).toBe(`sha=${main2}\ntag=v1.1.0\n`);
    });

    test.each([
      ['started on another branch', { REF: 'refs/heads/feature' }, '1', 'run the release on main (this run is on refs/heads/feature)'],
      ['a commit that is not on main', { SHA: 'SIDE' }, '1', 'is not on main'],
      ['CI has not passed', {}, '0', 'ci.yml has not passed on'],
      ['a version that is not the newest CHANGELOG section', { VERSION: '0.9.0' }, '1', 'the newest section of CHANGELOG.md is 1.1.0, not 0.9.0'],
      ['not X.Y.Z', { VERSION: 'v1.1' }, '1', "version 'v1.1' is not X.Y.Z"],
    ])('%s: refused with one line', (_name, env, ci, message) => {
      setup();
      const resolved = Object.fromEntries(Object.entries(env as Record<string, string>).map(([k, v]) => [k, v === 'SIDE' ? side : v]));
      const r = run(resolved, ci);
      expect(r.status).toBe(1);
      expect(errorLines(r.stdout)).toEqual([expect.stringContaining(message)]);
    });

    test('a version already tagged, or older than the newest release, is refused', () => {
      setup();
      git(clone, 'tag', 'v1.1.0', main2);
      try {
        const again = run({});
        expect(errorLines(again.stdout)).toEqual([expect.stringContaining('v1.1.0 already exists')]);
      } finally {
        git(clone, 'tag', '-d', 'v1.1.0');
      }
      git(clone, 'tag', 'v2.0.0', main1);
      try {
        const older = run({});
        expect(errorLines(older.stdout)).toEqual([expect.stringContaining('v1.1.0 is not newer than v2.0.0')]);
      } finally {
        git(clone, 'tag', '-d', 'v2.0.0');
      }
    });
  });

  describe('the major tag moves forward only', () => {
    const step = () => stepNamed('.github/workflows/release.yml', 'publish', 'Move the major tag to this release, never backwards');
    const repo = join(work, 'major');
    let a = '';
    let b = '';
    let c = '';
    const setup = () => {
      if (a) return;
      mkdirSync(repo);
      git(repo, 'init', '-q', '-b', 'main');
      a = commit(repo, { f: '1' }, 'A');
      git(repo, 'tag', 'v1.0.0');
      b = commit(repo, { f: '2' }, 'B');
      git(repo, 'checkout', '-q', '-b', 'old', a);
      c = commit(repo, { f: '3' }, 'C, not after B');
      git(repo, 'checkout', '-q', 'main');
    };
    beforeAll(setup);
    const run = (v1: string | undefined, sha: string, tag: string) => {
      const dir = mkdtempSync(join(work, 'gh-'));
      const bin = fakeGh(dir);
      if (v1) writeFileSync(join(dir, 'state', 'refs', 'v1'), v1);
      const r = runStep(step(), { SHA: sha, TAG: tag, REPO: 'acme/platform-actions', GH_TOKEN: 'ghs_app' }, { cwd: repo, path: [bin] });
      const ref = existsSync(join(dir, 'state', 'refs', 'v1')) ? readFileSync(join(dir, 'state', 'refs', 'v1'), 'utf8').trim() : undefined;
      const writes = readFileSync(join(dir, 'state', 'calls'), 'utf8')
        .split('\n')
        .filter((l) => / -X /.test(` ${l} `));
      return { r, ref, writes };
    };

    test('created the first time', () => {
      const { r, ref, writes } = run(undefined, a, 'v1.0.0');
      expect(r.status).toBe(0);
      expect(ref).toBe(a);
      expect(writes).toEqual([`api -X POST repos/acme/platform-actions/git/refs -f ref=refs/tags/v1 -f sha=${a} --silent`]);
    });

    test('moved to a descendant that is the newest release of the line', () => {
      const { r, ref, writes } = run(a, b, 'v1.1.0');
      expect(r.status).toBe(0);
      expect(ref).toBe(b);
      expect(writes).toEqual([`api -X PATCH repos/acme/platform-actions/git/refs/tags/v1 -f sha=${b} -F force=true --silent`]);
    });

    test('never to a commit that does not descend from where it is', () => {
      const { r, ref, writes } = run(b, c, 'v1.1.1');
      expect(r.status).toBe(1);
      expect(errorLines(r.stdout)).toEqual([`::error title=v1 not moved::v1 stays at ${b}: ${c} does not descend from it, so moving it would go backwards`]);
      expect([ref, writes]).toEqual([b, []]);
    });

    test('never to a release older than one the line already has', () => {
      git(repo, 'tag', 'v1.2.0', b);
      try {
        const { r, ref, writes } = run(a, b, 'v1.1.5');
        expect(errorLines(r.stdout)).toEqual([`::error title=v1 not moved::v1 stays at ${a}: v1.2.0 is newer than v1.1.5`]);
        expect([ref, writes]).toEqual([a, []]);
      } finally {
        git(repo, 'tag', '-d', 'v1.2.0');
      }
    });
  });

  describe('release-notes.sh', () => {
    const notes = (args: string[], text: string) => {
      const f = join(mkdtempSync(join(work, 'cl-')), 'CHANGELOG.md');
      writeFileSync(f, text);
      return spawnSync('bash', ['.github/release-notes.sh', ...args, f], { encoding: 'utf8' });
    };

    test('prints a version section without its heading or the next one, and refuses a version without one', () => {
      const ok = notes(['v1.1.0'], changelog('1.1.0'));
      expect([ok.status, ok.stdout.trim()]).toEqual([0, '### Added\n- 1.1.0']);
      const missing = notes(['v0.0.1'], changelog('1.1.0'));
      expect([missing.status, missing.stderr.trim()]).toEqual([1, "release-notes: CHANGELOG.md has no '## 0.0.1' section"]);
    });

    test('--release: the version is the newest section and nothing is left under Unreleased', () => {
      expect(notes(['--release', 'v1.1.0'], changelog('1.1.0')).status).toBe(0);
      expect(notes(['--release', 'v0.9.0'], changelog('1.1.0')).stderr.trim()).toBe('release-notes: the newest section of CHANGELOG.md is 1.1.0, not 0.9.0');
      expect(notes(['--release', 'v1.1.0'], changelog('1.1.0', '\n### Fixed\n- a fix after the release\n')).stderr.trim()).toBe(
        'release-notes: CHANGELOG.md still lists changes under Unreleased; move them into the 1.1.0 section',
      );
    });
  });
});

// ---- pins ---------------------------------------------------------------------------------------------
const OUR_PIN = /acme\/platform-actions\/(?:\.github\/workflows\/[\w.-]+\.ya?ml|actions\/[\w.-]+)@(\S+)(?:[ \t]*#[ \t]*(.*))?/g;
const pinsIn = (files: string[]) => files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(OUR_PIN)].map((m) => ({ f, sha: m[1], comment: (m[2] ?? '').trim() })));

describe('pins of this repository in starters and examples', () => {
  const pins = pinsIn([...templates, ...exampleWorkflows]);

  test('every pin, starters and direct action uses alike, is one release commit with its # vX.Y.Z', () => {
    expect(new Set(pins.map((p) => p.f)).size).toBe(13);
    expect(pins.filter((p) => !/^[0-9a-f]{40}$/.test(p.sha) || !/^v\d+\.\d+\.\d+$/.test(p.comment))).toEqual([]);
    expect(new Set(pins.map((p) => `${p.sha} # ${p.comment}`)).size).toBe(1);
  });

  test("the pinned commit is in this repository's own history and its CHANGELOG says that version", () => {
    const { sha, comment } = pins[0];
    // Part of what is being tested (on main: reachable from main), never a commit only a fork has.
    expect(spawnSync('git', ['merge-base', '--is-ancestor', sha, 'HEAD']).status).toBe(0);
    const r = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `import { releaseOf } from './workflows-templates/sync.mjs'; console.log(releaseOf(${JSON.stringify(sha)}, 'HEAD'))`],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(comment);
  });
});

// The tables of .github/workflows/README.md, generated from the workflow files: this repository's own give
// the committed README; three more show each rule (header comment, permissions, inputs, secrets, outputs,
// a workflow nobody can call).
describe('sync.mjs: the reusable workflows README', () => {
  const fixture = `# Runs the fixture: a header comment
#   over two lines.
#
# Not part of the description.
name: fixture
on:
  workflow_call:
    inputs:
      plain:
        type: string
        required: true
        description: "a | pipe, a <tag> and\\na newline"
      with-default:
        type: boolean
        default: false
      no-default:
        type: string
    secrets:
      token:
        required: true
        description: the token
      bare:
    outputs:
      result:
        description: what it found
        value: \${{ jobs.a.outputs.r }}
jobs:
  a:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pull-requests: write
    steps: [{ run: 'true' }]
  b:
    runs-on: ubuntu-latest
    # The caller grants the most any job needs: write wins over read, in either order.
    permissions:
      pull-requests: read
      contents: write
      checks: read
    steps: [{ run: 'true' }]
`;
  const minimal = `# Minimal.
# Caller: a line that is not the description
on:
  workflow_call:
    inputs: {}
jobs:
  a:
    runs-on: ubuntu-latest
    steps: [{ run: 'true' }]
`;
  test('is the committed README for our workflows, plus one section per callable workflow added', () => {
    const copy = join(work, 'readme');
    for (const p of ['workflows-templates', '.github/workflows', 'examples']) cpSync(p, join(copy, p), { recursive: true });
    symlinkSync(resolve('node_modules'), join(copy, 'node_modules'));
    writeFileSync(join(copy, '.github/workflows/zz-fixture.yml'), fixture);
    writeFileSync(join(copy, '.github/workflows/zz-min.yml'), minimal);
    writeFileSync(join(copy, '.github/workflows/zz-push.yml'), 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{ run: "true" }]\n');
    const r = spawnSync(process.execPath, ['workflows-templates/sync.mjs'], { cwd: copy, encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    const added = [
      '',
      '### `zz-fixture.yml`',
      '',
      'Runs the fixture: a header comment over two lines.',
      '',
      '**Permissions the calling job grants:** `contents: write`, `pull-requests: write`, `checks: read`',
      '',
      '| Input | Type | Default | Description |',
      '| --- | --- | --- | --- |',
      '| `plain` | string | **required** | a \\| pipe, a &lt;tag> and a newline |',
      '| `with-default` | boolean | `false` |  |',
      '| `no-default` | string | `` |  |',
      '',
      '| Secret | Required | Description |',
      '| --- | --- | --- |',
      '| `token` | yes | the token |',
      '| `bare` | no |  |',
      '',
      '| Output | Description |',
      '| --- | --- |',
      '| `result` | what it found |',
      '',
      '### `zz-min.yml`',
      '',
      'Minimal.',
      '',
      '**Permissions the calling job grants:** none (`permissions: {}`)',
      '',
      '| Input | Type | Default | Description |',
      '| --- | --- | --- | --- |',
      '',
      '| Output | Description |',
      '| --- | --- |',
      '',
    ].join('\n');
    expect(readFileSync(join(copy, '.github/workflows/README.md'), 'utf8')).toBe(readFileSync('.github/workflows/README.md', 'utf8') + added);
  });
});

describe('sync.mjs', () => {
  // A copy of this repository's starters, examples and workflows in a git repository of its own, so that
  // pins can be tried against a history built for the test.
  const repo = join(work, 'sync');
  let released = '';
  let unreleased = '';
  let unmerged = '';
  const setup = () => {
    if (released) return;
    mkdirSync(repo);
    git(repo, 'init', '-q', '-b', 'main');
    for (const p of ['workflows-templates', '.github/workflows', 'examples']) cpSync(p, join(repo, p), { recursive: true });
    symlinkSync(resolve('node_modules'), join(repo, 'node_modules'));
    writeFileSync(join(repo, '.gitignore'), 'node_modules\n');
    released = commit(repo, { 'CHANGELOG.md': changelog('1.2.0') }, 'release 1.2.0');
    unreleased = commit(repo, { 'CHANGELOG.md': changelog('1.2.0', '\n### Added\n- not released yet\n') }, 'after the release');
    git(repo, 'checkout', '-q', '-b', 'fork-pr');
    unmerged = commit(repo, { 'CHANGELOG.md': changelog('1.3.0') }, 'a release-looking commit nobody merged');
    git(repo, 'checkout', '-q', 'main');
  };
  const sync = (...args: string[]) => {
    setup();
    return spawnSync(process.execPath, ['workflows-templates/sync.mjs', ...args], { cwd: repo, encoding: 'utf8' });
  };

  test.each([
    ['a SHA that does not exist', () => 'f'.repeat(40), 'no such commit in this clone'],
    ['a commit not reachable from main', () => unmerged, 'not reachable from main, so it was never merged'],
    ['a commit with unreleased changes', () => unreleased, 'not a release: its CHANGELOG.md still lists changes under Unreleased'],
    ['an abbreviated SHA', () => released.slice(0, 12), '--pin expects a full 40-hex commit SHA'],
  ])('--pin refuses %s, and changes nothing', (_name, sha, message) => {
    setup();
    const before = git(repo, 'status', '--porcelain');
    const r = sync('--pin', sha());
    expect([r.status, r.stderr.trim()]).toEqual([2, expect.stringContaining(message)]);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(git(repo, 'status', '--porcelain')).toBe(before);
  });

  test('--pin refuses a commit whose version tag is another commit', () => {
    setup();
    git(repo, 'tag', 'v1.2.0', unreleased);
    try {
      expect(sync('--pin', released).stderr.trim()).toBe(`sync: --pin ${released}: its CHANGELOG says v1.2.0, but tag v1.2.0 is ${unreleased}; pin that commit`);
    } finally {
      git(repo, 'tag', '-d', 'v1.2.0');
    }
  });

  test('--pin <release> moves every pin — starters, their copies and the direct action pins of the examples — and writes # v1.2.0', () => {
    const r = sync('--pin', released);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const files = [
      ...readdirSync(join(repo, 'workflows-templates'))
        .filter((f) => f.endsWith('.yml'))
        .map((f) => join(repo, 'workflows-templates', f)),
      ...exampleWorkflows.map((f) => join(repo, f)),
    ];
    const pins = pinsIn(files);
    expect(new Set(pins.map((p) => p.f.slice(repo.length + 1))).size).toBe(13);
    expect(pins.filter((p) => p.sha !== released || p.comment !== 'v1.2.0')).toEqual([]);
    // The direct uses of our actions (not generated from a starter) were moved too.
    for (const f of [
      'examples/helm-microservices/.github/workflows/charts.yml',
      'examples/python-web-service-migrations/.github/workflows/migrations.yml',
      'examples/python-web-service-secrets/.github/workflows/secrets.yml',
    ]) {
      expect(readFileSync(join(repo, f), 'utf8')).toContain(`@${released} # v1.2.0`);
    }
    expect(sync('--check').status).toBe(0);
  });

  // "If it doesn't already exist, create a new repository named .github in your organization. Create a
  // directory named workflow-templates. Create your new workflow file inside the workflow-templates
  // directory. Create a metadata file inside the workflow-templates directory."
  // — https://docs.github.com/en/actions/how-tos/reuse-automations/create-workflow-templates
  test('--export writes the workflow-templates/ layout of an organisation .github repository, for another owner', () => {
    const out = join(work, 'dot-github');
    const r = sync('--export', out, '--owner', 'example-corp');
    expect(r.status).toBe(0);
    const names = templates.map((f) => f.replace('workflows-templates/', '').replace(/\.yml$/, ''));
    expect(readdirSync(out)).toEqual(['workflow-templates']);
    expect(readdirSync(join(out, 'workflow-templates')).sort()).toEqual(names.flatMap((n) => [`${n}.properties.json`, `${n}.yml`]).sort());
    for (const n of names) {
      const text = readFileSync(join(out, 'workflow-templates', `${n}.yml`), 'utf8');
      expect(text).toContain('example-corp/platform-actions/.github/workflows/');
      expect(text).not.toContain('acme/');
      // GitHub replaces the placeholder when a team creates the workflow.
      if (/branches: \[/.test(text)) expect(text).toContain('$default-branch');
      expect(readFileSync(join(out, 'workflow-templates', `${n}.properties.json`), 'utf8')).toBe(readFileSync(`workflows-templates/${n}.properties.json`, 'utf8'));
    }
    expect(sync('--export', out, '--owner', 'not an org').stderr.trim()).toBe('sync: --owner not an org: not a GitHub organisation name');
  });
});

describe('starters GitHub will offer', () => {
  // "filePatterns - Optional. Allows the workflow to be used if the user's repository has a file in its
  // root directory that matches a defined regular expression."
  // — https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations#workflow-templates
  const { pipelines } = JSON.parse(
    spawnSync(process.execPath, ['--input-type=module', '-e', "import { pipelines } from './workflows-templates/sync.mjs'; console.log(JSON.stringify({ pipelines }))"], {
      encoding: 'utf8',
    }).stdout,
  ) as { pipelines: Record<string, string> };

  test.each(Object.entries(pipelines))('%s: metadata GitHub requires, and every filePattern matches a file in the root of %s', (template, example) => {
    const props = JSON.parse(readFileSync(`workflows-templates/${template}.properties.json`, 'utf8')) as {
      name?: string;
      description?: string;
      iconName?: string;
      filePatterns?: string[];
    };
    expect(typeof props.name).toBe('string');
    expect(typeof props.description).toBe('string');
    expect(props.iconName).toMatch(/^octicon [a-z0-9-]+$/);
    const rootFiles = readdirSync(join('examples', example)).filter((f) => statSync(join('examples', example, f)).isFile());
    expect(props.filePatterns?.length).toBeGreaterThan(0);
    for (const p of props.filePatterns ?? []) {
      const re = new RegExp(p);
      expect([p, rootFiles.filter((f) => re.test(f)).length > 0]).toEqual([p, true]);
      // A pattern that needs a folder can never match a root file name.
      expect([p, /\/|\\\//.test(p)]).toEqual([p, false]);
    }
  });
});
