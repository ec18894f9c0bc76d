// Writes a small repository (relative path → content) into a fresh temp dir.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function repoWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tflc-'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

/** An s3 backend block with the given extra attribute lines. */
export const s3Root = (key: string, extra = 'use_lockfile = true\n    encrypt = true', tf = '') => `terraform {
  ${tf}
  backend "s3" {
    bucket = "tfstate"
    key    = "${key}"
    region = "us-east-1"
    ${extra}
  }
}
`;
