// Where the lock lives, byte for byte as terraform's s3 backend puts it, and the refusals that keep a
// release from being pointed at another object (issue: key=../victim-bucket/… sent DELETE to another
// bucket while the log named this one).
import { describe, expect, test } from '@jest/globals';
import { UserError } from '@platform-actions/kit';
import type { HclValue } from '../src/hcl.js';
import { lockTargets } from '../src/lock.js';
import { isBucketName, objectUrl, s3Uri, statePath, virtualHosted } from '../src/s3path.js';

const base = { bucket: 'acme-state', key: 'prod/terraform.tfstate', region: 'eu-west-1', use_lockfile: true, dynamodb_table: 'locks' };
const from = {
  bucket: 'infra/main.tf:3',
  key: 'the backend-config input',
  workspace_key_prefix: 'infra/prod.tfbackend:2',
  region: 'infra/main.tf:5',
  endpoints: 'infra/main.tf:8',
};

describe('the state path, as terraform builds it', () => {
  test.each<[string, Record<string, HclValue>, string, string]>([
    ['default workspace: the key as it is', {}, 'default', 'prod/terraform.tfstate'],
    ['another workspace: env:/<ws>/<key>', {}, 'blue', 'env:/blue/prod/terraform.tfstate'],
    ['a custom workspace_key_prefix', { workspace_key_prefix: 'workspaces' }, 'blue', 'workspaces/blue/prod/terraform.tfstate'],
    // path.Join drops an empty prefix and folds "//" in a prefix (terraform accepts both).
    ['an empty workspace_key_prefix', { workspace_key_prefix: '' }, 'blue', 'blue/prod/terraform.tfstate'],
    ['a prefix with "//"', { workspace_key_prefix: 'team//ws' }, 'blue', 'team/ws/blue/prod/terraform.tfstate'],
    ['the prefix is unused in the default workspace', { workspace_key_prefix: 'workspaces' }, 'default', 'prod/terraform.tfstate'],
    ['dots inside a segment are a name, not a segment', { key: 'v1.2/..state/a...b.tfstate' }, 'default', 'v1.2/..state/a...b.tfstate'],
  ])('%s', (_name, extra, ws, path) => expect(statePath({ ...base, ...extra }, ws)).toBe(path));

  test('the lock object is <path>.tflock and the DynamoDB LockID is <bucket>/<path>', () => {
    const t = lockTargets({ ...base, workspace_key_prefix: 'w' }, 'blue', {});
    expect(t.s3).toMatchObject({ bucket: 'acme-state', key: 'w/blue/prod/terraform.tfstate.tflock' });
    expect(t.ddb).toMatchObject({ table: 'locks', lockId: 'acme-state/w/blue/prod/terraform.tfstate' });
  });
});

