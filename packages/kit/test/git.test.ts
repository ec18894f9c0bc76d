// The environment git runs with: the step's, minus every credential.
import { afterEach, expect, test } from '@jest/globals';
import { addSecret, clearSecrets, gitEnv } from '@platform-actions/kit';

afterEach(() => clearSecrets());

test('tokens, inputs, GHES tokens, copies of a token and registered secrets are dropped; the rest stays', () => {
  addSecret('registered-secret-value');
  const env = {
    PATH: '/usr/bin',
    HOME: '/home/runner',
    INPUT_TOKEN: 'ghs_abc',
    INPUT_MODE: 'auto',
    GITHUB_TOKEN: 'ghs_abc',
    GH_TOKEN: 'ghs_other',
    GH_ENTERPRISE_TOKEN: 'ghe_x',
    ACTIONS_RUNTIME_TOKEN: 'rt',
    MY_COPY: 'ghs_abc',
    THEIRS: 'registered-secret-value',
    GITHUB_WORKSPACE: '/w',
  };
  expect(gitEnv(env)).toEqual({ PATH: '/usr/bin', HOME: '/home/runner', GITHUB_WORKSPACE: '/w' });
});
