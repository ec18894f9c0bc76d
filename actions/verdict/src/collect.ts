// The run reports the shards left: every platform-actions/run-report@1 file under the reports folder
// (download-artifact puts each artifact in a folder of its own), with the SARIF copy next to each.
// A file that is not a report is named in the log and left out; it never fails the verdict by itself
// (a shard without a valid report is what fails it, by name).
import { core, parseRunReport, type RunReport } from '@platform-actions/kit';
import { type Dirent, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface CollectedReport {
  report: RunReport;
  /** The report file, relative to the reports folder. */
  file: string;
  /** The SARIF copy's absolute path, when the run wrote one. */
  sarif?: string;
}

const MAX_DEPTH = 4;
const MAX_REPORT_BYTES = 64 * 1024 * 1024;

export function collectReports(dir: string): CollectedReport[] {
  if (!existsSync(dir)) {
    core.info(`No reports folder at ${dir}: no shard sent a report.`);
    return [];
  }
  const out: CollectedReport[] = [];
  const walk = (d: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory() && depth < MAX_DEPTH) walk(p, depth + 1);
      else if (e.isFile() && e.name.endsWith('.json')) {
        const rel = relative(dir, p);
        if (statSync(p).size > MAX_REPORT_BYTES) {
          core.warning(`${rel} is larger than ${MAX_REPORT_BYTES / 1048576} MiB; it is not read as a run report.`);
          continue;
        }
        const r = parseRunReport(readFileSync(p, 'utf8'));
        if ('problem' in r) {
          core.info(`${rel} ${r.problem}; left out.`);
          continue;
        }
        const sarif = r.report.sarif && existsSync(join(d, r.report.sarif)) ? join(d, r.report.sarif) : undefined;
        out.push({ report: r.report, file: rel, sarif });
      }
    }
  };
  walk(dir, 0);
  return out;
}
