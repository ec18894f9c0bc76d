// Secrets, in every form a tool may print them. The runner's masking (`add-mask`) covers the log only,
// and only the exact string; files we write (SARIF, summary, PR comment, reports) are not masked by
// anyone but us. So every secret is registered once, masked in each encoding, and scrubbed from every
// text a reporter writes.
import * as core from './core.js';

const forms = new Set<string>();
const REDACTED = '***';

/** The spellings of `value` a tool or a URL may carry: raw, percent-encoded (both flavours), base64. */
export function secretForms(value: string): string[] {
  const out = new Set<string>([value]);
  out.add(encodeURIComponent(value));
  // URLSearchParams / form encoding uses + for spaces; some clients print it that way.
  out.add(new URLSearchParams({ v: value }).toString().slice(2));
  // Clients that encode only what is unsafe in a URL's userinfo leave ':' or '@' alone at times.
  out.add(encodeURI(value));
  try {
    out.add(decodeURIComponent(value));
  } catch {
    /* not percent-encoded */
  }
  out.add(Buffer.from(value, 'utf8').toString('base64'));
  // Short forms would mask ordinary words everywhere ("***" for "1"), so they are not registered.
  return [...out].filter((f) => f.length >= 4);
}

/** Registers a secret: masked in the log from now on and scrubbed from everything `scrub()` sees. */
export function addSecret(value: string | undefined): void {
  if (!value) return;
  for (const f of secretForms(value)) {
    if (forms.has(f)) continue;
    forms.add(f);
    for (const line of f.split(/\r?\n/)) if (line.length >= 4) core.setSecret(line);
  }
}

/** Replaces every registered secret form in `text` with `***`. Longest first, so a form containing another goes whole. */
export function scrub(text: string): string {
  if (forms.size === 0 || !text) return text;
  let out = text;
  for (const f of [...forms].sort((a, b) => b.length - a.length)) if (out.includes(f)) out = out.split(f).join(REDACTED);
  return out;
}

/** True when `value` is a registered secret (in any of its forms). */
export const isSecret = (value: string): boolean => forms.has(value);

/** True once any secret is registered. */
export const hasSecrets = (): boolean => forms.size > 0;

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  forms.clear();
}
