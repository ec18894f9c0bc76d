// Values files as helm reads them. A values file may hold several YAML documents, and the two helm
// majors disagree on what that means (checked with the real binaries, 3.18.0 and 4.1.4):
//   - helm 3 unmarshals the file whole, which reads the first document only; the others are ignored,
//     even when they are not YAML at all;
//   - helm 4 (LoadValues) reads every document and merges them in order: a key in a later document wins,
//     maps merge key by key, lists are replaced, and every document must be a mapping.
// The same holds for a chart's own values.yaml. So a multi-document file is valid, but what it means
// depends on the helm in use: the run says which documents were used.
import { UserError } from '@platform-actions/kit';
import { type DuplicateKey, parseYaml } from './yaml.js';

export interface ValuesDocument {
  /** 1-based line of the document's first line (after its `---`) in the file. */
  line: number;
  /** 1-based line of the `---` that opens it, when there is one. */
  separatorLine?: number;
  text: string;
  /** null for an empty (or comment-only) document. */
  value: unknown;
  /** Line numbers are of the file, not of the document. */
  duplicates: DuplicateKey[];
  error?: { message: string; line?: number };
}

export interface ValuesFileDocs {
  /** Repository-relative path. */
  rel: string;
  docs: ValuesDocument[];
}

const SEPARATOR = /^---(?:[ \t].*)?\r?$/;
const BLANK_OR_COMMENT = /^\s*(#.*)?$/;

/**
 * Splits a values file into its documents at `---` lines (as helm 4's reader does). Comment and blank
 * lines before the first `---` are no document of their own (YAML's rule), so a file that starts with
 * `---` has as many documents as one that does not.
 */
export function splitDocuments(text: string): Array<{ line: number; separatorLine?: number; text: string }> {
  const lines = text.split('\n');
  const out: Array<{ line: number; separatorLine?: number; text: string }> = [];
  let start = 0;
  let sep: number | undefined;
  const flush = (end: number) => {
    const body = lines.slice(start, end);
    // Before the first separator, only a document with content counts.
    if (sep === undefined && body.every((l) => BLANK_OR_COMMENT.test(l))) return;
    out.push({ line: start + 1, ...(sep !== undefined ? { separatorLine: sep } : {}), text: body.join('\n') });
  };
  for (let i = 0; i < lines.length; i++) {
    if (!SEPARATOR.test(lines[i])) continue;
    flush(i);
    start = i + 1;
    sep = i + 1;
  }
  flush(lines.length);
  // A trailing `---` with nothing after it opens an empty document that neither helm reads as values.
  while (out.length > 1 && out[out.length - 1].text.split('\n').every((l) => BLANK_OR_COMMENT.test(l))) out.pop();
  return out.length ? out : [{ line: 1, text: '' }];
}

/** Every document of a values file, parsed; errors are kept per document (what counts depends on helm). */
export function readValuesDocs(text: string, rel: string): ValuesFileDocs {
  const docs = splitDocuments(text).map((d): ValuesDocument => {
    const shift = d.line - 1;
    const parsed = parseYaml(d.text, rel);
    const duplicates = parsed.duplicates.map((x) => ({ ...x, line: x.line + shift }));
    let error = parsed.error ? { message: parsed.error.message, ...(parsed.error.line ? { line: parsed.error.line + shift } : {}) } : undefined;
    if (!error && parsed.value !== null && (typeof parsed.value !== 'object' || Array.isArray(parsed.value)))
      error = { message: `must be a YAML mapping of values, not a ${Array.isArray(parsed.value) ? 'list' : typeof parsed.value}`, line: d.line };
    return {
      line: d.line,
      ...(d.separatorLine ? { separatorLine: d.separatorLine } : {}),
      text: d.text,
      value: error ? undefined : parsed.value,
      duplicates,
      ...(error ? { error } : {}),
    };
  });
  return { rel, docs };
}

/** The documents helm `major` reads, in the order it applies them (helm 3: the first; helm 4: all). */
export function usedDocs(f: ValuesFileDocs, major: number): ValuesDocument[] {
  return major >= 4 ? f.docs : f.docs.slice(0, 1);
}

/**
 * A values file helm cannot read, as a configuration error naming the file and line. Without a helm
 * major (before helm is set up) only the first document is checked, which every helm reads.
 */
export function checkValuesDocs(f: ValuesFileDocs, major?: number): void {
  for (const d of major === undefined ? f.docs.slice(0, 1) : usedDocs(f, major)) {
    if (!d.error) continue;
    const which = f.docs.length > 1 ? ` (document ${f.docs.indexOf(d) + 1} of ${f.docs.length}${major ? `, which helm ${major} reads` : ''})` : '';
    if (/^must be/.test(d.error.message)) throw new UserError(`values file ${f.rel}${which} ${d.error.message}`);
    throw new UserError(`values file ${f.rel} is not valid YAML${which}: line ${d.error.line ?? '?'}: ${d.error.message}`);
  }
}

/** One sentence on what the helm in use does with a multi-document values file, and what the other major would do. */
export function multiDocumentMessage(f: ValuesFileDocs, helm: { version: string; major: number }): string {
  const n = f.docs.length;
  const lines = (d: ValuesDocument) => {
    const end = d.line + d.text.replace(/\n+$/, '').split('\n').length - 1;
    return end > d.line ? `lines ${d.line}–${end}` : `line ${d.line}`;
  };
  const used =
    helm.major >= 4
      ? `helm ${helm.version} (this run) merges all ${n} documents in order: a key in a later document wins, maps merge key by key, lists are replaced`
      : `helm ${helm.version} (this run) reads only the first document (${lines(f.docs[0])}) and ignores the other ${n - 1}`;
  const other = helm.major >= 4 ? 'helm 3 would read only the first document' : `helm 4 would merge all ${n} in order`;
  return `values file ${f.rel} holds ${n} YAML documents: ${used}; ${other}. Keep one document per values file so every helm reads the same values.`;
}
