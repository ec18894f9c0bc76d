// The environment gitleaks and git get: the step's, minus every token.
import { expect, test } from '@jest/globals';
import { toolEnv } from '../src/env.js';

test('tokens, inputs and any variable holding the token are dropped; the rest stays', () => {
  const env = {
    PATH: '/usr/bin',
    HOME: '/home/runner',
    GITLEAKS_CONFIG_TOML: 'title = "x"',
    INPUT_TOKEN: 'ghs_abc',
    INPUT_MODE: 'auto',
    GITHUB_TOKEN: 'ghs_abc',
    GH_TOKEN: 'ghs_other',
    ACTIONS_RUNTIME_TOKEN: 'rt',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc',
    MY_COPY: 'ghs_abc',
    GITHUB_WORKSPACE: '/w',
  };
  expect(toolEnv(env)).toEqual({ PATH: '/usr/bin', HOME: '/home/runner', GITLEAKS_CONFIG_TOML: 'title = "x"', GITHUB_WORKSPACE: '/w' });
});

test('nothing to drop: the environment is kept as it is', () => {
  expect(toolEnv({ PATH: '/bin', LANG: 'C' })).toEqual({ PATH: '/bin', LANG: 'C' });
});
