// The package's `engines` tells the truth: every package bundled into what it runs — the action bundles it
// carries (dist/<action>/licenses.txt lists them) and its own bundle (js-yaml, @actions/expressions) — accepts every Node the
// range allows. Today content-type (through @octokit/request) wants Node >=22, so the package says >=22.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..', '..');
const semver = createRequire(import.meta.url)('semver') as {
  satisfies(v: string, r: string): boolean;
  validRange(r: string): string | null;
  minVersion(r: string): { version: string };
};

/** Every Node release line `ours` allows (its lowest version, then each later major up to 30) satisfies `theirs`. */
function allows(ours: string, theirs: string): boolean {
  const low = semver.minVersion(ours).version;
  const majors = Array.from({ length: 31 - Number(low.split('.')[0]) }, (_, i) => `${Number(low.split('.')[0]) + i + 1}.0.0`);
  return [low, ...majors].filter((v) => semver.satisfies(v, ours)).every((v) => semver.satisfies(v, theirs));
}

/** name@version → engines.node of every package installed under node_modules (nested ones too). */
function installed(dir: string, out = new Map<string, string | undefined>()): Map<string, string | undefined> {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name === '.bin') continue;
    const pkgDirs = e.name.startsWith('@') ? readdirSync(join(dir, e.name)).map((n) => join(dir, e.name, n)) : [join(dir, e.name)];
    for (const p of pkgDirs) {
      const file = join(p, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name: string; version: string; engines?: { node?: string } };
      out.set(`${pkg.name}@${pkg.version}`, pkg.engines?.node);
      installed(join(p, 'node_modules'), out);
    }
  }
  return out;
}

function bundled(): string[] {
  const names = new Set<string>();
  for (const a of readdirSync(join(root, 'dist'))) {
    const lic = join(root, 'dist', a, 'licenses.txt');
    if (!existsSync(lic)) continue;
    for (const m of readFileSync(lic, 'utf8').matchAll(/^(@?[^@\s]+)@(\d[^\s]*)$/gm)) names.add(`${m[1]}@${m[2]}`);
  }
  // The CLI's own bundle: js-yaml and GitHub's expression engine.
  for (const dep of ['js-yaml', '@actions/expressions']) {
    const pkg = JSON.parse(readFileSync(join(root, 'node_modules', dep, 'package.json'), 'utf8')) as { version: string };
    names.add(`${dep}@${pkg.version}`);
  }
  return [...names].sort();
}

describe('engines', () => {
  const ours = JSON.parse(readFileSync(join(root, 'packages', 'cli', 'package.json'), 'utf8')).engines.node as string;
  it('every bundled package accepts every Node the package declares', () => {
    const all = installed(join(root, 'node_modules'));
    const list = bundled();
    expect(list.length).toBeGreaterThan(20);
    const narrower = list.filter((p) => {
      const theirs = all.get(p);
      return theirs !== undefined && semver.validRange(theirs) !== null && !allows(ours, theirs);
    });
    expect(narrower.map((p) => `${p} wants node ${all.get(p)}`)).toEqual([]);
  });

  it('and is no wider than needed: the narrowest bundled requirement is what it says', () => {
    const all = installed(join(root, 'node_modules'));
    // With >=20 the check above would name content-type (>=22): the range is set by a real dependency.
    expect(bundled().filter((p) => all.get(p) && !allows('>=20', all.get(p)!))).toEqual(expect.arrayContaining([expect.stringMatching(/^content-type@/)]));
    expect(ours).toBe('>=22');
  });
});
