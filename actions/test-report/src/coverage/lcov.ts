// LCOV tracefiles, as jest/istanbul (`lcov` reporter), nyc, c8 and coverage.py (`coverage lcov`) write
// them: SF starts a file, DA is a line and its hits, BRDA a branch (taken `-` = never reached),
// end_of_record closes the file. The summary lines (LF, LH, BRF, BRH) are recomputed, not trusted.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { addBranches, addLine, type FileCoverage, newFile, type WrittenFile } from './model.js';

export class LcovError extends Error {
  override readonly name = 'LcovError';
}

function reader(out: WrittenFile[]): { line(text: string, n: number): void; end(): void } {
  let file: FileCoverage | undefined;
  let branches = new Map<number, [number, number]>();
  const close = () => {
    if (file) for (const [line, [c, t]] of branches) addBranches(file, line, c, t);
    file = undefined;
    branches = new Map();
  };
  return {
    line(raw, n) {
      const text = raw.trim();
      if (!text) return;
      const colon = text.indexOf(':');
      const tag = colon < 0 ? text : text.slice(0, colon);
      const value = colon < 0 ? '' : text.slice(colon + 1);
      if (tag === 'SF') {
        close();
        file = newFile();
        out.push({ written: value, bases: [], coverage: file });
      } else if (tag === 'end_of_record') close();
      else if (tag === 'DA') {
        if (!file) throw new LcovError(`line ${n}: DA before any SF`);
        const [line, hits] = value.split(',');
        addLine(file, Number(line), Number(hits));
      } else if (tag === 'BRDA') {
        if (!file) throw new LcovError(`line ${n}: BRDA before any SF`);
        const parts = value.split(',');
        const line = Number(parts[0]);
        const taken = parts[3];
        const b = branches.get(line) ?? [0, 0];
        b[1]++;
        if (taken !== undefined && taken !== '-' && Number(taken) > 0) b[0]++;
        branches.set(line, b);
      } else if (!/^(?:TN|FN|FNDA|FNF|FNH|LF|LH|BRF|BRH|VER|FNL|FNA)$/.test(tag)) {
        throw new LcovError(`line ${n}: "${text.slice(0, 40)}" is not an LCOV record`);
      }
    },
    end: close,
  };
}

export async function readLcov(path: string): Promise<WrittenFile[]> {
  const out: WrittenFile[] = [];
  const r = reader(out);
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) r.line(line, ++n);
  r.end();
  return out;
}

export function parseLcov(text: string): WrittenFile[] {
  const out: WrittenFile[] = [];
  const r = reader(out);
  text.split(/\r?\n/).forEach((l, i) => r.line(l, i + 1));
  r.end();
  return out;
}
