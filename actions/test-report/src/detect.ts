// What a report file is, from its first bytes: the coverage inputs take any supported format without a
// format input, and a file of the wrong kind (a JUnit report given as coverage, istanbul's JSON, a Go
// cover profile) gets one line that says what it is and what to give instead.
import { closeSync, openSync, readSync } from 'node:fs';

export type Kind = 'junit' | 'cobertura' | 'lcov' | 'coveragepy' | 'test-report' | 'empty' | { unsupported: string };

const HEAD_BYTES = 8192;

function head(path: string, bytes = HEAD_BYTES): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The kind of report `text` (a file's first bytes) begins. */
export function kindOf(text: string): Kind {
  const t = text.replace(/^\uFEFF/, '').trimStart();
  if (!t) return 'empty';
  if (t.startsWith('<')) {
    // The root element: after the XML declaration, comments and a DOCTYPE.
    const root = /<(?![?!])([A-Za-z_][\w.:-]*)([^>]*)/.exec(t);
    const name = root?.[1];
    if (name === 'testsuites' || name === 'testsuite') return 'junit';
    if (name === 'coverage') return /\bclover=|<project\b/.test(t) ? { unsupported: 'Clover XML' } : 'cobertura';
    if (name === 'report' && /jacoco/i.test(t)) return { unsupported: 'JaCoCo XML' };
    return { unsupported: name ? `an XML document with root <${name}>` : 'not well-formed XML' };
  }
  if (t.startsWith('{')) {
    if (/^\{\s*"schema"\s*:\s*"platform-actions\/test-report\//.test(t)) return 'test-report';
    if (/"meta"\s*:\s*\{[^{}]*"format"\s*:/.test(t)) return 'coveragepy';
    if (/"statementMap"\s*:/.test(t)) return { unsupported: "istanbul's coverage-final.json" };
    if (/^\{\s*"total"\s*:\s*\{\s*"lines"/.test(t)) return { unsupported: "istanbul's json-summary" };
    return { unsupported: 'a JSON document that is not a coverage.py report' };
  }
  if (/^mode: (?:set|count|atomic)\s/.test(t)) return { unsupported: 'a Go cover profile' };
  if (/^(?:TN|SF):/m.test(t.split('\n', 5).join('\n'))) return 'lcov';
  return { unsupported: 'not a format test-report reads' };
}

/** What to use instead, for an unsupported coverage file. */
export function adviceFor(kind: string): string {
  if (kind.includes('istanbul')) return "use jest's lcov or cobertura coverage reporter";
  if (kind.includes('Go cover profile')) return 'convert it to Cobertura (for example with gocover-cobertura)';
  return 'give Cobertura XML, LCOV or coverage.py JSON';
}

export const kindOfFile = (path: string): Kind => kindOf(head(path));
