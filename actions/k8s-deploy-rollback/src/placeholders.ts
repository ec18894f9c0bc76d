// The placeholder guard: after substitution, no object may still hold a placeholder — a configured token,
// a *_PLACEHOLDER token, or a near miss of either (VERSION_PLACEHOLDR, VERSION-PLACEHOLDER,
// version_placeholder). A near miss is the typo that substitution silently skips, so it would deploy an
// image tag nobody built; refusing it before anything is applied costs one edit of the manifest.
import { UserError } from '@platform-actions/kit';
import type { LoadedObject } from './manifests.js';

/** The *_PLACEHOLDER convention, checked even when no `placeholders` are given. */
const DEFAULT_PLACEHOLDER = /\b[A-Z][A-Z0-9_]*_PLACEHOLDER\b/;
const CONVENTION_WORD = 'placeholder';

interface PlaceholderHit {
  /** "source document N (Kind/name)" */
  object: string;
  /** Dotted path of the string value, e.g. spec.template.spec.containers[0].image. */
  field: string;
  /** The text found in the value. */
  token: string;
  /** The placeholder it nearly is; undefined when `token` is a placeholder itself. */
  nearMissOf?: string;
}

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions): the number of one-letter
 * typos between a and b. Stops early, returning max + 1, once the distance is known to exceed `max`.
 */
export function typoDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
}

/** Case and separators (_ - .) do not tell two spellings of a placeholder apart. */
const normal = (s: string): string => s.toLowerCase().replace(/[-.]/g, '_');

/**
 * How many typos still count as a near miss: none for short tokens (too many ordinary words are a typo
 * away from them: only another case or separator counts, from 4 characters), one up to 9 characters,
 * two from 10 (VERSION_PLACEHOLDER has 19).
 */
const typoAllowance = (token: string): number => (token.length < 6 ? 0 : token.length < 10 ? 1 : 2);

/**
 * The token-like pieces of a string value a placeholder could hide in: every run of letters, digits and
 * _ - ., and every slice of up to `maxWords` words of a run, with the separators on either side or not
 * (`web-VERSION_PLACEHOLDR`, `__VERSION__`).
 */
export function candidates(value: string, maxWords: number): string[] {
  const out = new Set<string>();
  for (const run of value.match(/[A-Za-z0-9_.-]+/g) ?? []) {
    // parts alternate separator, word, separator, word, …, separator (separators may be empty)
    const parts = run.split(/([A-Za-z0-9]+)/);
    const words = (parts.length - 1) / 2;
    for (let i = 0; i < words; i++) {
      for (let j = i; j < Math.min(words, i + maxWords); j++) {
        const inner = parts.slice(2 * i + 1, 2 * j + 2).join('');
        const before = parts[2 * i];
        const after = parts[2 * j + 2];
        out.add(inner);
        if (before) out.add(before + inner);
        if (after) out.add(inner + after);
        if (before && after) out.add(before + inner + after);
      }
    }
  }
  return [...out];
}

const wordCount = (token: string): number => (token.match(/[A-Za-z0-9]+/g) ?? []).length;

/** The configured token (or the *_PLACEHOLDER convention) `text` is a near miss of, if any. */
export function nearMiss(text: string, tokens: readonly string[]): string | undefined {
  if (tokens.includes(text) || DEFAULT_PLACEHOLDER.test(text)) return undefined; // a placeholder itself, not a near miss
  for (const t of tokens) {
    if (t.length >= 4 && normal(text) === normal(t)) return t;
    const max = typoAllowance(t);
    if (max > 0 && typoDistance(normal(text), normal(t), max) <= max) return t;
  }
  // The convention: an ALL-CAPS name whose last word is PLACEHOLDER spelt with a typo or another separator.
  const words = text.match(/[A-Za-z0-9]+/g) ?? [];
  if (text === text.toUpperCase() && /^[A-Z]/.test(text) && words.length >= 2) {
    const last = words[words.length - 1].toLowerCase();
    if (typoDistance(last, CONVENTION_WORD, 2) <= 2) return `${words.slice(0, -1).join('_')}_PLACEHOLDER`;
  }
  return undefined;
}

/** Every string value that still holds a placeholder or a near miss of one, in document order. */
export function placeholderHits(objects: readonly LoadedObject[], tokens: readonly string[]): PlaceholderHit[] {
  const hits: PlaceholderHit[] = [];
  const maxWords = Math.max(2, ...tokens.map(wordCount)) + 1;
  const check = (v: unknown, path: string, object: string): void => {
    if (typeof v === 'string') {
      const exact = tokens.find((t) => v.includes(t)) ?? DEFAULT_PLACEHOLDER.exec(v)?.[0];
      if (exact) return void hits.push({ object, field: path || '.', token: exact });
      for (const c of candidates(v, maxWords)) {
        const of = nearMiss(c, tokens);
        if (of) return void hits.push({ object, field: path || '.', token: c, nearMissOf: of });
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => check(x, `${path}[${i}]`, object));
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) check(x, path ? `${path}.${k}` : k, object);
  };
  for (const l of objects) check(l.obj, '', `${l.source} document ${l.doc} (${l.obj.kind}/${l.obj.metadata.name ?? l.obj.metadata.generateName})`);
  return hits;
}

/** One line naming each object, field and token (the first three), for a refusal before anything is applied. */
export function placeholderError(hits: readonly PlaceholderHit[]): UserError {
  const near = hits.some((h) => h.nearMissOf);
  const shown = hits.slice(0, 3).map((h) => `${h.object}: ${h.token} at ${h.field}${h.nearMissOf ? ` (a near miss of the placeholder ${h.nearMissOf})` : ''}`);
  return new UserError(
    `manifests: ${hits.length} value(s) still hold a placeholder${near ? ' or a near miss of one' : ''}, nothing was applied: ${shown.join('; ')}${hits.length > 3 ? '; …' : ''}`,
  );
}
