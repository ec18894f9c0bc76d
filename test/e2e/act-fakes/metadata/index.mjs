// FAKE docker/metadata-action: the tag rules our workflows use — type=raw, type=ref (event=branch, pr, tag),
// type=semver (pattern {{version}}, {{major}}.{{minor}}, {{major}}; value or the pushed git tag), with
// enable= and priority= — sorted by priority as the real action does (semver 900, ref 600, raw 200), plus
// the OCI labels. flavor: latest=false|true|auto. Outputs as the real action writes them.
import { appendFileSync, readFileSync } from 'node:fs';

const input = (name) => process.env[`INPUT_${name.toUpperCase()}`] ?? '';
const lines = (s) =>
  s
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
const env = process.env;
const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
const ref = env.GITHUB_REF ?? '';

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;
const sanitize = (tag) => tag.replace(/[^a-zA-Z0-9._-]+/g, '-').slice(0, 128);

function rule(line) {
  const attrs = {};
  for (const part of line.split(/,(?![^{]*}})/)) {
    const i = part.indexOf('=');
    attrs[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return attrs;
}

function evaluate(attrs) {
  if (attrs.enable === 'false') return [];
  switch (attrs.type) {
    case 'raw':
      return attrs.value ? [{ tag: sanitize(attrs.value), priority: 200 }] : [];
    case 'ref':
      if (attrs.event === 'branch' && ref.startsWith('refs/heads/')) return [{ tag: sanitize(ref.slice(11)), priority: 600 }];
      if (attrs.event === 'tag' && ref.startsWith('refs/tags/')) return [{ tag: sanitize(ref.slice(10)), priority: 600 }];
      if (attrs.event === 'pr' && /^pull_request/.test(env.GITHUB_EVENT_NAME ?? '')) return [{ tag: `pr-${event.pull_request?.number ?? event.number}`, priority: 600 }];
      return [];
    case 'semver': {
      const value = attrs.value || (ref.startsWith('refs/tags/') ? ref.slice(10) : '');
      const m = SEMVER.exec(value);
      if (!m) return [];
      const [, major, minor, patch, pre] = m;
      // A pre-release only gets the full version.
      if (pre && attrs.pattern !== '{{version}}') return [];
      const tag = attrs.pattern
        .replace('{{version}}', `${major}.${minor}.${patch}${pre ? `-${pre}` : ''}`)
        .replace('{{major}}', major)
        .replace('{{minor}}', minor)
        .replace('{{patch}}', patch);
      return [{ tag: sanitize(tag), priority: 900, semver: !pre }];
    }
    default:
      throw new Error(`FAKE metadata-action: tag type ${attrs.type} is not implemented by the fake (line: ${JSON.stringify(attrs)})`);
  }
}

const tags = [];
for (const line of lines(input('tags'))) {
  const attrs = rule(line);
  for (const t of evaluate(attrs)) {
    if (attrs.priority) t.priority = Number(attrs.priority);
    if (!tags.some((x) => x.tag === t.tag)) tags.push(t);
  }
}
const latest = /latest=(\w+)/.exec(input('flavor'))?.[1] ?? 'auto';
if (latest === 'true' || (latest === 'auto' && tags.some((t) => t.semver))) if (!tags.some((t) => t.tag === 'latest')) tags.push({ tag: 'latest', priority: 100 });
tags.sort((a, b) => b.priority - a.priority);

const images = lines(input('images').replace(/,/g, '\n'));
const full = images.flatMap((image) => tags.map((t) => `${image}:${t.tag}`));
const version = tags[0]?.tag ?? '';
const repoUrl = `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`;
const labels = {
  'org.opencontainers.image.title': env.GITHUB_REPOSITORY?.split('/')[1] ?? '',
  'org.opencontainers.image.url': repoUrl,
  'org.opencontainers.image.source': repoUrl,
  'org.opencontainers.image.version': version,
  'org.opencontainers.image.created': new Date().toISOString(),
  'org.opencontainers.image.revision': env.GITHUB_SHA ?? '',
};
for (const l of lines(input('labels'))) labels[l.slice(0, l.indexOf('='))] = l.slice(l.indexOf('=') + 1);

const out = (name, value) => appendFileSync(env.GITHUB_OUTPUT, `${name}<<FAKE_EOF\n${value}\nFAKE_EOF\n`);
out('version', version);
out('tags', full.join('\n'));
out(
  'labels',
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n'),
);
out('json', JSON.stringify({ tags: full, labels }));
console.log(`FAKE metadata-action: ${full.join(', ') || 'no tags'}`);
