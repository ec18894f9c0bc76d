// Inputs that name places: the working directory (compared as real paths, so a symlink cannot lead
// outside the workspace), partial backend configuration files, and the terraform workspace name.
import { inputs, InputError, workspace } from '@platform-actions/kit';
import { realpathSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inside, real } from './files.js';

/** working-directory as a repository-relative POSIX path ("" = the root), checked on real paths. */
export function workingDirectory(): string {
  const abs = inputs.path('working-directory', { default: '.', mustExist: 'dir' }) as string;
  const root = realpathSync(workspace());
  const target = real(abs);
  if (!target || !inside(root, target))
    throw new InputError('working-directory', 'must be a folder inside the workspace (a symbolic link may not lead outside it)', inputs.string('working-directory'));
  return relative(root, join(root, relative(workspace(), abs)))
    .split('\\')
    .join('/');
}

/**
 * A terraform workspace name. terraform refuses names that are not a single URL path segment; we also
 * refuse `..` and leading dots, because the name becomes part of an S3 key and a DynamoDB LockID, and
 * `../../other-bucket/x` would point the lock read (and a release) at another state.
 */
export function workspaceName(): string {
  const fromEnv = process.env.TF_WORKSPACE;
  const v = inputs.string('workspace') ?? (fromEnv || 'default');
  const source = inputs.string('workspace') ? undefined : fromEnv ? ' (from TF_WORKSPACE)' : undefined;
  if (!/^[A-Za-z0-9_~+=@:-][A-Za-z0-9._~+=@:-]*$/.test(v) || v.includes('..') || v.length > 90) {
    throw new InputError('workspace', `must be a terraform workspace name${source ?? ''}: letters, digits and - _ . ~ + = @ :, no "/", "..", spaces or leading dot`, v);
  }
  return v;
}

/** A -backend-config file named in the backend-config input: inside the workspace on real paths. */
export function checkedPartialFile(rel: string, value: string): string | undefined {
  const root = realpathSync(workspace());
  const abs = join(root, rel);
  const target = real(abs);
  if (!target) return undefined;
  if (!inside(root, target) || rel.startsWith('../') || rel.startsWith('/')) throw new InputError('backend-config', 'must name files inside the workspace', value);
  return abs;
}
