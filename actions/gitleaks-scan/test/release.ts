// A gitleaks release laid out like the official one (gitleaks_<v>_linux_x64.tar.gz plus
// gitleaks_<v>_checksums.txt under /gitleaks/gitleaks/releases/download/v<v>/), built at test time
// around the harness's real gitleaks binary and served by the harness release mirror.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinnedVersion, toolBin } from '../../../test/harness/tools.js';
import { sha256 } from '../../../test/harness/services/release-mirror.js';

export const RELEASE_PREFIX = '/gitleaks/gitleaks/releases/download';

/** URL path → body of the archive and its checksums file for the pinned version. */
export function gitleaksReleaseFiles(): { version: string; files: Record<string, Buffer>; archivePath: string } {
  const version = pinnedVersion('gitleaks');
  const work = mkdtempSync(join(tmpdir(), 'gitleaks-release-'));
  try {
    const stage = join(work, 'stage');
    mkdirSync(stage);
    copyFileSync(toolBin('gitleaks'), join(stage, 'gitleaks'));
    writeFileSync(join(stage, 'README.md'), 'gitleaks (test release built from the harness binary)\n');
    const name = `gitleaks_${version}_linux_x64.tar.gz`;
    execFileSync('tar', ['-czf', join(work, name), '-C', stage, 'gitleaks', 'README.md']);
    const archive = readFileSync(join(work, name));
    const dir = `${RELEASE_PREFIX}/v${version}`;
    const sums = `${sha256(archive)}  ${name}\n${sha256('other')}  gitleaks_${version}_darwin_arm64.tar.gz\n`;
    return { version, archivePath: `${dir}/${name}`, files: { [`${dir}/${name}`]: archive, [`${dir}/gitleaks_${version}_checksums.txt`]: Buffer.from(sums) } };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
