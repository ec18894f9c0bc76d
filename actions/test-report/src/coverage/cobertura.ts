// Cobertura XML, as coverage.py (`coverage xml`, pytest-cov --cov-report=xml) and istanbul (jest's
// `cobertura` reporter) write it. A class's own <lines> are the file's executable lines; jest also lists
// each method's declaration line under <methods>, which is not a line of the file's count and is skipped.
// A file split over several <class> elements (one per class) is merged line by line.
import { parseXmlFile, parseXmlText, XmlError, type XmlHandlers } from '../xml.js';
import { addBranches, addLine, type FileCoverage, newFile, type WrittenFile } from './model.js';

const CONDITION = /\((\d+)\s*\/\s*(\d+)\)/;

function handlers(out: WrittenFile[]): XmlHandlers {
  const stack: string[] = [];
  const sources: string[] = [];
  const byName = new Map<string, WrittenFile>();
  let source: string | undefined;
  let current: FileCoverage | undefined;
  return {
    open(name, a) {
      const parent = stack[stack.length - 1];
      stack.push(name);
      if (stack.length === 1 && name !== 'coverage') throw new XmlError(`is a <${name}> document, not Cobertura XML (whose root is <coverage>)`);
      if (name === 'source') source = '';
      else if (name === 'class') {
        const filename = a.filename ?? '';
        let f = byName.get(filename);
        if (!f) {
          f = { written: filename, bases: sources, coverage: newFile() };
          byName.set(filename, f);
          out.push(f);
        }
        current = f.coverage;
      } else if (name === 'line' && parent === 'lines' && stack[stack.length - 3] === 'class' && current) {
        const line = Number(a.number);
        addLine(current, line, Number(a.hits));
        const m = a.branch === 'true' ? CONDITION.exec(a['condition-coverage'] ?? '') : null;
        if (m) addBranches(current, line, Number(m[1]), Number(m[2]));
      }
    },
    text(t) {
      if (source !== undefined) source += t;
    },
    close(name) {
      stack.pop();
      if (name === 'source' && source !== undefined) {
        if (source.trim()) sources.push(source.trim());
        source = undefined;
      } else if (name === 'class') current = undefined;
    },
  };
}

export async function readCobertura(path: string): Promise<WrittenFile[]> {
  const out: WrittenFile[] = [];
  await parseXmlFile(path, handlers(out));
  return out;
}

export function parseCobertura(text: string): WrittenFile[] {
  const out: WrittenFile[] = [];
  parseXmlText(text, handlers(out));
  return out;
}
