// The environment gitleaks and git run with: the step's, minus every credential the runner or the caller
// put there. Neither tool needs a token (git reads actions/checkout's credentials from .git/config), and a
// tool that never holds a token cannot leak it — not in a crash dump, a debug log or a child process.
const DROP = new Set(['GITHUB_TOKEN', 'GH_TOKEN', 'GH_ENTERPRISE_TOKEN', 'ACTIONS_RUNTIME_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_URL']);

/**
 * `env` without tokens: the well-known token variables, every INPUT_* (the runner passes inputs such as
 * `token` as INPUT_TOKEN), and any other variable whose value is one of `secrets`.
 */
export function toolEnv(env: NodeJS.ProcessEnv = process.env, secrets: readonly string[] = knownSecrets(env)): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || DROP.has(k) || k.startsWith('INPUT_')) continue;
    if (v && secrets.includes(v)) continue;
    out[k] = v;
  }
  return out;
}

const knownSecrets = (env: NodeJS.ProcessEnv): string[] => [env.INPUT_TOKEN, env.GITHUB_TOKEN, env.GH_TOKEN].filter((v): v is string => Boolean(v));
