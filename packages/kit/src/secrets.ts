// Secrets, in every form a tool may print them. The runner's masking (`add-mask`) covers the log only,
// and only the exact string; files we write (SARIF, summary, PR comment, reports) are not masked by
// anyone but us. So every secret is registered once, masked in each encoding, and scrubbed from every
// text a reporter writes.
import * as core from './core.js';

const forms = new Set<string>();
/** `forms`, longest first (so a form containing another goes whole); rebuilt when a form is added. */
let ordered: string[] = [];
const REDACTED = '***';

/** The spellings of `value` a tool or a URL may carry: raw, percent-encoded (both flavours), base64. */
function secretForms(value: string): string[] {
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

let announce = true;
/**
 * Off for a program that is not a workflow step (the CLI on a terminal): secrets are still scrubbed from
 * everything printed, but no `::add-mask::` command is written, since nothing reads it there.
 */
export function announceMasks(on: boolean): void {
  announce = on;
}

/** Registers a secret: masked in the log from now on and scrubbed from everything `scrub()` sees. */
export function addSecret(value: string | undefined): void {
  if (!value) return;
  for (const f of secretForms(value)) {
    if (forms.has(f)) continue;
    forms.add(f);
    ordered = [...forms].sort((a, b) => b.length - a.length);
    if (announce) for (const line of f.split(/\r?\n/)) if (line.length >= 4) core.setSecret(line);
  }
}

/** Replaces every registered secret form in `text` with `***`. Longest first, so a form containing another goes whole. */
export function scrub(text: string): string {
  if (forms.size === 0 || !text) return text;
  let out = text;
  for (const f of ordered) if (out.includes(f)) out = out.split(f).join(REDACTED);
  return out;
}

/** True when `value` is a registered secret (in any of its forms). */
export const isSecret = (value: string): boolean => forms.has(value);

core.useScrubber(scrub);

// ---- URLs that carry credentials ----------------------------------------------------------------------
// A URL's userinfo (`https://admin:pw@host`, `postgresql://app:pw@db/app`) is a secret wherever the URL
// turns up: a kubeconfig's server, a webhook, a smoke URL, a mirror, a database. Tools and URL parsers
// disagree about where it ends when the password holds `/`, `#`, `?` or `@` unencoded (the WHATWG parser
// stops the authority at the first `/`; libpq and most people read up to the last `@`), so both readings
// are registered. Each is then masked and scrubbed in every encoding `secretForms` knows (raw,
// percent-encoded, base64 — the Basic auth header is base64 of `user:password`).

const SCHEME = /^([a-z][a-z0-9+.-]*:\/\/)/i;

/**
 * The userinfo as a person (and libpq) reads it: up to the last `@`. Taken only when it cannot be a
 * host and path instead: no `/` in it, or a first segment `user:password` whose password is not a port.
 */
function lenientUserinfo(url: string): { scheme: string; info: string; rest: string } | undefined {
  const m = SCHEME.exec(url);
  if (!m) return undefined;
  const tail = url.slice(m[1].length);
  const lastAt = tail.search(/@[^@\s]*$/);
  if (lastAt <= 0) return undefined;
  const info = tail.slice(0, lastAt);
  if (/\s/.test(info)) return undefined;
  const first = info.split('/')[0];
  if (info.includes('/') && !/:(?!\d*$)/.test(first)) return undefined;
  return { scheme: m[1], info, rest: tail.slice(lastAt) };
}

// A user with no password is a credential where tokens ride as the user (`https://<token>@host`, git
// remotes). In a database or cache URL (`postgresql://app@db/app`) it is only a role name: masking it would
// hide every "app" in the log and the host and database in every error message.
const TOKEN_AS_USER = /^(https?|git\+https?|wss?|ssh|git\+ssh):\/\//i;

/** The userinfo readings of `url` (whole userinfo and password, raw and decoded, for each parser's view); empty when there is none. */
export function urlCredentials(url: string): string[] {
  const out = new Set<string>();
  const userAlone = TOKEN_AS_USER.test(url);
  const lenient = lenientUserinfo(url);
  if (lenient) {
    const colon = lenient.info.indexOf(':');
    if (colon >= 0 || userAlone) out.add(lenient.info);
    if (colon >= 0) out.add(lenient.info.slice(colon + 1));
  }
  try {
    const u = new URL(url);
    if (u.password) {
      out.add(`${u.username}:${u.password}`);
      out.add(u.password);
    } else if (u.username && userAlone) out.add(u.username);
  } catch {
    /* not a URL for the WHATWG parser: the lenient reading stands */
  }
  const all = new Set<string>();
  for (const v of out) {
    if (!v) continue;
    all.add(v);
    try {
      all.add(decodeURIComponent(v));
    } catch {
      /* a stray % stays as it is */
    }
  }
  return [...all];
}

/**
 * Registers the credentials `url` carries (and the URL itself when it has any) and returns the URL with
 * its userinfo replaced by `***`, for messages. A URL without userinfo is returned as it is.
 */
export function addUrlSecret(url: string): string {
  const creds = urlCredentials(url);
  if (!creds.length) return url;
  addSecret(url);
  for (const c of creds) addSecret(c);
  return redactUrl(url);
}

/** `url` with its userinfo (in the widest reading) replaced by `***`; safe to print. */
export function redactUrl(url: string): string {
  const l = lenientUserinfo(url);
  if (l) return `${l.scheme}***${l.rest}`;
  try {
    const u = new URL(url);
    if (u.username || u.password) return url.replace(`${u.username}${u.password ? `:${u.password}` : ''}@`, '***@');
  } catch {
    /* not a URL */
  }
  return url;
}

/**
 * A request for `url` that fetch() can make: credentials in the URL (registered as secrets) move to an
 * `Authorization: Basic` header, since fetch refuses a URL with userinfo — and quotes it whole in the error.
 */
export function requestFor(url: string): { url: string; headers: Record<string, string> } {
  addUrlSecret(url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { url, headers: {} };
  }
  if (!u.username && !u.password) return { url, headers: {} };
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const basic = Buffer.from(`${decode(u.username)}:${decode(u.password)}`).toString('base64');
  addSecret(basic);
  u.username = '';
  u.password = '';
  return { url: u.href, headers: { authorization: `Basic ${basic}` } };
}

/** Registers the credentials of every URL in `text` (a kubeconfig, a config file, an environment value). */
export function addUrlSecretsIn(text: string): void {
  for (const m of text.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]*@[^\s"'<>]*/gi)) addUrlSecret(m[0]);
}

/** True once any secret is registered. */
export const hasSecrets = (): boolean => forms.size > 0;

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  forms.clear();
  ordered = [];
}
