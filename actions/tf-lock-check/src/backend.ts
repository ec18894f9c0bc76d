// The backend configuration a live command reads: the root's backend block merged with the
// backend-config input (.tfbackend files or key=value, later wins, as `terraform init` merges them),
// remembering where every setting came from, so a setting that cannot be used is refused in one line
// that names it and its place.
import { InputError, UserError } from '@platform-actions/kit';
import { type HclValue, parseHclFile } from './hcl.js';
import { type Backend, partial } from './repo.js';
import { checkedPartialFile } from './settings.js';

export interface BackendSettings {
  values: Record<string, HclValue>;
  /** Where each setting came from: "infra/main.tf:4", "infra/prod.tfbackend:1" or "the backend-config input". */
  from: Record<string, string>;
}

export function backendSettings(backend: Backend, extra: string[], dir: string): BackendSettings {
  const values: Record<string, HclValue> = {};
  const from: Record<string, string> = {};
  for (const a of Object.values(backend.body.attributes)) {
    values[a.name] = a.value;
    from[a.name] = `${backend.file}:${a.line}`;
  }
  for (const v of extra) {
    const p = partial(v, dir, new Map(), (rel) => {
      const abs = checkedPartialFile(rel, v);
      return abs ? parseHclFile(abs, rel) : undefined;
    });
    if (!p) throw new InputError('backend-config', 'must list .tfbackend files (relative to working-directory) or key=value lines', v);
    for (const [k, value] of Object.entries(p.kv)) {
      values[k] = value;
      const s = p.sources[k];
      from[k] = s ? `${s.file}:${s.line}` : 'the backend-config input';
    }
  }
  return { values, from };
}

/**
 * A backend setting the action cannot use, as one line: the setting, where it came from, what was
 * expected and (unless it may be secret) what it got.
 */
export class SettingError extends UserError {
  constructor(setting: string, from: string | undefined, expected: string, got?: string) {
    super(`backend setting "${setting}"${from ? ` (from ${from})` : ''} ${expected}${got === undefined ? '' : `; got ${JSON.stringify(got)}`}`);
  }
}
