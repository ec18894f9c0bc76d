// Where terraform's s3 backend keeps a state and its lock, derived the way terraform derives it
// (internal/backend/remote-state/s3: PrepareConfig's checks, Backend.path, getLockFilePath and
// RemoteClient.lockPath), and the one request URL for that object.
//
// Everything a release could be pointed at is checked before any request. Beyond what terraform
// refuses (an empty key, a key or workspace_key_prefix that starts or ends with "/", "//" in the key),
// "." and ".." segments are refused too: they are unreserved characters, so percent-encoding leaves
// them alone and a URL parser removes them — `key = "../victim-bucket/x"` would send the request to
// another bucket (path-style) or another key (virtual-hosted) while the log names this one. A bucket
// must follow S3's naming rules, because it becomes a path segment or a host name label.
import { UserError } from '@platform-actions/kit';
import { SettingError } from './backend.js';
import { type HclValue, str } from './hcl.js';
import { uriEncode } from './sigv4.js';

const DEFAULT_WORKSPACE_KEY_PREFIX = 'env:';
const LOCK_SUFFIX = '.tflock';
/** S3's limit on an object key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;
// Control characters would also let a key write workflow commands into the log.
const CONTROL = /[\u0000-\u001f\u007f]/;

type From = Record<string, string | undefined>;

/** Why `key` (a key or workspace_key_prefix) cannot name an S3 object path, or undefined. */
function pathProblem(v: string, setting: 'key' | 'workspace_key_prefix'): string | undefined {
  if (v.startsWith('/') || v.endsWith('/')) return 'must not start or end with "/" (terraform refuses it)';
  if (setting === 'key' && v.includes('//')) return 'must not contain "//" (terraform refuses it)';
  if (v.split('/').some((s) => s === '.' || s === '..'))
    return 'must not have "." or ".." path segments (a URL parser removes them, so the request would touch another object than the one named)';
  if (CONTROL.test(v)) return 'must not contain control characters';
  return undefined;
}

/** S3's bucket naming rules (general purpose buckets). */
export function isBucketName(b: string): boolean {
  return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(b) && !b.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(b);
}

export function checkedBucket(config: Record<string, HclValue>, from: From): string {
  const bucket = str(config.bucket);
  if (bucket === undefined) throw new UserError('the s3 backend has no static "bucket"; pass it with the backend-config input (bucket=name)');
  if (!isBucketName(bucket))
    throw new SettingError(
      'bucket',
      from.bucket,
      'must be an S3 bucket name: 3 to 63 lowercase letters, digits, "." and "-", beginning and ending with a letter or digit, no "..", not an IP address',
      bucket,
    );
  return bucket;
}

/**
 * The state's object path for a workspace, as terraform's Backend.path builds it: the key for
 * "default", otherwise path.Join(workspace_key_prefix, workspace, key). Go's path.Join drops empty
 * elements and cleans the result; with dot segments refused, cleaning only folds repeated slashes
 * (a prefix may hold "a//b"), which is what is done here.
 */
export function statePath(config: Record<string, HclValue>, workspace: string, from: From = {}): string {
  const key = str(config.key);
  if (key === undefined) throw new UserError('the s3 backend has no static "key"; pass it with the backend-config input (key=path/to/terraform.tfstate)');
  if (key.trim() === '') throw new SettingError('key', from.key, 'must not be empty (terraform refuses it)', key);
  const bad = pathProblem(key, 'key');
  if (bad) throw new SettingError('key', from.key, bad, key);
  // terraform checks the prefix whenever it is set, whichever workspace is used.
  const raw = config.workspace_key_prefix;
  const prefix = raw === undefined ? DEFAULT_WORKSPACE_KEY_PREFIX : str(raw);
  if (prefix === undefined && workspace !== 'default')
    throw new UserError('the s3 backend has no static "workspace_key_prefix"; pass it with the backend-config input (workspace_key_prefix=name)');
  const badPrefix = prefix === undefined ? undefined : pathProblem(prefix, 'workspace_key_prefix');
  if (badPrefix) throw new SettingError('workspace_key_prefix', from.workspace_key_prefix, badPrefix, prefix);
  const path =
    workspace === 'default'
      ? key
      : [prefix, workspace, key]
          .filter((p) => p !== '')
          .join('/')
          .replace(/\/{2,}/g, '/');
  if (Buffer.byteLength(path + LOCK_SUFFIX, 'utf8') > MAX_KEY_BYTES)
    throw new SettingError('key', from.key, `must leave the lock object's key within S3's ${MAX_KEY_BYTES} bytes`, key);
  return path;
}

/** The lock object terraform writes next to the state (getLockFilePath). */
export const lockObjectKey = (statePath: string): string => statePath + LOCK_SUFFIX;

/** The DynamoDB LockID terraform uses (RemoteClient.lockPath). */
export const dynamoLockId = (bucket: string, statePath: string): string => `${bucket}/${statePath}`;

/** The location printed in logs, summaries and errors; built from the same bucket and key as the request. */
export const s3Uri = (bucket: string, key: string): string => `s3://${bucket}/${key}`;

/** An endpoint URL from the backend (endpoints.s3 / endpoints.dynamodb) or AWS_ENDPOINT_URL_*. */
export function checkedEndpoint(value: string, setting: string, from: string | undefined): string {
  let u: URL | undefined;
  try {
    u = new URL(value);
  } catch {
    u = undefined;
  }
  const ok = u && (u.protocol === 'https:' || u.protocol === 'http:') && !u.search && !u.hash;
  // Never echo a URL that carries credentials.
  if (u && (u.username || u.password)) throw new SettingError(setting, from, 'must be an http(s) URL without credentials in it');
  if (!ok) throw new SettingError(setting, from, 'must be an http(s) URL with no query or fragment, such as https://s3.eu-west-1.amazonaws.com', value);
  return value;
}

/** An AWS region: it becomes part of the default endpoints' host names. */
export function checkedRegion(value: string, setting: string, from: string | undefined): string {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(value)) throw new SettingError(setting, from, 'must be an AWS region such as eu-west-1', value);
  return value;
}

export interface S3Endpoint {
  endpoint: string;
  pathStyle: boolean;
  bucket: string;
}

/**
 * Whether the AWS SDK would address this bucket virtual-hosted (bucket.host) rather than path-style:
 * not with use_path_style, not for an endpoint that is an IP address, and not over https for a bucket
 * with dots (the certificate would not match).
 */
export function virtualHosted(t: S3Endpoint): boolean {
  const u = new URL(t.endpoint);
  if (t.pathStyle || /^\d+\.\d+\.\d+\.\d+$/.test(u.hostname) || u.hostname.startsWith('[')) return false;
  return !t.bucket.includes('.') || u.protocol === 'http:';
}

/**
 * The request URL of object `key`: every path segment percent-encoded once as SigV4 wants it, the
 * string assembled as is (never through the pathname setter) and checked to have come through URL
 * parsing unchanged, so the request goes exactly where s3Uri(bucket, key) says.
 */
export function objectUrl(t: S3Endpoint, key: string): URL {
  const base = new URL(t.endpoint);
  const virtual = virtualHosted(t);
  const host = virtual ? `${t.bucket}.${base.host}` : base.host;
  const path = `${base.pathname.replace(/\/$/, '')}${virtual ? '' : `/${uriEncode(t.bucket)}`}/${key.split('/').map(uriEncode).join('/')}`;
  const url = new URL(`${base.protocol}//${host}${path}`);
  if (url.pathname !== path || url.host !== host) throw new UserError(`${s3Uri(t.bucket, key)} cannot be addressed without the URL changing its path; nothing was sent`);
  return url;
}
