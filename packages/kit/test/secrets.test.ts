// Secrets in every form, URL credentials in every reading, and every print scrubbed once in core.
import { afterEach, describe, expect, test } from '@jest/globals';
import { addSecret, addUrlSecret, addUrlSecretsIn, clearSecrets, core, exec, redactUrl, scrub, urlCredentials } from '@platform-actions/kit';
import { type ActionEnv, actionEnv, captureStdout } from './env.js';

let env: ActionEnv | undefined;
afterEach(() => {
  clearSecrets();
  env?.restore();
  env = undefined;
});

const PW = 'p@ss/w:rd#%9x';
const forms = (s: string) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64')];

describe('URL credentials', () => {
  test('a password with / # @ unencoded: both readings are registered and the URL is shown without them', () => {
    const url = `postgresql://app:${PW}@db.internal:5432/app`;
    expect(urlCredentials(url)).toEqual(expect.arrayContaining([`app:${PW}`, PW]));
    expect(addUrlSecret(url)).toBe('postgresql://***@db.internal:5432/app');
    const text = `connect ${url} failed; password ${PW}, encoded ${encodeURIComponent(PW)}, basic ${Buffer.from(`app:${PW}`).toString('base64')}`;
    const out = scrub(text);
    for (const f of [...forms(PW), Buffer.from(`app:${PW}`).toString('base64')]) expect(out).not.toContain(f);
    expect(out).toContain('connect ***');
  });
  test('kubeconfig server URLs in a text: every userinfo registered', () => {
    addUrlSecretsIn('clusters:\n- cluster:\n    server: https://admin:s3cr3t-Kube-pw@10.0.0.1:6443\n    proxy-url: http://proxyuser:Pr0xy-pass@proxy:3128\n');
    expect(scrub('dial https://admin:s3cr3t-Kube-pw@10.0.0.1:6443 via Pr0xy-pass, czNjcjN0LUt1YmUtcHc=')).toBe('dial *** via ***, ***');
  });
  test('a token as the user, and percent-encoded userinfo', () => {
    addUrlSecret('https://ghp_TokenAsUser123@github.example/org/repo.git');
    expect(scrub('cloning https://github.example with ghp_TokenAsUser123')).toBe('cloning https://github.example with ***');
    addUrlSecret('https://robot:pa%2Fss%40word@mirror.example/r');
    expect(scrub('pa/ss@word and pa%2Fss%40word')).toBe('*** and ***');
  });
  test('URLs without credentials are left alone (a path with @ is not userinfo; a port is not a password)', () => {
    expect(urlCredentials('https://registry.example/v2/web@sha256:abc')).toEqual([]);
    expect(urlCredentials('https://host:8080/a/b@c')).toEqual([]);
    expect(addUrlSecret('https://hooks.example.com/services/T0/B0')).toBe('https://hooks.example.com/services/T0/B0');
    expect(redactUrl('https://x.example/p')).toBe('https://x.example/p');
  });
  test('a database URL with a role and no password holds no secret; the same shape over https is a token', () => {
    expect(urlCredentials('postgresql://app@127.0.0.1:5432/app')).toEqual([]);
    expect(urlCredentials('redis://cache@redis:6379/0')).toEqual([]);
    expect(urlCredentials('postgresql://app:pw-123@127.0.0.1:5432/app')).toEqual(expect.arrayContaining(['app:pw-123', 'pw-123']));
    expect(urlCredentials('https://ghp_TokenAsUser123@github.example/r.git')).toEqual(['ghp_TokenAsUser123']);
  });
});

describe('every print is scrubbed once, in core', () => {
  test('info, annotations, outputs, the summary and untrusted text', async () => {
    env = actionEnv();
    const out = await captureStdout(() => {
      addSecret('hunter2-very-secret');
      core.info('info hunter2-very-secret');
      core.warning('warn hunter2-very-secret', { title: 'title hunter2-very-secret' });
      core.untrusted('tool said hunter2-very-secret');
      core.setOutput('x', 'out hunter2-very-secret');
      core.appendSummary('summary hunter2-very-secret');
    });
    expect(out).toContain('::add-mask::hunter2-very-secret'); // the mask command itself carries it, as it must
    expect(
      out
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
    ).not.toContain('hunter2');
    expect(env.outputs().x).toBe('out ***');
    expect(env.summary()).toBe('summary ***\n');
  });
  test('echoed tool output is scrubbed even when the secret is split across chunks', async () => {
    env = actionEnv();
    addSecret('split-secret-value-42');
    const out = await captureStdout(async () => {
      await exec('sh', ['-c', 'printf "a split-sec"; sleep 0.2; printf "ret-value-42 b\\n"'], { echo: true });
    });
    expect(out).toContain('a *** b');
    expect(
      out
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
    ).not.toContain('split-secret');
  });
});
