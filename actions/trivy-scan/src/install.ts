// trivy itself: a pinned release verified against the release's checksums file and cached by version
// through the kit's installer, or the trivy on PATH.
import { type InstalledTool, installRelease, type ToolRelease, UserError, useSystemTool } from '@platform-actions/kit';

export const DEFAULT_VERSION = '0.74.0';
/** JSON schema 2 with `--db-repository` lists, `--disable-telemetry` and `--list-all-pkgs` by default. */
export const MIN_VERSION = '0.67.0';
/**
 * Releases known to be malicious: v0.69.4 was published by the March 2026 supply-chain attack. Refused
 * even though its checksums file "matches" (it was published by the same attacker).
 */
export const REFUSED_VERSIONS: Record<string, string> = { '0.69.4': 'it was published by the March 2026 supply-chain compromise' };
export const OFFICIAL_BASE = 'https://github.com/aquasecurity/trivy/releases/download';

const OS: Partial<Record<NodeJS.Platform, string>> = { linux: 'Linux', darwin: 'macOS', win32: 'windows', freebsd: 'FreeBSD' };
const ARCH: Partial<Record<NodeJS.Architecture, string>> = { x64: '64bit', arm64: 'ARM64', arm: 'ARM', ppc64: 'PPC64LE', s390x: 's390x', ia32: '32bit' };

/** The release asset in trivy's naming (trivy_0.74.0_Linux-64bit.tar.gz). */
export function trivyRelease(version: string, platform: NodeJS.Platform = process.platform, arch: NodeJS.Architecture = process.arch): ToolRelease {
  const os = OS[platform];
  const cpu = ARCH[arch];
  if (!os || !cpu) throw new UserError(`trivy publishes no release for ${platform}/${arch}; install it in an earlier step and set version: system`);
  const ext = os === 'windows' ? 'zip' : 'tar.gz';
  return {
    tool: 'trivy',
    version,
    baseUrl: OFFICIAL_BASE,
    asset: { path: `v${version}/trivy_${version}_${os}-${cpu}.${ext}`, checksumsPath: `v${version}/trivy_${version}_checksums.txt` },
    binaries: [os === 'windows' ? 'trivy.exe' : 'trivy'],
  };
}

export async function installTrivy(version: string, mirror?: string): Promise<InstalledTool & { path: string }> {
  const t =
    version === 'system'
      ? await useSystemTool({ tool: 'trivy', versionArgs: ['--version'], versionPattern: /Version:\s*v?(\d+\.\d+\.\d+)/, minVersion: MIN_VERSION })
      : await installRelease(trivyRelease(version), { mirror, timeoutMs: 300_000 });
  if (t.source === 'system' && REFUSED_VERSIONS[t.version]) throw new UserError(`trivy on PATH is ${t.version}, which this action refuses: ${REFUSED_VERSIONS[t.version]}`);
  const path = t.bin.trivy ?? t.bin['trivy.exe'];
  return { ...t, path };
}
