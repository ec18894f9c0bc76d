// The S3 and DynamoDB calls that read and release a Terraform lock, signed with our SigV4 signer.
// Credentials come from the standard environment variables (set by aws-actions/configure-aws-credentials
// for an assumed role too); they are masked the moment they are read and never logged.
import { core, ToolError, UserError } from '@platform-actions/kit';
import { objectUrl, s3Uri } from './s3path.js';
import { type Credentials, sign } from './sigv4.js';

const TIMEOUT_MS = 15_000;

export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): Credentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new UserError(
      'AWS credentials are missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for a role), e.g. with aws-actions/configure-aws-credentials before this step',
    );
  }
  core.setSecret(secretAccessKey);
  if (env.AWS_SESSION_TOKEN) core.setSecret(env.AWS_SESSION_TOKEN);
  return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

export interface S3Target {
  endpoint: string;
  pathStyle: boolean;
  region: string;
  bucket: string;
}

export interface DdbTarget {
  endpoint: string;
  region: string;
  table: string;
}

async function send(what: string, url: URL, init: { method: string; headers: Record<string, string>; body?: string }): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'manual' });
  } catch (e) {
    // fetch hides the reason in `cause` (an AggregateError when several addresses were tried).
    type Cause = { code?: string; message?: string; errors?: Cause[] };
    const err = e as Error & { cause?: Cause };
    const c = err.cause;
    const why = err.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000}s` : (c?.code ?? c?.errors?.[0]?.code ?? c?.message ?? err.message);
    // The store (or the way to it) is down: a tool error, like a 5xx. The hint covers a wrong endpoint.
    throw new ToolError(`cannot reach ${what} endpoint ${url.origin} (${why}); check the backend's endpoints / AWS_ENDPOINT_URL_* and the network`);
  }
}

const s3Error = async (op: string, t: S3Target, key: string, res: Response) => {
  const text = (await res.text()).slice(0, 500);
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? '';
  return new ToolError(`S3 ${op} ${s3Uri(t.bucket, key)} failed: HTTP ${res.status} ${code}`.trim(), text);
};

/** A conditional release found the lock changed since it was read (S3 412/409, DynamoDB condition failed). */
export class LockChanged extends Error {
  override readonly name = 'LockChanged';
}

/** The object's body and ETag, or null when there is none. */
export async function s3Get(t: S3Target, key: string, creds: Credentials): Promise<{ body: string; etag?: string } | null> {
  const url = objectUrl(t, key);
  const res = await send('S3', url, {
    method: 'GET',
    headers: sign({ method: 'GET', url, headers: {}, body: '', region: t.region, service: 's3', contentSha256Header: true }, creds),
  });
  if (res.status === 404) {
    await res.arrayBuffer();
    return null;
  }
  if (!res.ok) throw await s3Error('GetObject', t, key, res);
  return { body: await res.text(), etag: res.headers.get('etag') ?? undefined };
}

/** Deletes the object only if it still has `etag` (S3 conditional delete), so a newer lock is never removed. */
export async function s3DeleteIfMatch(t: S3Target, key: string, etag: string, creds: Credentials): Promise<void> {
  // Never unconditional: without an ETag there is nothing that ties the delete to the lock we read.
  if (!etag) throw new ToolError(`S3 DeleteObject ${s3Uri(t.bucket, key)} refused: no ETag to make the delete conditional`);
  const url = objectUrl(t, key);
  const headers = { 'if-match': etag };
  const res = await send('S3', url, {
    method: 'DELETE',
    headers: sign({ method: 'DELETE', url, headers, body: '', region: t.region, service: 's3', contentSha256Header: true }, creds),
  });
  // 412: the ETag no longer matches; 409: a concurrent PUT or DELETE of the object won.
  if (res.status === 412 || res.status === 409) {
    await res.arrayBuffer();
    throw new LockChanged(`S3 lock ${s3Uri(t.bucket, key)} changed between the check and the release`);
  }
  if (!res.ok) throw await s3Error('DeleteObject', t, key, res);
  await res.arrayBuffer();
}

async function ddb(t: DdbTarget, op: string, payload: unknown, creds: Credentials): Promise<{ status: number; json: Record<string, unknown> }> {
  const url = new URL(t.endpoint);
  const body = JSON.stringify(payload);
  const headers = sign(
    { method: 'POST', url, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${op}` }, body, region: t.region, service: 'dynamodb' },
    creds,
  );
  const res = await send('DynamoDB', url, { method: 'POST', headers, body });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON: reported below */
  }
  return { status: res.status, json };
}

const ddbType = (json: Record<string, unknown>) =>
  String(json.__type ?? '')
    .split('#')
    .pop() ?? '';

/** The Info attribute of the lock item, or null when there is no item. */
export async function ddbGetInfo(t: DdbTarget, lockId: string, creds: Credentials): Promise<string | null> {
  const r = await ddb(t, 'GetItem', { TableName: t.table, Key: { LockID: { S: lockId } }, ConsistentRead: true }, creds);
  if (r.status !== 200)
    throw new ToolError(`DynamoDB GetItem on table ${t.table} failed: HTTP ${r.status} ${ddbType(r.json)} ${String(r.json.message ?? r.json.Message ?? '')}`.trim());
  const item = r.json.Item as Record<string, { S?: string }> | undefined;
  return item ? (item.Info?.S ?? '') : null;
}

/** Deletes the lock item only if its Info is still exactly `info` (the lock we checked). */
export async function ddbDeleteIfInfo(t: DdbTarget, lockId: string, info: string, creds: Credentials): Promise<void> {
  const r = await ddb(
    t,
    'DeleteItem',
    { TableName: t.table, Key: { LockID: { S: lockId } }, ConditionExpression: 'Info = :info', ExpressionAttributeValues: { ':info': { S: info } } },
    creds,
  );
  if (r.status === 400 && ddbType(r.json) === 'ConditionalCheckFailedException') throw new LockChanged(`DynamoDB lock ${lockId} changed between the check and the release`);
  if (r.status !== 200) throw new ToolError(`DynamoDB DeleteItem on table ${t.table} failed: HTTP ${r.status} ${ddbType(r.json)}`.trim());
}
