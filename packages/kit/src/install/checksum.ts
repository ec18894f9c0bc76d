// SHA-256 verification against a digest pinned in our code or a checksums file from the same release.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { ToolError } from '../errors.js';

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Parses `sha256sum` output: `<hex>  <name>` or `<hex> *<name>` per line. */
export function parseChecksums(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const r = /^([a-fA-F0-9]{64})\s+\*?(.+?)\s*$/.exec(line.trim());
    if (r) m.set(r[2].replace(/^\.\//, ''), r[1].toLowerCase());
  }
  return m;
}

/** Throws a ToolError that is never retried when the file's digest is not the expected one. */
export async function verifySha256(path: string, expected: string, label: string): Promise<void> {
  const actual = await sha256File(path);
  if (actual !== expected.toLowerCase()) {
    throw new ToolError(`checksum mismatch for ${label}: expected sha256 ${expected.toLowerCase()}, got ${actual}. The file was not used.`);
  }
}