describe('settings that could point a lock request at another object are refused before any request, naming the setting and where it came from', () => {
  const refusal = (extra: Record<string, HclValue>, ws = 'default', env: NodeJS.ProcessEnv = {}): string => {
    try {
      lockTargets({ ...base, ...extra }, ws, env, from);
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      return (e as Error).message;
    }
    throw new Error('not refused');
  };
  const DOTS = 'must not have "." or ".." path segments (a URL parser removes them, so the request would touch another object than the one named)';
  const SLASH = 'must not start or end with "/" (terraform refuses it)';
  const BUCKET = 'must be an S3 bucket name: 3 to 63 lowercase letters, digits, "." and "-", beginning and ending with a letter or digit, no "..", not an IP address';
  test.each<[string, Record<string, HclValue>, string, string]>([
    // The inputs of the issue.
    [
      'key climbing into another bucket',
      { key: '../victim-bucket/prod/terraform.tfstate' },
      'default',
      `key" (from the backend-config input) ${DOTS}; got "../victim-bucket/prod/terraform.tfstate"`,
    ],
    ['workspace_key_prefix climbing out', { workspace_key_prefix: '../../x' }, 'blue', `workspace_key_prefix" (from infra/prod.tfbackend:2) ${DOTS}; got "../../x"`],
    [
      'workspace_key_prefix climbing out, default workspace too',
      { workspace_key_prefix: '../../x' },
      'default',
      `workspace_key_prefix" (from infra/prod.tfbackend:2) ${DOTS}; got "../../x"`,
    ],
    ['bucket ".."', { bucket: '..' }, 'default', `bucket" (from infra/main.tf:3) ${BUCKET}; got ".."`],
    ['key with ./ segments', { key: './envs/./prod.tfstate' }, 'default', `key" (from the backend-config input) ${DOTS}; got "./envs/./prod.tfstate"`],
    ['key ending in ..', { key: 'envs/prod/..' }, 'default', `key" (from the backend-config input) ${DOTS}; got "envs/prod/.."`],
    ['absolute key', { key: '/etc/x.tfstate' }, 'default', `key" (from the backend-config input) ${SLASH}; got "/etc/x.tfstate"`],
    ['key with a trailing /', { key: 'envs/prod/' }, 'default', `key" (from the backend-config input) ${SLASH}; got "envs/prod/"`],
    ['key with //', { key: 'envs//prod.tfstate' }, 'default', `key" (from the backend-config input) must not contain "//" (terraform refuses it); got "envs//prod.tfstate"`],
    ['prefix starting with /', { workspace_key_prefix: '/ws' }, 'blue', `workspace_key_prefix" (from infra/prod.tfbackend:2) ${SLASH}; got "/ws"`],
    ['prefix ending with /', { workspace_key_prefix: 'ws/' }, 'blue', `workspace_key_prefix" (from infra/prod.tfbackend:2) ${SLASH}; got "ws/"`],
    ['empty key', { key: '  ' }, 'default', `key" (from the backend-config input) must not be empty (terraform refuses it); got "  "`],
    [
      'key with a newline (a workflow command in the log)',
      { key: 'a\n::error::x' },
      'default',
      `key" (from the backend-config input) must not contain control characters; got "a\\n::error::x"`,
    ],
    ['bucket with a slash', { bucket: 'acme/other' }, 'default', `bucket" (from infra/main.tf:3) ${BUCKET}; got "acme/other"`],
    ['bucket "."', { bucket: '.' }, 'default', `bucket" (from infra/main.tf:3) ${BUCKET}; got "."`],
    ['bucket with uppercase', { bucket: 'Acme-State' }, 'default', `bucket" (from infra/main.tf:3) ${BUCKET}; got "Acme-State"`],
    ['bucket like an IP address', { bucket: '192.168.5.4' }, 'default', `bucket" (from infra/main.tf:3) ${BUCKET}; got "192.168.5.4"`],
    ['bucket with adjacent periods', { bucket: 'acme..state' }, 'default', `bucket" (from infra/main.tf:3) ${BUCKET}; got "acme..state"`],
    [
      'region that moves the host',
      { region: 'eu-west-1.attacker.example#' },
      'default',
      `region" (from infra/main.tf:5) must be an AWS region such as eu-west-1; got "eu-west-1.attacker.example#"`,
    ],
    [
      'endpoint with credentials, never echoed',
      { endpoints: { s3: 'https://user:hunter2@s3.example' } },
      'default',
      `endpoints.s3" (from infra/main.tf:8) must be an http(s) URL without credentials in it`,
    ],
    [
      'endpoint that is not http(s)',
      { endpoints: { s3: 'file:///etc' } },
      'default',
      `endpoints.s3" (from infra/main.tf:8) must be an http(s) URL with no query or fragment, such as https://s3.eu-west-1.amazonaws.com; got "file:///etc"`,
    ],
    ['DynamoDB table name', { dynamodb_table: 'a/b' }, 'default', `dynamodb_table" must be a DynamoDB table name: 3 to 255 letters, digits, "_", "-" and "."; got "a/b"`],
  ])('%s', (_name, extra, ws, msg) => expect(refusal(extra, ws)).toBe(`backend setting "${msg}`));

  test('settings from the environment name the variable', () => {
    expect(refusal({ region: undefined as unknown as string }, 'default', { AWS_REGION: 'x/y' })).toBe(
      'backend setting "region" (from AWS_REGION) must be an AWS region such as eu-west-1; got "x/y"',
    );
    expect(refusal({}, 'default', { AWS_ENDPOINT_URL_S3: 'not a url' })).toMatch(/^backend setting "endpoints\.s3" \(from AWS_ENDPOINT_URL_S3\) must be an http\(s\) URL/);
  });

  test("a lock key over S3's 1024 bytes", () => {
    expect(refusal({ key: `${'é'.repeat(510)}.tfstate` })).toMatch(
      /^backend setting "key" \(from the backend-config input\) must leave the lock object's key within S3's 1024 bytes/,
    );
  });

  test.each(['a-b', 'tfstate', 'acme.state.prod', 'x'.repeat(63), '123'])('bucket %s follows the rules', (b) => expect(isBucketName(b)).toBe(true));
  test.each(['ab', 'x'.repeat(64), '-ab', 'ab-', 'a_b', 'a b', '..', '...', 'a..b', '1.2.3.4'])('bucket %s does not', (b) => expect(isBucketName(b)).toBe(false));
});

