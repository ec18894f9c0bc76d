// Change detection on real git repositories the tests build: which charts, roots, images and migration
// folders a pull request or push touched, against the base the kit's range planning picks.
import { afterAll, describe, expect, test } from '@jest/globals';
import { changeSet, eventFromData, Git, type ItemKind, planWork, repoSnapshot, type WorkPlan } from '@platform-actions/kit';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chart, inDir, TestRepo } from './git-repo.js';

const repos: TestRepo[] = [];
afterAll(() => repos.forEach((r) => r.remove()));
const repo = (files: Record<string, string>) => {
  const r = TestRepo.init(files);
  repos.push(r);
  return r;
};

const ZERO = '0'.repeat(40);
const prEvent = (base: string, head: string) =>
  eventFromData(
    { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REPOSITORY: 'acme/mono' },
    {
      number: 5,
      pull_request: { number: 5, base: { sha: base, ref: 'main', repo: { full_name: 'acme/mono' } }, head: { sha: head, ref: 'feature', repo: { full_name: 'acme/mono' } } },
      repository: { full_name: 'acme/mono', default_branch: 'main' },
    },
  );
const pushEvent = (before: string, after: string, extra: Record<string, unknown> = {}) =>
  eventFromData(
    { GITHUB_EVENT_NAME: 'push', GITHUB_REPOSITORY: 'acme/mono', GITHUB_REF: 'refs/heads/feature' },
    { ref: 'refs/heads/feature', before, after, repository: { full_name: 'acme/mono', default_branch: 'main' }, ...extra },
  );

/** The plan for an event in `r`, as the plan action makes it (no remote: nothing is fetched). */
async function planFor(
  r: TestRepo,
  kind: ItemKind,
  event: ReturnType<typeof prEvent>,
  opts: { paths?: string[]; images?: string[]; globalFiles?: string[] } = {},
): Promise<WorkPlan> {
  const git = await Git.open(r.dir);
  const changes = await changeSet(git, { kind: 'event', event, deepenLimit: 0 });
  return planWork(await repoSnapshot(git), changes, { kind, paths: opts.paths ?? [], images: opts.images, globalFiles: opts.globalFiles });
}
const paths = (p: WorkPlan) => p.items.map((i) => i.path);

