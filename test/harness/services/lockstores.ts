// S3 + DynamoDB lock stores for Terraform/OpenTofu state-locking tests: one moto server process on a
// free loopback port. moto enforces `If-None-Match: *` on PutObject (412 PreconditionFailed) and
// DynamoDB condition expressions, so two terraform processes really contend for a lock.
import { spawn } from 'node:child_process';
import { freePort, waitFor } from '../net.js';
import { toolBin } from '../tools.js';

const LOCKSTORE_REGION = 'us-east-1';

export interface LockStores {
  s3Endpoint: string;
  dynamodbEndpoint: string;
  region: string;
  /** Static credentials, region and endpoints for the AWS SDK inside terraform/tofu (no IMDS, no STS). */
  env: Record<string, string>;
  createBucket(name: string): Promise<void>;
  /** A table with the partition key terraform needs: LockID (String). */
  createLockTable(name: string): Promise<void>;
  /** Body of an object, or null when it does not exist. */
  getObject(bucket: string, key: string): Promise<string | null>;
  /** PUT without conditions (overwrites). */
  putObject(bucket: string, key: string, body: string): Promise<void>;
  /** PUT with `If-None-Match: *`; returns the HTTP status (200 created, 412 already there). */
  putIfAbsent(bucket: string, key: string, body: string): Promise<number>;
  /** String attributes of the item with this LockID, or null. */
  getLockItem(table: string, lockId: string): Promise<Record<string, string> | null>;
  /** Writes (or overwrites) the lock item LockID → Info, as terraform's DynamoDB lock does. */
  putLockItem(table: string, lockId: string, info: string): Promise<void>;
  stop(): Promise<void>;
}

const creds = { id: 'test', secret: 'test' };

// moto routes a request to a service by the credential scope in Authorization and does not verify
// signatures, so a well-formed but unsigned SigV4 header is enough for our own setup calls.
const authFor = (service: string) => `AWS4-HMAC-SHA256 Credential=${creds.id}/20200101/${LOCKSTORE_REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`;

export async function startLockStores(): Promise<LockStores> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const proc = spawn(toolBin('lockstores', 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  let log = '';
  proc.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  let exited = false;
  const gone = new Promise<void>((r) => proc.once('exit', () => ((exited = true), r())));
  const killOnExit = () => proc.kill('SIGKILL');
  process.once('exit', killOnExit);

  const s3 = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    fetch(`${endpoint}${path}`, { method, body, headers: { authorization: authFor('s3'), ...headers } });
  const ddb = async (op: string, payload: unknown) => {
    const res = await fetch(endpoint, {
      method: 'POST',
      body: JSON.stringify(payload),
      headers: { authorization: authFor('dynamodb'), 'x-amz-target': `DynamoDB_20120810.${op}`, 'content-type': 'application/x-amz-json-1.0' },
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`lockstores: DynamoDB ${op} -> ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (exited) return;
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  };

  try {
    await waitFor(
      'moto lock stores',
      async () => {
        if (exited) throw new Error(`moto_server exited: ${log}`);
        return (await s3('GET', '/')).ok;
      },
      60_000,
    );
  } catch (e) {
    await stop();
    throw e;
  }

  return {
    s3Endpoint: endpoint,
    dynamodbEndpoint: endpoint,
    region: LOCKSTORE_REGION,
    env: {
      AWS_ACCESS_KEY_ID: creds.id,
      AWS_SECRET_ACCESS_KEY: creds.secret,
      AWS_REGION: LOCKSTORE_REGION,
      AWS_DEFAULT_REGION: LOCKSTORE_REGION,
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    async createBucket(name) {
      const res = await s3('PUT', `/${name}`);
      if (!res.ok) throw new Error(`lockstores: CreateBucket ${name} -> ${res.status} ${await res.text()}`);
    },
    async createLockTable(name) {
      await ddb('CreateTable', {
        TableName: name,
        KeySchema: [{ AttributeName: 'LockID', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'LockID', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      });
      await waitFor(`table ${name}`, async () => ((await ddb('DescribeTable', { TableName: name })) as { Table: { TableStatus: string } }).Table.TableStatus === 'ACTIVE', 10_000);
    },
    async getObject(bucket, key) {
      const res = await s3('GET', `/${bucket}/${key}`);
      if (res.status === 404) return null;
      if (!res.ok) throw new Error(`lockstores: GetObject ${bucket}/${key} -> ${res.status}`);
      return res.text();
    },
    async putObject(bucket, key, body) {
      const res = await s3('PUT', `/${bucket}/${key}`, {}, body);
      if (!res.ok) throw new Error(`lockstores: PutObject ${bucket}/${key} -> ${res.status}`);
      await res.arrayBuffer();
    },
    async putIfAbsent(bucket, key, body) {
      const res = await s3('PUT', `/${bucket}/${key}`, { 'if-none-match': '*' }, body);
      await res.arrayBuffer();
      return res.status;
    },
    async getLockItem(table, lockId) {
      const out = await ddb('GetItem', { TableName: table, Key: { LockID: { S: lockId } }, ConsistentRead: true });
      const item = out.Item as Record<string, { S?: string }> | undefined;
      return item ? Object.fromEntries(Object.entries(item).map(([k, v]) => [k, v.S ?? JSON.stringify(v)])) : null;
    },
    async putLockItem(table, lockId, info) {
      await ddb('PutItem', { TableName: table, Item: { LockID: { S: lockId }, Info: { S: info } } });
    },
    stop,
  };
}