describe('the request URL and the printed location are the same object', () => {
  const keys = [
    'prod/terraform.tfstate.tflock',
    'env:/blue/a b/c+d=e@f.tflock',
    'unicode/é/日本/state.tflock',
    'percent/%2e%2e/%2F/x.tflock',
    'query?and#hash/x.tflock',
    'back\\slash/..x/x../.../x.tflock',
    "sub-delims/!$&'()*,;/x.tflock",
  ];
  const styles = [
    { name: 'path-style', endpoint: 'https://s3.eu-west-1.amazonaws.com', pathStyle: true, host: 's3.eu-west-1.amazonaws.com', prefix: '/acme-state' },
    { name: 'virtual-hosted', endpoint: 'https://s3.eu-west-1.amazonaws.com', pathStyle: false, host: 'acme-state.s3.eu-west-1.amazonaws.com', prefix: '' },
    { name: 'path-style under an endpoint path', endpoint: 'http://127.0.0.1:9000/minio/', pathStyle: true, host: '127.0.0.1:9000', prefix: '/minio/acme-state' },
  ];
  for (const s of styles)
    test.each(keys)(`${s.name}: %s`, (key) => {
      const url = objectUrl({ endpoint: s.endpoint, pathStyle: s.pathStyle, bucket: 'acme-state' }, key);
      expect(url.host).toBe(s.host);
      expect(url.pathname.startsWith(`${s.prefix}/`)).toBe(true);
      const sent = url.pathname
        .slice(s.prefix.length + 1)
        .split('/')
        .map(decodeURIComponent)
        .join('/');
      expect(s3Uri('acme-state', sent)).toBe(s3Uri('acme-state', key));
      expect(url.search).toBe('');
      expect(url.hash).toBe('');
    });

  test('segments are encoded as SigV4 wants them (RFC 3986, each once)', () => {
    expect(objectUrl({ endpoint: 'https://s3.us-east-1.amazonaws.com', pathStyle: true, bucket: 'tfstate' }, "env:/dev/a b!'()*.tflock").pathname).toBe(
      '/tfstate/env%3A/dev/a%20b%21%27%28%29%2A.tflock',
    );
  });

  test.each([
    ['https, no dots: virtual-hosted', 'https://s3.us-east-1.amazonaws.com', 'acme-state', false, true],
    ['use_path_style', 'https://s3.us-east-1.amazonaws.com', 'acme-state', true, false],
    ['https and dots: path-style (the certificate covers one label)', 'https://s3.us-east-1.amazonaws.com', 'acme.state', false, false],
    ['http and dots: virtual-hosted', 'http://minio.internal:9000', 'acme.state', false, true],
    ['an IP endpoint: path-style', 'http://127.0.0.1:9000', 'acme-state', false, false],
    ['an IPv6 endpoint: path-style', 'http://[::1]:9000', 'acme-state', false, false],
  ])('%s (as the AWS SDK addresses it)', (_name, endpoint, bucket, pathStyle, virtual) => expect(virtualHosted({ endpoint, bucket, pathStyle })).toBe(virtual));

  test('a dot segment that got past the checks is still never sent', () => {
    expect(() => objectUrl({ endpoint: 'https://s3.us-east-1.amazonaws.com', pathStyle: true, bucket: 'acme-state' }, '../victim-bucket/x.tflock')).toThrow(
      's3://acme-state/../victim-bucket/x.tflock cannot be addressed without the URL changing its path; nothing was sent',
    );
  });
});
