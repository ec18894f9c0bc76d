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

function parser(h: XmlHandlers): SaxesParser<{ position: true }> {
  const p = new SaxesParser({ position: true });
  p.on('opentag', (t) => h.open(t.name, t.attributes as Record<string, string>));
  p.on('closetag', (t) => h.close(t.name));
  p.on('text', (t) => h.text(t));
  p.on('cdata', (t) => h.text(t));
  return p;
}

function explain(e: unknown, p: SaxesParser<{ position: true }>, ended: boolean): XmlError {
  if (e instanceof XmlError) return e;
  const msg = String((e as Error)?.message ?? e).replace(/^\d+:\d+:\s*/, '');
  if (ended && /unclosed tag|document must contain a root element/i.test(msg)) {
    return new XmlError(`ends before its last element is closed (${msg}): the tool that wrote it was probably stopped while writing`);
  }
  return new XmlError(`is not well-formed XML at line ${p.line}, column ${p.column}: ${msg}`);
}

/** Parses XML text already in memory (hand-written cases and small files). */
export function parseXmlText(text: string, h: XmlHandlers): void {
  const p = parser(h);
  const s = sanitizer();
  let ended = false;
  try {
    p.write(s.push(text.replace(/^\uFEFF/, '')) + s.end());
    ended = true;
    p.close();
  } catch (e) {
    throw explain(e, p, ended);
  }
}

/** Streams the XML file at `path` through `h`. Rejects with XmlError when it is not well-formed. */
export function parseXmlFile(path: string, h: XmlHandlers): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = parser(h);
    const s = sanitizer();
    let first = true;
    let failed = false;
    const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
    const fail = (e: unknown, ended: boolean) => {
      if (failed) return;
      failed = true;
      stream.destroy();
      reject(explain(e, p, ended));
    };
    stream.on('data', (chunk: string | Buffer) => {
      if (failed) return;
      let text = String(chunk);
      if (first) {
        text = text.replace(/^\uFEFF/, '');
        first = false;
      }
      try {
        p.write(s.push(text));
      } catch (e) {
        fail(e, false);
      }
    });
    stream.on('error', (e) => fail(new XmlError(`could not be read: ${e.message}`), false));
    stream.on('end', () => {
      if (failed) return;
      try {
        p.write(s.end());
        p.close();
        resolve();
      } catch (e) {
        fail(e, true);
      }
    });
  });
}
