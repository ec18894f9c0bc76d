// The raw payload: commit fields refused before any git call when they are not commit SHAs, and the
// count of commits the event brought, which sets the first deepening step.
import { describe, expect, test } from '@jest/globals';
import { UserError } from '@platform-actions/kit';
import { checkPayloadShas, commitsBrought, firstDeepenStep } from '../src/payload.js';
import { payloads, ZERO } from './helpers.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(64);

describe('checkPayloadShas', () => {
  test.each([
    ['pull_request', payloads.pr(1, A, A)],
    ['pull_request_target', payloads.pr(1, A, B)],
    ['push', payloads.push(ZERO, A)],
    ['push', { ref: 'refs/heads/x' }],
    ['merge_group', payloads.mergeGroup(A, A)],
    ['schedule', { before: '--upload-pack=x' }],
  ])('%s with commit SHAs (or none) passes', (name, payload) => {
    expect(() => checkPayloadShas(name, payload)).not.toThrow();
  });

  test.each([
    [
      'pull_request',
      payloads.pr(1, '--upload-pack=touch /tmp/x', A),
      'the pull_request event payload\'s pull_request.base.sha must be a commit SHA (40 or 64 hex digits); got "--upload-pack=touch /tmp/x". Nothing was run',
    ],
    ['pull_request_target', payloads.pr(1, A, 'main'), 'pull_request.head.sha must be a commit SHA'],
    ['push', payloads.push('--output=/etc/passwd', A), "the push event payload's before must be a commit SHA"],
    ['push', { before: A, after: 42 }, 'after must be a commit SHA (40 or 64 hex digits); got 42'],
    ['merge_group', payloads.mergeGroup(A, `${A}\n--all`), 'merge_group.head_sha must be a commit SHA'],
  ])('%s with a field that is not a SHA is refused: %#', (name, payload, message) => {
    const err = (() => {
      try {
        checkPayloadShas(name, payload as Record<string, unknown>);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain(message);
  });
});

describe('the first deepening step', () => {
  test.each([
    ['push', payloads.push(A, A, { commits: 43 }), 43, 44],
    ['push', payloads.push(A, A, { commits: 1 }), 1, 8],
    ['pull_request', { ...payloads.pr(1, A, A), pull_request: { ...payloads.pr(1, A, A).pull_request, commits: 120 } }, 120, 121],
    ['pull_request', payloads.pr(1, A, A), undefined, 50],
    ['merge_group', payloads.mergeGroup(A, A), undefined, 50],
    ['push', { commits: 'many' }, undefined, 50],
  ])('%s: brought %#', (name, payload, brought, step) => {
    expect(commitsBrought(name, payload as Record<string, unknown>)).toBe(brought);
    expect(firstDeepenStep(brought)).toBe(step);
  });
});
