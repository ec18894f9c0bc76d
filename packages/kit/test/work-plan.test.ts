// planWork over an in-memory snapshot and change set (it is pure over both): the whole plan for each
// scope — everything, a global file, a change — so a refactor of it shows any difference at once.
import { describe, expect, it } from '@jest/globals';
import { type ChangeSet, type FileChange, type ItemKind, planWork, type RepoSnapshot } from '@platform-actions/kit';
import { chart, inDir } from './git-repo.js';

function snapshot(files: Record<string, string>): RepoSnapshot {
  return { root: '/in-memory', files: Object.keys(files).sort(), read: (rel) => files[rel], size: (rel) => files[rel]?.length ?? 0 };
}

const tree = {
  ...inDir('charts/lib', chart('lib', [], 'library')),
  ...inDir('charts/api', chart('api', [{ name: 'lib', repository: 'file://../lib' }])),
  ...inDir('charts/solo', chart('solo')),
  'ci/exceptions.yaml': 'x: 1\n',
  'images/app.tar': 'a'.repeat(4096),
  'docker/web/Dockerfile': 'FROM scratch\n',
  'README.md': 'hi\n',
};
const snap = snapshot(tree);
const change = (files: FileChange[] | null): ChangeSet => ({ files, label: files ? 'base..head' : 'everything', reason: files ? 'the pull request' : 'no base' });
const plan = (kind: ItemKind, files: FileChange[] | null, more: { paths?: string[]; images?: string[]; globalFiles?: string[] } = {}) =>
  planWork(snap, change(files), { kind, paths: more.paths ?? [], images: more.images, globalFiles: more.globalFiles });
const ids = (items: { id: string }[]) => items.map((i) => i.id);

describe('planWork: everything in scope', () => {
  it('no change set: every item, with the change set’s reason', () => {
    const p = plan('charts', null);
    expect(p.scope).toEqual({ label: 'everything', reason: 'no base', everything: true, changedFiles: 0 });
    expect(p.items.map((i) => [i.id, i.reasons, i.direct])).toEqual([
      ['charts:charts/api', ['no base'], undefined],
      ['charts:charts/lib', ['no base'], undefined],
      ['charts:charts/solo', ['no base'], undefined],
    ]);
    expect([p.unchanged, p.removed]).toEqual([[], []]);
  });

  it.each<[string, FileChange]>([
    ['a changed global file', { path: 'ci/exceptions.yaml', status: 'modified' }],
    ['a global file renamed away', { path: 'ci/old/exceptions.yaml', status: 'renamed', from: 'ci/exceptions.yaml' }],
  ])('%s checks everything, and says which file', (_name, f) => {
    const p = plan('charts', [f, { path: 'README.md', status: 'modified' }], { globalFiles: ['./ci/exceptions.yaml'] });
    const reason = `${f.path} changed, and a change to it (global-files) checks everything`;
    expect(p.scope).toEqual({ label: 'base..head', reason, everything: true, changedFiles: 2 });
    expect(p.items.map((i) => i.reasons)).toEqual([[reason], [reason], [reason]]);
  });

  it('global files that did not change leave the plan to the change', () => {
    const p = plan('charts', [{ path: 'README.md', status: 'modified' }], { globalFiles: ['ci/*.yaml'] });
    expect(p.scope).toEqual({ label: 'base..head', reason: 'the pull request', everything: false, changedFiles: 1 });
    expect(ids(p.items)).toEqual([]);
    expect(ids(p.unchanged)).toEqual(['charts:charts/api', 'charts:charts/lib', 'charts:charts/solo']);
  });
});

describe('planWork: a change', () => {
  it('charts: a library change checks it (direct) and its user (not direct); a deleted chart is removed', () => {
    const p = plan('charts', [
      { path: 'charts/lib/templates/_helpers.tpl', status: 'modified' },
      { path: 'charts/gone/Chart.yaml', status: 'deleted' },
    ]);
    expect(p.items.map((i) => [i.id, i.reasons, i.direct])).toEqual([
      ['charts:charts/api', ['uses chart charts/lib, which changed'], undefined],
      ['charts:charts/lib', ['1 file changed (templates/_helpers.tpl)'], true],
    ]);
    expect(ids(p.unchanged)).toEqual(['charts:charts/solo']);
    expect(p.removed).toEqual([{ id: 'charts:charts/gone', kind: 'charts', path: 'charts/gone', reason: 'deleted (Chart.yaml removed)' }]);
  });

  it('charts: paths narrow the items and what counts as removed', () => {
    const p = plan(
      'charts',
      [
        { path: 'charts/solo/values.yaml', status: 'modified' },
        { path: 'other/gone/Chart.yaml', status: 'deleted' },
      ],
      { paths: ['charts/solo/Chart.yaml'] },
    );
    expect(ids(p.items)).toEqual(['charts:charts/solo']);
    expect([p.unchanged, p.removed]).toEqual([[], []]);
  });

  it('images: a bare reference always, a tarball when it changed, a build folder when a file in it changed', () => {
    const images = ['registry.example/app:1', 'images/app.tar', 'web:dev docker/web'];
    const changed = plan('images', [{ path: 'images/app.tar', status: 'modified' }], { images });
    expect(changed.items.map((i) => [i.id, i.input, i.size, i.reasons])).toEqual([
      ['images:images/app.tar', 'image-input:images/app.tar', 4, ['images/app.tar changed']],
      ['images:registry.example/app:1', 'image:registry.example/app:1', 1, ['listed, and nothing in the repository tells whether it changed']],
    ]);
    expect(ids(changed.unchanged)).toEqual(['images:web:dev']);
    const built = plan('images', [{ path: 'docker/web/Dockerfile', status: 'modified' }], { images });
    expect(built.items.map((i) => [i.id, i.reasons, i.direct])).toEqual([
      ['images:registry.example/app:1', ['listed, and nothing in the repository tells whether it changed'], undefined],
      ['images:web:dev', ['1 file changed (Dockerfile)'], true],
    ]);
  });

  it('images: none listed is an empty plan', () => {
    expect(plan('images', [{ path: 'README.md', status: 'modified' }])).toEqual({
      kind: 'images',
      scope: { label: 'base..head', reason: 'the pull request', everything: false, changedFiles: 1 },
      items: [],
      unchanged: [],
      removed: [],
    });
  });
});