describe('charts', () => {
  // A library chart used by three charts (one of them through another chart), and a chart that uses nothing.
  const lib = inDir('charts/lib', chart('lib', [], 'library'));
  const monorepo = {
    ...lib,
    ...inDir('charts/api', chart('api', [{ name: 'lib', repository: 'file://../lib' }])),
    ...inDir('charts/web', chart('web', [{ name: 'lib', repository: 'file://../lib' }])),
    ...inDir('charts/worker', chart('worker', [{ name: 'lib', repository: 'file://../lib/' }])),
    ...inDir('platform/umbrella', chart('umbrella', [{ name: 'api', repository: 'file://../../charts/api' }])),
    ...inDir('charts/standalone', chart('standalone')),
  };

  test('a change to a library chart checks it and the three charts that use it, and what uses them', async () => {
    const r = repo(monorepo);
    const base = r.git('rev-parse', 'HEAD');
    r.git('checkout', '-q', '-b', 'feature');
    const head = r.commit('lib: new helper', { 'charts/lib/templates/_helpers.tpl': '{{- define "lib.name" -}}lib2{{- end -}}\n' });
    const p = await planFor(r, 'charts', prEvent(base, head));
    expect(paths(p)).toEqual(['charts/api', 'charts/lib', 'charts/web', 'charts/worker', 'platform/umbrella']);
    expect(p.items.find((i) => i.path === 'charts/web')!.reasons).toEqual(['uses chart charts/lib, which changed']);
    expect(p.items.find((i) => i.path === 'platform/umbrella')!.reasons).toEqual(['uses chart charts/api, which changed']);
    expect(p.items.find((i) => i.path === 'charts/lib')!.reasons).toEqual(['1 file changed (templates/_helpers.tpl)']);
    expect(p.unchanged.map((i) => i.path)).toEqual(['charts/standalone']);
    expect(p.scope).toMatchObject({ label: 'merge-base(main, feature)..feature', everything: false, changedFiles: 1 });
  });

  test('the pull request is compared with its merge base: what main did since is not the PR’s change', async () => {
    const r = repo(monorepo);
    const fork = r.git('rev-parse', 'HEAD');
    r.git('checkout', '-q', '-b', 'feature');
    const head = r.commit('web: values', { 'charts/web/values.yaml': 'replicas: 2\n' });
    r.git('checkout', '-q', 'main');
    const mainTip = r.commit('standalone on main', { 'charts/standalone/values.yaml': 'replicas: 3\n' });
    r.git('checkout', '-q', 'feature');
    expect(fork).not.toBe(mainTip);
    expect(paths(await planFor(r, 'charts', prEvent(mainTip, head)))).toEqual(['charts/web']);
  });

  test('a renamed chart is an item at its new place; the old place is reported as moved, not checked', async () => {
    const r = repo(monorepo);
    const before = r.git('rev-parse', 'HEAD');
    const after = r.move('charts/standalone', 'charts/solo');
    const p = await planFor(r, 'charts', pushEvent(before, after));
    expect(paths(p)).toEqual(['charts/solo']);
    expect(p.items[0].reasons).toEqual(expect.arrayContaining(['moved here from charts/standalone']));
    expect(p.removed).toEqual([{ id: 'charts:charts/standalone', kind: 'charts', path: 'charts/standalone', reason: 'moved to charts/solo' }]);
  });

  test('a deleted chart is not an item; the charts that used it are (their dependency is gone)', async () => {
    const r = repo(monorepo);
    const before = r.git('rev-parse', 'HEAD');
    const after = r.commit('drop standalone and lib', { 'charts/standalone': null, 'charts/lib': null });
    const p = await planFor(r, 'charts', pushEvent(before, after));
    expect(paths(p)).toEqual(['charts/api', 'charts/web', 'charts/worker', 'platform/umbrella']);
    expect(p.removed.map((x) => [x.path, x.reason])).toEqual([
      ['charts/lib', 'deleted (Chart.yaml removed)'],
      ['charts/standalone', 'deleted (Chart.yaml removed)'],
    ]);
  });

  test('a change inside a vendored subchart (charts/<x>/charts/) belongs to the chart that vendors it', async () => {
    const r = repo({ ...monorepo, ...inDir('charts/api/charts/redis', chart('redis')) });
    const before = r.git('rev-parse', 'HEAD');
    const after = r.commit('bump vendored redis', { 'charts/api/charts/redis/values.yaml': 'replicas: 5\n' });
    const p = await planFor(r, 'charts', pushEvent(before, after));
    expect(paths(p)).toEqual(['charts/api', 'platform/umbrella']);
  });

  test('paths narrows the charts; a pattern that matches no chart is a configuration error', async () => {
    const r = repo(monorepo);
    const before = r.git('rev-parse', 'HEAD');
    const after = r.commit('lib', { 'charts/lib/values.yaml': 'x: 1\n' });
    expect(paths(await planFor(r, 'charts', pushEvent(before, after), { paths: ['charts/*'] }))).toEqual(['charts/api', 'charts/lib', 'charts/web', 'charts/worker']);
    await expect(planFor(r, 'charts', pushEvent(before, after), { paths: ['helm/*'] })).rejects.toThrow(
      'input "paths" matches no chart folder (no Chart.yaml there); got "helm/*"',
    );
  });

  test('a Chart.yaml that is an alias bomb is still a chart (helm-validate reports it), read within bounds', async () => {
    const lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++)
      lol.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const r = repo({ ...monorepo, 'charts/bomb/Chart.yaml': lol.join('\n') + '\n' });
    const before = r.git('rev-parse', 'HEAD');
    const after = r.commit('bomb', { 'charts/bomb/values.yaml': 'x: 1\n' });
    const t0 = Date.now();
    expect(paths(await planFor(r, 'charts', pushEvent(before, after)))).toEqual(['charts/bomb']);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  test('a change to a global file checks every chart', async () => {
    const r = repo({ ...monorepo, 'ci/exceptions.yaml': 'exceptions: []\n' });
    const before = r.git('rev-parse', 'HEAD');
    const after = r.commit('exceptions', { 'ci/exceptions.yaml': 'exceptions: [x]\n' });
    const p = await planFor(r, 'charts', pushEvent(before, after), { globalFiles: ['ci/*.yaml'] });
    expect(p.items).toHaveLength(6);
    expect(p.scope).toMatchObject({ everything: true, reason: 'ci/exceptions.yaml changed, and a change to it (global-files) checks everything' });
  });
});

describe('terraform', () => {
  const tf = (body: string) => `terraform {\n  required_version = ">= 1.6"\n}\n${body}`;
  const mono = {
    'modules/vpc/main.tf': 'resource "terraform_data" "vpc" {}\n',
    'modules/network/main.tf': 'module "vpc" {\n  source = "../vpc"\n}\n',
    'modules/db/main.tf': 'resource "terraform_data" "db" {}\n',
    'live/prod/app/main.tf': tf('module "net" {\n  source = "../../../modules/network" # via network\n}\n'),
    'live/prod/app/envs/prod.tfbackend': 'bucket = "acme-prod"\nkey = "app.tfstate"\n',
    'live/prod/edge/main.tf': tf('module "vpc" {\n  source = "../../../modules/vpc"\n}\n'),
    'live/prod/data/main.tf': tf('module "db" {\n  source = "../../../modules/db"\n}\n'),
    'live/stage/app/main.tf.json': JSON.stringify({ module: { vpc: { source: '../../../modules/vpc' } } }),
    'live/stage/dns/main.tf': tf(
      [
        '# module "old" { source = "../../../modules/vpc" }',
        '/* module "older" {',
        '  source = "../../../modules/vpc"',
        '} */',
        'locals {',
        '  doc = <<-EOT',
        '    module "x" {',
        '      source = "../../../modules/vpc"',
        '    }',
        '  EOT',
        '  s = "module \\"y\\" { source = \\"../../../modules/vpc\\" }"',
        '}',
        'module "registry" {',
        '  source  = "terraform-aws-modules/vpc/aws"',
        '  version = "5.0.0"',
        '}',
      ].join('\n'),
    ),
    'backends/shared.tfbackend': 'region = "eu-west-1"\n',
  };

  test('a module used by several roots (directly and through another module) checks exactly those roots', async () => {
    const r = repo(mono);
    const before = r.git('rev-parse', 'HEAD');
    const after = r.commit('vpc', { 'modules/vpc/main.tf': 'resource "terraform_data" "vpc2" {}\n' });
    const p = await planFor(r, 'terraform', pushEvent(before, after));
    // dns only mentions modules/vpc in comments, a heredoc and a string; it uses a registry module.
    expect(paths(p)).toEqual(['live/prod/app', 'live/prod/edge', 'live/stage/app']);
    expect(p.items.find((i) => i.path === 'live/prod/app')!.reasons).toEqual(['uses module modules/network, which changed']);
    expect(p.items.find((i) => i.path === 'live/prod/edge')!.reasons).toEqual(['uses module modules/vpc, which changed']);
    expect(p.unchanged.map((i) => i.path)).toEqual(['live/prod/data', 'live/stage/dns']);
  });

  test('the modules are not roots; a root’s size counts its modules’ files', async () => {
    const r = repo(mono);
    const before = r.git('rev-parse', 'HEAD');
    const after = r.commit('touch all', {
      'modules/db/main.tf': '# x\n',
      'live/stage/dns/main.tf': tf('# y\n'),
      'live/prod/app/main.tf': tf('module "net" {\n  source = "../../../modules/network"\n}\n# z\n'),
    });
    const p = await planFor(r, 'terraform', pushEvent(before, after));
    expect(paths(p)).toEqual(['live/prod/app', 'live/prod/data', 'live/stage/dns']);
    // app: its main.tf + modules/network + modules/vpc.
    expect(p.items.find((i) => i.path === 'live/prod/app')!.size).toBe(3);
  });

  test('a .tfbackend inside a root changes that root only', async () => {
    const r = repo(mono);
    const before = r.git('rev-parse', 'HEAD');
    const after = r.commit('prod backend', { 'live/prod/app/envs/prod.tfbackend': 'bucket = "acme-prod-2"\nkey = "app.tfstate"\n' });
    const p = await planFor(r, 'terraform', pushEvent(before, after));
    expect(paths(p)).toEqual(['live/prod/app']);
    expect(p.items[0].reasons).toEqual(['1 file changed (envs/prod.tfbackend)']);
  });

  test('a shared .tfbackend outside every Terraform folder changes every root under the nearest folder that holds roots', async () => {
    const r = repo({ ...mono, 'live/prod/prod.tfbackend': 'bucket = "p"\n' });
    const before = r.git('rev-parse', 'HEAD');
    const after = r.commit('shared backends', { 'live/prod/prod.tfbackend': 'bucket = "p2"\n' });
    const p = await planFor(r, 'terraform', pushEvent(before, after));
    expect(paths(p)).toEqual(['live/prod/app', 'live/prod/data', 'live/prod/edge']);
    expect(p.items[0].reasons).toEqual(['live/prod/prod.tfbackend changed (shared by every item under its folder)']);
    const after2 = r.commit('top backend', { 'backends/shared.tfbackend': 'region = "eu-west-2"\n' });
    expect(paths(await planFor(r, 'terraform', pushEvent(after, after2)))).toHaveLength(5);
  });

  test('a deleted root is reported as removed; a root moved elsewhere is checked at its new place', async () => {
    const r = repo(mono);
    const before = r.git('rev-parse', 'HEAD');
    r.git('rm', '-q', '-r', 'live/prod/data');
    r.git('mv', 'live/stage/dns', 'live/stage/zones');
    const after = r.commit('reshape');
    const p = await planFor(r, 'terraform', pushEvent(before, after));
    expect(paths(p)).toEqual(['live/stage/zones']);
    expect(p.removed.map((x) => [x.path, x.reason])).toEqual([
      ['live/prod/data', 'deleted (main.tf removed)'],
      ['live/stage/dns', 'moved to live/stage/zones'],
    ]);
  });
});

describe('the base the event gives', () => {
  const files = { ...inDir('charts/a', chart('a')), ...inDir('charts/b', chart('b')), ...inDir('charts/c', chart('c')) };

  test('push: before..after', async () => {
    const r = repo(files);
    const before = r.commit('a', { 'charts/a/values.yaml': 'a: 1\n' });
    const after = r.commit('b', { 'charts/b/values.yaml': 'b: 1\n' });
    expect(paths(await planFor(r, 'charts', pushEvent(before, after)))).toEqual(['charts/b']);
  });

  test('a new branch: what it adds to the default branch', async () => {
    const r = repo(files);
    r.commit('a on main', { 'charts/a/values.yaml': 'a: 1\n' });
    r.git('checkout', '-q', '-b', 'feature');
    const after = r.commit('c', { 'charts/c/values.yaml': 'c: 1\n' });
    const p = await planFor(r, 'charts', pushEvent(ZERO, after, { created: true }));
    expect(paths(p)).toEqual(['charts/c']);
    expect(p.scope.label).toBe('main..feature');
  });

  test('a force push: what the branch now adds to the default branch', async () => {
    const r = repo(files);
    r.git('checkout', '-q', '-b', 'feature');
    const old = r.commit('b', { 'charts/b/values.yaml': 'b: 1\n' });
    r.git('reset', '-q', '--hard', 'main');
    const rewritten = r.commit('c instead', { 'charts/c/values.yaml': 'c: 2\n' });
    const p = await planFor(r, 'charts', pushEvent(old, rewritten, { forced: true }));
    expect(paths(p)).toEqual(['charts/c']);
  });

  test('schedule and workflow_dispatch: everything', async () => {
    const r = repo(files);
    for (const name of ['schedule', 'workflow_dispatch']) {
      const p = await planFor(r, 'charts', eventFromData({ GITHUB_EVENT_NAME: name, GITHUB_REPOSITORY: 'acme/mono' }, {}));
      expect(p.scope.everything).toBe(true);
      expect(paths(p)).toEqual(['charts/a', 'charts/b', 'charts/c']);
    }
  });

  test('a push that deletes the branch: nothing to do', async () => {
    const r = repo(files);
    const head = r.git('rev-parse', 'HEAD');
    const p = await planFor(r, 'charts', pushEvent(head, ZERO, { deleted: true }));
    expect(p.items).toEqual([]);
    expect(p.scope.reason).toMatch(/deleted refs\/heads\/feature/);
  });

  test('a laptop: what the working tree (uncommitted and untracked files too) adds to a branch', async () => {
    const r = repo(files);
    r.git('checkout', '-q', '-b', 'feature');
    r.commit('a', { 'charts/a/values.yaml': 'a: 9\n' });
    writeFileSync(join(r.dir, 'charts/b/values.yaml'), 'b: 9\n');
    writeFileSync(join(r.dir, 'charts/c/values-new.yaml'), 'c: 9\n');
    const git = await Git.open(r.dir);
    const changes = await changeSet(git, { kind: 'ref', ref: 'main', worktree: true });
    const p = planWork(await repoSnapshot(git, { untracked: true }), changes, { kind: 'charts', paths: [] });
    expect(paths(p)).toEqual(['charts/a', 'charts/b', 'charts/c']);
    expect(changes.label).toBe('merge-base(main, HEAD)..working tree');
  });
});

describe('images and migration folders', () => {
  test('an image is checked when its tarball or build folder changed; a bare reference always', async () => {
    const r = repo({ 'images/api.tar': 'tar-1', 'images/web.tar': 'tar-1', 'services/worker/Dockerfile': 'FROM scratch\n', 'README.md': 'x\n' });
    const before = r.git('rev-parse', 'HEAD');
    const after = r.commit('api image', { 'images/api.tar': 'tar-2' });
    const images = ['images/api.tar', 'image-input:images/web.tar', 'ghcr.io/acme/worker:1.0 services/worker', 'ghcr.io/acme/base:2'];
    const p = await planFor(r, 'images', pushEvent(before, after), { images });
    expect(p.items.map((i) => [i.input, i.reasons])).toEqual([
      ['image:ghcr.io/acme/base:2', ['listed, and nothing in the repository tells whether it changed']],
      ['image-input:images/api.tar', ['images/api.tar changed']],
    ]);
    const after2 = r.commit('worker', { 'services/worker/Dockerfile': 'FROM busybox\n' });
    expect((await planFor(r, 'images', pushEvent(after, after2), { images })).items.map((i) => i.path)).toEqual(['ghcr.io/acme/base:2', 'ghcr.io/acme/worker:1.0']);
    await expect(planFor(r, 'images', pushEvent(after, after2), { images: ['images/gone.tar'] })).rejects.toThrow(
      'input "images" names an image tarball that is not in the repository',
    );
  });

  test('migration folders: a change under one checks that one; kind migrations needs paths', async () => {
    const r = repo({ 'svc/a/migrations/versions/001.py': '#\n', 'svc/a/migrations/env.py': '#\n', 'svc/b/migrations/001.sql': '--\n', 'svc/a/app.py': '#\n' });
    const before = r.git('rev-parse', 'HEAD');
    const after = r.commit('a migration', { 'svc/a/migrations/versions/002.py': '#\n', 'svc/a/app.py': '# x\n' });
    const p = await planFor(r, 'migrations', pushEvent(before, after), { paths: ['svc/*/migrations'] });
    expect(p.items.map((i) => [i.path, i.size])).toEqual([['svc/a/migrations', 3]]);
    await expect(planFor(r, 'migrations', pushEvent(before, after))).rejects.toThrow('input "paths" must name the migration folders');
  });
});
