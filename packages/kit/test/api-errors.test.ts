// apiErrorLine: one line for every way an API call fails, never the request itself.
import { expect, test } from '@jest/globals';
import { apiErrorLine } from '@platform-actions/kit';

test.each([
  ['an abort', Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }), 'the GitHub API did not answer in time'],
  ['a timeout in the cause', { message: 'fetch failed', cause: { name: 'ConnectTimeoutError', message: 'Connect Timeout Error' } }, 'the GitHub API did not answer in time'],
  [
    'a refused connection',
    { status: 500, message: 'fetch failed', cause: { message: 'fetch failed', cause: { code: 'ECONNREFUSED' } } },
    'the GitHub API could not be reached (ECONNREFUSED)',
  ],
  ['no answer, only a message', { message: 'getaddrinfo ENOTFOUND ghes.example\nat …' }, 'the GitHub API could not be reached (getaddrinfo ENOTFOUND ghes.example)'],
  ['nothing at all', undefined, 'the GitHub API could not be reached'],
  ['a bad token', { status: 401, message: 'Bad credentials', response: {} }, 'the token was rejected (401: bad or expired credentials)'],
  ['a refusal', { status: 404, message: 'Not Found\n{"documentation_url": "…"}', response: {} }, 'the GitHub API answered 404: Not Found'],
  ['a server error with an answer', { status: 502, response: {} }, 'the GitHub API answered 502'],
])('%s', (_what, err, line) => {
  expect(apiErrorLine(err)).toBe(line);
});
