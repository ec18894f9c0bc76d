// Smoke checks, notifications and log redaction against a real local HTTP server.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkWebhookUrl, sendWebhook, shouldNotify, webhookText } from '../src/notify.js';
import { redact } from '../src/report.js';
import { backoffMs, commandCheck, httpCheck, parseCommand } from '../src/smoke.js';

let server: Server;
let base: string;
const hits = new Map<string, number>();
const bodies: unknown[] = [];
const auths: Array<string | undefined> = [];
const read = (req: IncomingMessage): Promise<string> =>
  new Promise((r) => {
    let b = '';
    req.on('data', (d) => (b += d));
    req.on('end', () => r(b));
  });

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const n = (hits.get(req.url!) ?? 0) + 1;
    hits.set(req.url!, n);
    auths.push(req.headers.authorization);
    if (req.url === '/healthz') return void res.writeHead(200).end('{"status":"ok","version":"1.4.2"}');
    if (req.url === '/flaky') return void res.writeHead(n < 3 ? 503 : 200).end(n < 3 ? 'starting' : 'ok');
    if (req.url === '/down') return void res.writeHead(500).end('boom');
    if (req.url === '/hang') return; // never answers
    if (req.url === '/hook') {
      bodies.push(JSON.parse(await read(req)));
      return void res.writeHead(200).end('ok');
    }
    if (req.url === '/hook-500') return void res.writeHead(500).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('httpCheck', () => {
  test('status and body match', async () => {
    expect(await httpCheck({ url: `${base}/healthz`, status: 200, body: /"version":"1\.4\.2"/, retries: 0, timeoutMs: 2000 })).toEqual({
      ok: true,
      line: `GET ${base}/healthz: HTTP 200, body matches /"version":"1\\.4\\.2"/ (attempt 1)`,
    });
  });
  test('retries with backoff until it passes', async () => {
    const r = await httpCheck({ url: `${base}/flaky`, status: 200, retries: 3, timeoutMs: 2000 }, 10);
    expect(r).toEqual({ ok: true, line: `GET ${base}/flaky: HTTP 200 (attempt 3)` });
  });
  test('a wrong status fails after the bounded retries', async () => {
    expect(await httpCheck({ url: `${base}/down`, status: 200, retries: 2, timeoutMs: 2000 }, 10)).toEqual({
      ok: false,
      line: `GET ${base}/down: HTTP 500 (expected 200) after 3 attempts`,
    });
    expect(hits.get('/down')).toBe(3);
  });
  test('a body mismatch fails', async () => {
    expect((await httpCheck({ url: `${base}/healthz`, status: 200, body: /"version":"2/, retries: 0, timeoutMs: 2000 })).line).toMatch(/body does not match/);
  });
  test('a server that never answers times out per attempt', async () => {
    const t0 = Date.now();
    expect((await httpCheck({ url: `${base}/hang`, status: 200, retries: 1, timeoutMs: 300 }, 10)).line).toBe(`GET ${base}/hang: no answer within 0.3s after 2 attempts`);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
  test('backoff is bounded', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffMs(n))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });
});

describe('URLs carrying credentials', () => {
  const pw = 'sm0ke/p@ss%word';
  const withCreds = (path: string) => base.replace('http://', `http://tester:${encodeURIComponent(pw)}@`) + path;
  const basic = `Basic ${Buffer.from(`tester:${pw}`).toString('base64')}`;
  test('a smoke URL with user:password@ is checked with a Basic header and shown without them', async () => {
    const r = await httpCheck({ url: withCreds('/healthz'), status: 200, retries: 0, timeoutMs: 2000 });
    expect(r).toEqual({ ok: true, line: `GET ${base.replace('http://', 'http://***@')}/healthz: HTTP 200 (attempt 1)` });
    expect(auths.at(-1)).toBe(basic);
    expect(r.line).not.toContain(encodeURIComponent(pw));
  });
  test('a webhook URL with user:password@ is delivered (fetch alone refuses such a URL)', async () => {
    expect(await sendWebhook(withCreds('/hook'), { text: 'deployed', result: 'deployed' })).toBe(true);
    expect(auths.at(-1)).toBe(basic);
  });
});

describe('smoke command', () => {
  test('argument array, no shell', async () => {
    expect(parseCommand('["node", "-e", "process.exit(0)"]')).toEqual(['node', '-e', 'process.exit(0)']);
    expect((await commandCheck([process.execPath, '-e', 'process.exit(0)'], 10_000, process.cwd())).ok).toBe(true);
    const bad = await commandCheck([process.execPath, '-e', 'console.error("health check failed: 503"); process.exit(3)'], 10_000, process.cwd());
    expect(bad.ok).toBe(false);
    expect(bad.line).toMatch(/exit code 3 \(health check failed: 503\)$/);
    // Shell syntax stays literal.
    const lit = await commandCheck([process.execPath, '-e', 'process.exit(process.argv[1] === "$(id)" ? 0 : 1)', '$(id)'], 10_000, process.cwd());
    expect(lit.ok).toBe(true);
  });
  test.each(['./smoke.sh', '[]', '["a", 1]', '{"cmd": "x"}'])('%s is rejected', (v) => expect(() => parseCommand(v)).toThrow(/input "smoke-command"/));
});

describe('webhook', () => {
  test.each<[string, boolean, string | RegExp]>([
    ['https://hooks.slack.com/services/T/B/X', false, 'https://hooks.slack.com/services/T/B/X'],
    ['http://127.0.0.1:8080/hook', true, 'http://127.0.0.1:8080/hook'],
    ['http://localhost/hook', true, 'http://localhost/hook'],
    ['http://127.0.0.1:8080/hook', false, /must be an https:\/\/ URL/],
    ['http://example.com/hook', true, /http is allowed only for 127\.0\.0\.1/],
    ['ftp://example.com', false, /must be an https/],
    ['not a url', false, /must be an https/],
  ])('%s (loopback allowed: %s)', (url, allow, want) => {
    if (typeof want === 'string') expect(checkWebhookUrl(url, allow)).toBe(want);
    else expect(() => checkWebhookUrl(url, allow)).toThrow(want);
  });
  test('delivers JSON with a Slack-compatible text field', async () => {
    expect(await sendWebhook(`${base}/hook`, { text: 'deploy failed', result: 'rolled-back' })).toBe(true);
    expect(bodies.at(-1)).toEqual({ text: 'deploy failed', result: 'rolled-back' });
  });
  test('webhook-on: always notifies every result, failure only the failed ones', () => {
    expect([true, false].map((succeeded) => shouldNotify(succeeded, 'always'))).toEqual([true, true]);
    expect([true, false].map((succeeded) => shouldNotify(succeeded, 'failure'))).toEqual([false, true]);
  });
  test('the text says the result first: deployed with the revisions, or failed with the cause, then the run', () => {
    const news = {
      action: 'k8s-deploy-rollback',
      mode: 'deploy' as const,
      what: 'manifests',
      revisionsAfter: { 'Deployment/ml/api': 4, 'Deployment/ml/worker': 2 },
      runUrl: 'https://github.com/acme/ml/actions/runs/7',
    };
    expect(webhookText({ ...news, result: 'deployed' })).toBe(
      'k8s-deploy-rollback: deployed manifests (Deployment/ml/api at revision 4, Deployment/ml/worker at revision 2). https://github.com/acme/ml/actions/runs/7',
    );
    expect(webhookText({ ...news, what: 'Helm release api', revisionsAfter: {}, runUrl: undefined, result: 'deployed' })).toBe('k8s-deploy-rollback: deployed Helm release api.');
    expect(webhookText({ ...news, result: 'rolled-back', cause: 'ImagePullBackOff: Deployment/ml/api: …' })).toBe(
      'k8s-deploy-rollback: deploy failed and was rolled back. ImagePullBackOff: Deployment/ml/api: … https://github.com/acme/ml/actions/runs/7',
    );
    expect(webhookText({ ...news, result: 'failed', cause: 'CrashLoopBackOff: x', rollbackError: 'undo failed' })).toMatch(
      /^k8s-deploy-rollback: deploy FAILED — ROLLBACK FAILED\. CrashLoopBackOff: x /,
    );
  });
  test('a rollback on demand is told as one', () => {
    const news = { action: 'k8s-deploy-rollback', mode: 'rollback' as const, what: 'deployment/api', revisionsAfter: { 'Deployment/ml/api': 5 } };
    expect(webhookText({ ...news, result: 'rolled-back' })).toBe('k8s-deploy-rollback: rolled back deployment/api on demand (Deployment/ml/api at revision 5).');
    expect(webhookText({ ...news, result: 'failed', cause: 'ImagePullBackOff: x' })).toBe('k8s-deploy-rollback: rollback on demand of deployment/api FAILED. ImagePullBackOff: x');
  });
  test('a failing or absent receiver is a warning, not an error, and is bounded in time', async () => {
    const t0 = Date.now();
    expect(await sendWebhook(`${base}/hook-500`, { text: 'x', result: 'failed' })).toBe(false);
    expect(hits.get('/hook-500')).toBe(2); // one retry
    expect(await sendWebhook('http://127.0.0.1:1/hook', { text: 'x', result: 'failed' })).toBe(false);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('redact', () => {
  test.each([
    ['DB_PASSWORD=hunter2hunter2 connecting', 'DB_PASSWORD=*** connecting'],
    ['token: abcdefghijklmnop', 'token: ***'],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc', 'Authorization: Bearer ***'],
    ['key AKIAABCDEFGHIJKLMNOP used', 'key *** used'],
    ['postgres://app:s3cretpw@db:5432/app', 'postgres://app:***@db:5432/app'],
    ['"api_key": "xyz123456"', '"api_key": "***"'],
    ['plain line', 'plain line'],
  ])('%s', (input, want) => expect(redact(input)).toBe(want));
  test('known secrets are replaced wherever they appear', () => {
    expect(redact('calling https://hooks.example/T0/abcdef with abcdef', ['abcdef'])).toBe('calling https://hooks.example/T0/*** with ***');
  });
});
