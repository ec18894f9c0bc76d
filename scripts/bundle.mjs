// One ncc run per action: an ESM bundle plus its licences file. Shared by build and check-dist.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './targets.mjs';

const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

/** Bundles `entry` into `outDir` (replacing it). */
export function bundle(entry, outDir) {
  rmSync(outDir, { recursive: true, force: true });
  execFileSync(process.execPath, [ncc, 'build', entry, '-o', outDir, '--license', 'licenses.txt', '--minify', '--transpile-only', '--target', 'es2022', '-q'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
