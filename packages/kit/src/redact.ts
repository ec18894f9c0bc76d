// Credentials by their shape, for text an application or a test suite wrote: pod logs, test failure
// messages, stack traces, captured output. We cannot know that text's secrets (the runner masks the
// workflow's secrets in the log only, never in a summary, a comment or a file we write), so on top of
// every value registered with addSecret() these are the common shapes: key=value and key: value pairs
// with a secret-sounding key, Authorization headers, URLs with a password, private key blocks, and the
// token formats of the big providers (each with its fixed prefix, so ordinary words are never hit).
import { scrub } from './secrets.js';

const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, '***'],
  // An Authorization scheme and its credential; the credential needs a digit or a symbol, so prose such as
  // "basic authentication" is left alone.
  [/\b(bearer|basic)\s+(?=[A-Za-z0-9._~+/=-]*[0-9._~+/=-])[A-Za-z0-9._~+/=-]{8,}/gi, '$1 ***'],
  [/\b([A-Za-z0-9_-]*?(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|credential)s?["']?\s*[:=]\s*)(["']?)[^\s"',;]+/gi, '$1$2***'],
  // A URL's userinfo password (scheme://user:password@host).
  [/:\/\/([^:/@\s]+):([^@/\s]+)@/g, '://$1:***@'],
  // The same URL cut in the middle by a repr that shortens long values (pytest: 'postgresql:/...ssw0rd@db'):
  // what is left of the userinfo before the @.
  [/\.\.\.[^\s'"@/]+@/g, '...***@'],
  // Provider token formats: AWS access keys, GitHub, GitLab, Slack, Stripe, Google API keys, npm, JWTs.
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, '***'],
  [/\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})\b/g, '***'],
  [/\bglpat-[A-Za-z0-9_-]{20,}\b/g, '***'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g, '***'],
  [/\b[sr]k_live_[A-Za-z0-9]{16,}\b/g, '***'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/g, '***'],
  [/\bnpm_[A-Za-z0-9]{36}\b/g, '***'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '***'],
];

/**
 * `text` with every registered secret (`scrub`), every value in `extra`, and every credential-shaped
 * string replaced by `***`. For text the action did not write itself; use `scrub` for our own text.
 */
export function redactCredentials(text: string, extra: readonly string[] = []): string {
  if (!text) return text;
  let out = scrub(text);
  for (const s of extra) if (s && s.length >= 4 && out.includes(s)) out = out.split(s).join('***');
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return out;
}
