// Streaming XML for test and coverage reports: saxes reads the file in chunks and calls us per element,
// so a 20,000-test report never becomes a tree in memory. saxes checks well-formedness and never expands
// entities beyond XML's five and character references (a DTD's entities are an error, so an entity bomb
// cannot expand) and never fetches a DTD (Cobertura files name one by URL).
//
// Test tools write characters XML 1.0 forbids (a test's raw ANSI colour codes, NUL bytes from a binary
// assertion) and references to them (`&#x1B;`); a strict parser would reject the whole report for one
// such byte, so they become U+FFFD before parsing.
import { SaxesParser } from 'saxes';
import { createReadStream } from 'node:fs';

export interface XmlHandlers {
  open(name: string, attrs: Readonly<Record<string, string>>): void;
  close(name: string): void;
  /** Text and CDATA, possibly in several pieces per element. */
  text(text: string): void;
}

/** The report is not readable XML; `message` says where and why, in words. */
export class XmlError extends Error {
  override readonly name = 'XmlError';
}

const BAD_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const BAD_REFS = /&#(?:[xX]0*(?:[0-8bcefBCEF]|1[0-9a-fA-F])|0*(?:[0-8]|1[124-9]|2\d|3[01]));/g;

/** Chunk sanitiser: keeps a trailing `&…` that may be a reference cut in two until the next chunk. */
export function sanitizer(): { push(chunk: string): string; end(): string } {
  let carry = '';
  const clean = (s: string) => s.replace(BAD_CHARS, '\uFFFD').replace(BAD_REFS, '&#xFFFD;');
  return {
    push(chunk: string): string {
      const s = carry + chunk;
      const amp = s.lastIndexOf('&');
      if (amp >= 0 && s.length - amp < 12 && !s.includes(';', amp)) {
        carry = s.slice(amp);
        return clean(s.slice(0, amp));
      }
      carry = '';
      return clean(s);
    },
    end(): string {
      const s = clean(carry);
      carry = '';
      return s;
    },
  };
}

// Position tracking costs a tenth of the parse; it is only needed to say where a broken file breaks, so the
// first pass runs without it and a failed parse is run again with it to name the line and column.
function parser(h: XmlHandlers, position: boolean): SaxesParser {
  const p = new SaxesParser({ position });
  p.on('opentag', (t) => h.open(t.name, t.attributes as Record<string, string>));
  p.on('closetag', (t) => h.close(t.name));
  p.on('text', (t) => h.text(t));
  p.on('cdata', (t) => h.text(t));
  return p;
}

const NOOP: XmlHandlers = { open() {}, close() {}, text() {} };

interface Fed {
  p: SaxesParser;
  /** What the parser threw, and whether at the end (an unclosed element) or on the way. */
  error?: unknown;
  ended?: boolean;
}

/** A parse in progress: chunks in, sanitised; the parser's own error kept, never thrown. */
function feeder(h: XmlHandlers, position: boolean): { write(chunk: string): boolean; end(): Fed } {
  const p = parser(h, position);
  const s = sanitizer();
  let first = true;
  let error: unknown;
  return {
    write(chunk) {
      if (error !== undefined) return false;
      try {
        p.write(s.push(first ? chunk.replace(/^\uFEFF/, '') : chunk));
      } catch (e) {
        error = e;
      }
      first = false;
      return error === undefined;
    },
    end() {
      if (error !== undefined) return { p, error };
      try {
        p.write(s.end());
        p.close();
        return { p };
      } catch (e) {
        return { p, error: e, ended: true };
      }
    },
  };
}

/** The XmlError for a failed parse; `where` parses again with positions on, to say where it broke. */
function explain(r: Fed, where: () => { line: number; column: number }): XmlError {
  if (r.error instanceof XmlError) return r.error;
  const msg = String((r.error as Error)?.message ?? r.error).replace(/^\d+:\d+:\s*/, '');
  if (r.ended && /unclosed tag|document must contain a root element/i.test(msg)) {
    return new XmlError(`ends before its last element is closed (${msg}): the tool that wrote it was probably stopped while writing`);
  }
  const at = where();
  return new XmlError(`is not well-formed XML at line ${at.line}, column ${at.column}: ${msg}`);
}

/** Parses XML text already in memory (hand-written cases and small files). */
export function parseXmlText(text: string, h: XmlHandlers): void {
  const f = feeder(h, false);
  f.write(text);
  const r = f.end();
  if (r.error === undefined) return;
  throw explain(r, () => {
    const again = feeder(NOOP, true);
    again.write(text);
    return again.end().p;
  });
}

async function feedFile(path: string, h: XmlHandlers, position: boolean): Promise<Fed> {
  const f = feeder(h, position);
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) if (!f.write(chunk as string)) break;
  return f.end();
}

/** Streams the XML file at `path` through `h`. Rejects with XmlError when it is not well-formed or cannot be read. */
export async function parseXmlFile(path: string, h: XmlHandlers): Promise<void> {
  let r: Fed;
  try {
    r = await feedFile(path, h, false);
    if (r.error === undefined) return;
    if (!(r.error instanceof XmlError) && !r.ended) {
      const again = (await feedFile(path, NOOP, true)).p;
      throw explain(r, () => again);
    }
  } catch (e) {
    if (e instanceof XmlError) throw e;
    throw new XmlError(`could not be read: ${(e as Error).message}`);
  }
  throw explain(r, () => r.p);
}
