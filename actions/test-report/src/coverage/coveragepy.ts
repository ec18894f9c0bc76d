// coverage.py's JSON report (`coverage json`, pytest-cov --cov-report=json), format 2 and 3: per file the
// executed and missing lines and, with branch coverage, the executed and missing arcs [from, to]. Lines
// coverage.py excludes (pragma: no cover) are in neither list and count nowhere, as in its own total.
import { readFileSync } from 'node:fs';
import { addBranches, addLine, newFile, type WrittenFile } from './model.js';

export class CoveragePyError extends Error {
  override readonly name = 'CoveragePyError';
}

interface FileEntry {
  executed_lines?: unknown;
  missing_lines?: unknown;
  executed_branches?: unknown;
  missing_branches?: unknown;
}

const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : []);
const arcs = (v: unknown): Array<[number, number]> =>
  Array.isArray(v) ? v.filter((a): a is [number, number] => Array.isArray(a) && typeof a[0] === 'number' && typeof a[1] === 'number') : [];

export function parseCoveragePy(text: string): WrittenFile[] {
  let doc: { meta?: { format?: unknown }; files?: Record<string, FileEntry> };
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new CoveragePyError(`is not complete JSON (${(e as Error).message}): the tool that wrote it was probably stopped while writing`);
  }
  if (typeof doc?.meta?.format !== 'number' || !doc.files || typeof doc.files !== 'object')
    throw new CoveragePyError('has no meta.format and files: not a coverage.py JSON report');
  if (doc.meta.format < 2) throw new CoveragePyError(`is coverage.py JSON format ${doc.meta.format}; format 2 or newer is read (coverage.py 5.0+)`);
  const out: WrittenFile[] = [];
  for (const [written, f] of Object.entries(doc.files)) {
    const cov = newFile();
    for (const l of numbers(f.executed_lines)) addLine(cov, l, 1);
    for (const l of numbers(f.missing_lines)) addLine(cov, l, 0);
    const per = new Map<number, [number, number]>();
    for (const [from] of arcs(f.executed_branches)) {
      const b = per.get(from) ?? [0, 0];
      b[0]++;
      b[1]++;
      per.set(from, b);
    }
    for (const [from] of arcs(f.missing_branches)) {
      const b = per.get(from) ?? [0, 0];
      b[1]++;
      per.set(from, b);
    }
    for (const [line, [c, t]] of per) addBranches(cov, line, c, t);
    out.push({ written, bases: [], coverage: cov });
  }
  return out;
}

export const readCoveragePy = (path: string): WrittenFile[] => parseCoveragePy(readFileSync(path, 'utf8'));
