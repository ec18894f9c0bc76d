// gitleaks itself: a pinned release, checksum-verified and cached by the kit's installer, or the one on
// PATH. The CLI is MIT licensed; no key of any kind is needed.
import { type InstalledTool, installRelease, type ToolRelease, UserError, useSystemTool } from '@platform-actions/kit';

export const DEFAULT_VERSION = '8.30.1';
/** The flags we pass (`git` subcommand, `--platform none`, `--redact=N`) all exist from here on. */
export const MIN_VERSION = '8.24.0';
const OFFICIAL_BASE = 'https://github.com/gitleaks/gitleaks/releases/download';

const OS: Partial<Record<NodeJS.Platform, string>> = { linux: 'linux', darwin: 'darwin', win32: 'windows' };
const ARCH: Partial<Record<NodeJS.Architecture, string>> = { x64: 'x64', arm64: 'arm64', arm: 'armv7', ia32: 'x32' };

/** The release asset for a version and platform, in gitleaks' naming (gitleaks_8.30.1_linux_x64.tar.gz). */
export function gitleaksRelease(version: string, platform: NodeJS.Platform = process.platform, arch: NodeJS.Architecture = process.arch): ToolRelease {
  const os = OS[platform];
  const cpu = ARCH[arch];
  if (!os || !cpu) throw new UserError(`gitleaks publishes no release for ${platform}/${arch}; install it in an earlier step and set version: system`);
  const ext = os === 'windows' ? 'zip' : 'tar.gz';
  return {
    tool: 'gitleaks',
    version,
    baseUrl: OFFICIAL_BASE,
    asset: { path: `v${version}/gitleaks_${version}_${os}_${cpu}.${ext}`, checksumsPath: `v${version}/gitleaks_${version}_checksums.txt` },
    binaries: [os === 'windows' ? 'gitleaks.exe' : 'gitleaks'],
  };
}

export async function installGitleaks(version: string, mirror?: string): Promise<InstalledTool & { path: string }> {
  const t =
    version === 'system'
      ? await useSystemTool({ tool: 'gitleaks', versionArgs: ['version'], versionPattern: /v?(\d+\.\d+\.\d+)/, minVersion: MIN_VERSION })
      : await installRelease(gitleaksRelease(version), { mirror });
  const path = t.bin.gitleaks ?? t.bin['gitleaks.exe'];
  return { ...t, path };
}
