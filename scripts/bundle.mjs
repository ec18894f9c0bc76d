// One ncc run per action: an ESM bundle (lazy imports become extra chunk files) plus a licences file
// covering every bundled package, chunks included (ncc's own --license only sees the entry chunk).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './targets.mjs';

const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

/** The node_modules package folders that webpack's stats say were bundled. */
function bundledPackages(stats) {
  const dirs = new Set();
  const walk = (mods) => {
    for (const m of mods ?? []) {
      const id = m.nameForCondition ?? m.identifier ?? m.name ?? '';
      const at = id.lastIndexOf('node_modules/');
      if (at >= 0) {
        const rest = id.slice(at + 'node_modules/'.length).split('/');
        dirs.add(id.slice(0, at) + 'node_modules/' + (rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]));
      }
      walk(m.modules);
    }
  };
  walk(stats.modules);
  return [...dirs].filter((d) => existsSync(join(d, 'package.json')));
}

function licenceText(dir) {
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  return file ? readFileSync(join(dir, file), 'utf8').trim() : '';
}

function writeLicences(stats, outDir) {
  const pkgs = bundledPackages(stats)
    .map((d) => ({ dir: d, pkg: JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) }))
    .sort((a, b) => (a.pkg.name < b.pkg.name ? -1 : a.pkg.name > b.pkg.name ? 1 : 0));
  const seen = new Set();
  const parts = [];
  for (const { dir, pkg } of pkgs) {
    const key = `${pkg.name}@${pkg.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    parts.push(`${pkg.name}@${pkg.version}\n${pkg.license ?? 'UNKNOWN'}\n${licenceText(dir)}`.trimEnd());
  }
  writeFileSync(join(outDir, 'licenses.txt'), parts.join('\n\n') + '\n');
}

/**
 * Bundles `entry` into `outDir` (replacing it). An action that needs data files at run time keeps a
 * `scripts/build-assets.mjs` that copies them next to the bundle; it runs here so build and check-dist agree.
 */
export function bundle(entry, outDir, actionDir) {
  rmSync(outDir, { recursive: true, force: true });
  const tmp = mkdtempSync(join(tmpdir(), 'ncc-stats-'));
  const statsFile = join(tmp, 'stats.json');
  try {
    execFileSync(process.execPath, [ncc, 'build', entry, '-o', outDir, '--minify', '--transpile-only', '--target', 'es2022', '--stats-out', statsFile, '-q'], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    writeLicences(JSON.parse(readFileSync(statsFile, 'utf8')), outDir);
    const assets = actionDir && join(actionDir, 'scripts', 'build-assets.mjs');
    if (assets && existsSync(assets)) execFileSync(process.execPath, [assets, outDir], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
