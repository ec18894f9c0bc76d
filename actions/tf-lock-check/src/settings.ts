// The inputs, checked before any work: the command and its root (every command), the lint command's
// inputs, and the inputs that name places — the working directory (compared as real paths, so a symlink
// cannot lead outside the workspace), partial backend configuration files, and the terraform workspace
// name. The live commands' timing inputs are read in live.ts, next to the lock logic they bound.
import { type FailOn, inputs, InputError, workspace } from '@platform-actions/kit';
import { realpathSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inside, real } from './files.js';
import { parseVersion, type Version } from './versions.js';

const COMMANDS = ['lint', 'status', 'wait', 'recover'] as const;

export interface Settings {
  command: (typeof COMMANDS)[number];
  /** working-directory, repository-relative ("" = the root). */
  dir: string;
}

/** What every command reads first: which command, in which root. */
export function readSettings(): Settings {
  const command = inputs.oneOf('command', COMMANDS, { default: 'lint' });
  return { command, dir: workingDirectory() };
}

export interface LintSettings {
  failOn: FailOn;
  flavor: 'auto' | 'terraform' | 'tofu';
  /** terraform-version as given; undefined: ask the terraform binary on PATH. */
  versionText?: string;
  terraformVersion?: Version;
  comment: { enabled: boolean; token?: string };
  sarifFile: string;
}

/** The lint command's inputs. */
export function readLintSettings(): LintSettings {
  const failOn = inputs.failOn('high');
  const flavor = inputs.oneOf('flavor', ['auto', 'terraform', 'tofu'] as const, { default: 'auto' });
  const versionText = inputs.string('terraform-version');
  const comment = inputs.comment();
  const sarifFile = inputs.outputFile('sarif-file', 'tf-lock-check.sarif');
  let terraformVersion: Version | undefined;
  if (versionText) {
    terraformVersion = parseVersion(versionText);
    if (!terraformVersion) throw new InputError('terraform-version', 'must be a version such as 1.11.4', versionText);
  }
  return { failOn, flavor, versionText, terraformVersion, comment, sarifFile };
}

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
