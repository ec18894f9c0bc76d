// Optional notifications, all best effort: a GitHub deployment with statuses, and a webhook (JSON,
// Slack-compatible `text`) after every deploy — success, failure and rollback — or on failure only.
// Each call has a short timeout and a bounded retry; a failure is one warning and never fails or hangs
// the deploy.
import { core, InputError, requestFor } from '@platform-actions/kit';

const CALL_TIMEOUT_MS = 10_000;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Webhook URLs must be https: the payload names clusters and workloads, and the URL itself is often a
 * credential (Slack). `allowHttpLoopback` is the documented escape hatch for a receiver on the runner
 * itself (tests, a local relay): http://127.0.0.1, http://localhost or http://[::1] only.
 */
export function checkWebhookUrl(value: string | undefined, allowHttpLoopback: boolean): string | undefined {
  if (!value) return undefined;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new InputError('webhook-url', 'must be an https:// URL');
  }
  if (u.protocol === 'https:') return value;
  if (u.protocol === 'http:' && allowHttpLoopback && LOOPBACK.has(u.hostname)) return value;
  throw new InputError(
    'webhook-url',
    `must be an https:// URL${allowHttpLoopback ? ' (http is allowed only for 127.0.0.1, localhost or [::1])' : ' (http is allowed only for a loopback receiver with webhook-allow-http-loopback: true)'}`,
  );
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const req = requestFor(url); // credentials in the URL go in a header (kit): fetch would quote the URL in its error
  const res = await fetch(req.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...req.headers, ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json };
}

/** Two attempts, 1 s apart, for 5xx and network errors; anything else is final. */
async function postWithRetry(url: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; json: unknown }> {
  try {
    const r = await post(url, body, headers);
    if (r.status < 500) return r;
  } catch {
    // retried once below
  }
  await new Promise((r) => setTimeout(r, 1000));
  return post(url, body, headers);
}

/** When the webhook is called: after every deploy, or only when one failed (rolled back or not). */
export const WEBHOOK_ON = ['always', 'failure'] as const;
export type WebhookOn = (typeof WEBHOOK_ON)[number];

export const shouldNotify = (succeeded: boolean, on: WebhookOn): boolean => on === 'always' || !succeeded;

/** What the webhook's one-line `text` says: the result first, then what changed or why it failed, then the run. */
interface DeployNews {
  action: string;
  /** deploy, or rollback on demand. */
  mode: 'deploy' | 'rollback';
  result: 'deployed' | 'rolled-back' | 'failed';
  /** What was deployed or rolled back: "manifests", "Helm release api", "deployment/api". */
  what: string;
  cause?: string;
  rollbackError?: string;
  revisionsAfter: Record<string, number>;
  runUrl?: string;
}

export function webhookText(n: DeployNews): string {
  const run = n.runUrl ? ` ${n.runUrl}` : '';
  const revisions = Object.entries(n.revisionsAfter).map(([w, r]) => `${w} at revision ${r}`);
  const where = revisions.length ? ` (${revisions.join(', ')})` : '';
  if (n.mode === 'rollback') {
    if (n.result === 'rolled-back') return `${n.action}: rolled back ${n.what} on demand${where}.${run}`;
    return `${n.action}: rollback on demand of ${n.what} FAILED${n.rollbackError ? ' — RETURN TO THE PREVIOUS REVISIONS FAILED' : ''}. ${n.cause ?? ''}${run}`;
  }
  if (n.result === 'deployed') return `${n.action}: deployed ${n.what}${where}.${run}`;
  const head = n.result === 'rolled-back' ? 'deploy failed and was rolled back' : 'deploy FAILED';
  return `${n.action}: ${head}${n.rollbackError ? ' — ROLLBACK FAILED' : ''}. ${n.cause ?? ''}${run}`;
}

export interface WebhookMessage {
  result: string;
  text: string;
  [k: string]: unknown;
}

export async function sendWebhook(url: string, msg: WebhookMessage): Promise<boolean> {
  try {
    const r = await postWithRetry(url, msg);
    if (r.status >= 200 && r.status < 300) return true;
    core.warning(`webhook notification not delivered (HTTP ${r.status}); the deploy result is unchanged`);
  } catch (e) {
    core.warning(`webhook notification not delivered (${(e as Error).name === 'TimeoutError' ? 'timed out' : (e as Error).message}); the deploy result is unchanged`);
  }
  return false;
}

export interface GitHubTarget {
  apiUrl: string;
  owner: string;
  repo: string;
  token: string;
}

/** A GitHub deployment for `ref` in `environment`; returns its id, or undefined (with a warning) when it cannot be created. */
export async function createDeployment(t: GitHubTarget, ref: string, environment: string, description: string): Promise<number | undefined> {
  try {
    const r = await postWithRetry(
      `${t.apiUrl}/repos/${t.owner}/${t.repo}/deployments`,
      { ref, environment, description, auto_merge: false, required_contexts: [], production_environment: /prod/i.test(environment) },
      authHeaders(t.token),
    );
    const id = (r.json as { id?: number } | undefined)?.id;
    if (r.status === 201 && id) return id;
    core.warning(`GitHub deployment not created (HTTP ${r.status}); deploying anyway`);
  } catch (e) {
    core.warning(`GitHub deployment not created (${(e as Error).message}); deploying anyway`);
  }
  return undefined;
}

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

export async function setDeploymentStatus(t: GitHubTarget, id: number, state: DeploymentState, description: string, logUrl?: string, environmentUrl?: string): Promise<void> {
  try {
    const r = await postWithRetry(
      `${t.apiUrl}/repos/${t.owner}/${t.repo}/deployments/${id}/statuses`,
      { state, description: description.slice(0, 140), ...(logUrl ? { log_url: logUrl } : {}), ...(environmentUrl ? { environment_url: environmentUrl } : {}) },
      authHeaders(t.token),
    );
    if (r.status !== 201) core.warning(`GitHub deployment status "${state}" not recorded (HTTP ${r.status})`);
  } catch (e) {
    core.warning(`GitHub deployment status "${state}" not recorded (${(e as Error).message})`);
  }
}

const authHeaders = (token: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
  accept: 'application/vnd.github+json',
  'x-github-api-version': '2022-11-28',
  'user-agent': 'platform-actions/k8s-deploy-rollback',
});
