// Which `uses:` is ours: by repository identity, never by a name alone (someone else's trivy-scan or ci.yml
// is not ours), `$/` only inside our own workflows, `./actions/<name>` only in our own repository; and when a
// pinned ref is the build that runs.
import { describe, expect, it } from '@jest/globals';
import { classify, type Identity, sameBuild, withoutRef } from '../src/ours.js';
import { repositoryOf } from '../src/assets.js';
import { nameStages } from '../src/workflows.js';

const id: Identity = { repositories: ['acme/platform-actions', 'fork-org/pa-fork'], actions: ['gitleaks-scan', 'trivy-scan'], workflows: ['security-scan.yml', 'terraform.yml'] };
const consumer = { inOurs: false, checkedIsOurs: false };
const inOurs = { inOurs: true, checkedIsOurs: false };
const ourCheckout = { inOurs: false, checkedIsOurs: true };

describe('classify', () => {
  it.each([
    [
      'acme/platform-actions/actions/trivy-scan@0123456789abcdef0123456789abcdef01234567',
      consumer,
      { kind: 'action', name: 'trivy-scan', ref: '0123456789abcdef0123456789abcdef01234567' },
    ],
    ['ACME/Platform-Actions/actions/trivy-scan@v1', consumer, { kind: 'action', name: 'trivy-scan', ref: 'v1' }],
    ['fork-org/pa-fork/actions/gitleaks-scan@main', consumer, { kind: 'action', name: 'gitleaks-scan', ref: 'main' }],
    ['acme/platform-actions/.github/workflows/security-scan.yml@v1', consumer, { kind: 'workflow', file: 'security-scan.yml', ref: 'v1' }],
    // Same names, someone else's repository: not ours.
    ['other-org/lib/actions/trivy-scan@main', consumer, { kind: 'not-ours' }],
    ['some-org/ops-actions/.github/workflows/terraform.yml@main', consumer, { kind: 'not-ours' }],
    ['my-org/shared-workflows/.github/workflows/ci.yml@v3', consumer, { kind: 'not-ours' }],
    ['actions/checkout@v4', consumer, { kind: 'not-ours' }],
    ['docker://alpine:3', consumer, { kind: 'not-ours' }],
    // Ours, but not in this version.
    ['acme/platform-actions/actions/unknown@v1', consumer, { kind: 'not-ours', why: 'this version has no actions/unknown' }],
    ['acme/platform-actions/.github/workflows/nope.yml@v1', consumer, { kind: 'not-ours', why: 'this version has no workflow nope.yml' }],
    // $/ means the workflow file's own repository.
    ['$/actions/trivy-scan', inOurs, { kind: 'action', name: 'trivy-scan' }],
    ['$/actions/trivy-scan', consumer, { kind: 'not-ours', why: '$/ in your own workflow names your own repository' }],
    // ./ is the checked repository.
    ['./.github/workflows/ci.yml', consumer, { kind: 'local-workflow', path: '.github/workflows/ci.yml' }],
    ['./actions/trivy-scan', consumer, { kind: 'local-action', path: 'actions/trivy-scan' }],
    ['./actions/trivy-scan', ourCheckout, { kind: 'action', name: 'trivy-scan' }],
    ['./tools/scan/', consumer, { kind: 'local-action', path: 'tools/scan' }],
  ])('%s', (uses, where, want) => {
    expect(classify(uses, id, where)).toEqual(want);
  });

  it('lists a not-ours by what it is, without the ref', () => {
    expect(withoutRef('other-org/lib/actions/trivy-scan@main')).toBe('other-org/lib/actions/trivy-scan');
    expect(withoutRef('actions/checkout')).toBe('actions/checkout');
  });
});

describe('sameBuild', () => {
  const build = { version: '1.2.0', commit: 'a5b8dea44ae89225008eecdfb20ae9ccd6a5c7ed' };
  it.each([
    ['a5b8dea44ae89225008eecdfb20ae9ccd6a5c7ed', true],
    ['a5b8dea', true],
    ['A5B8DEA44AE8', true],
    ['0123456789abcdef0123456789abcdef01234567', false],
    ['v1.2.0', true],
    ['1.2.0', true],
    ['v1', false],
    ['main', false],
  ])('%s → %s', (ref, want) => {
    expect(sameBuild(ref, build)).toBe(want);
  });
  it('a build without a known commit matches no SHA', () => {
    expect(sameBuild('a5b8dea', { version: '1.2.0', commit: '' })).toBe(false);
  });
});

describe('repositoryOf (package.json repository)', () => {
  it.each([
    ['git+https://github.com/acme/platform-actions.git', 'acme/platform-actions'],
    [{ url: 'https://github.com/acme/platform-actions' }, 'acme/platform-actions'],
    ['github:acme/platform-actions', 'acme/platform-actions'],
    ['acme/platform-actions', 'acme/platform-actions'],
    ['git@github.com:acme/platform-actions.git', 'acme/platform-actions'],
    [undefined, undefined],
  ])('%j → %s', (repo, want) => {
    expect(repositoryOf(repo as never)).toBe(want);
  });
});

describe('stage names', () => {
  it('names stages by action, by job when an action repeats, then numbers them', () => {
    const base = { workflow: 'w', with: {}, env: {}, conditions: [], inputs: {}, callChain: [], services: [], jobKey: 'k', before: [] };
    const named = nameStages([
      { ...base, action: 'helm-validate', job: 'a' },
      { ...base, action: 'tf-lock-check', job: 'a' },
      { ...base, action: 'tf-lock-check', job: 'b' },
      { ...base, action: 'tf-lock-check', job: 'b' },
    ]);
    expect(named.map((s) => s.name)).toEqual(['helm-validate', 'a/tf-lock-check', 'b/tf-lock-check', 'b/tf-lock-check-2']);
  });
});
