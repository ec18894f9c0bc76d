// The base branch's coverage, for the change a pull request makes: from a report file an earlier run on
// the base branch wrote (restored with actions/cache), or from a raw coverage report of the base branch.
// Having no base is normal (the first run, an expired cache): the change is then unknown, which the
// summary says, and fail-on-decrease has nothing to compare. A base that cannot be read is a warning,
// never a failure: it is an old cache entry, not this change's fault.
import { core } from '@platform-actions/kit';
import { existsSync } from 'node:fs';
import { type CoverageSummary, summarize } from './coverage/model.js';
import { kindOfFile } from './detect.js';
import type { RepoPaths } from './paths.js';
import { label, parseCoverageFile, reportDir, toRepoPaths } from './read.js';
import { readReportFileCoverage } from './report-file.js';

export interface Base {
  summary: CoverageSummary;
  /** Where it came from, for the summary: `main @ 1a2b3c4`, or the file name. */
  from: string;
}

export async function readBase(path: string | undefined, paths: RepoPaths): Promise<Base | undefined> {
  if (!path) return undefined;
  if (!existsSync(path)) {
    core.notice(`No base report at ${label(path)} (the first run on the base branch, or the cache entry expired): the coverage change is not known this time.`);
    return undefined;
  }
  const kind = kindOfFile(path);
  if (kind === 'test-report') {
    const r = readReportFileCoverage(path);
    if ('problem' in r) {
      core.warning(`base-report ${label(path)} was not used: ${r.problem}. The coverage change is not known this time.`);
      return undefined;
    }
    const ref = r.ref?.replace(/^refs\/(heads|tags)\//, '');
    const from = ref || r.commit ? [ref, r.commit?.slice(0, 7)].filter(Boolean).join(' @ ') : label(path);
    return { summary: r.summary, from };
  }
  if (kind === 'cobertura' || kind === 'lcov' || kind === 'coveragepy') {
    try {
      return { summary: summarize(toRepoPaths(await parseCoverageFile(path, kind), paths, reportDir(path))), from: label(path) };
    } catch (e) {
      core.warning(`base-report ${label(path)} was not used: ${(e as Error).message}. The coverage change is not known this time.`);
      return undefined;
    }
  }
  core.warning(`base-report ${label(path)} was not used: it is ${typeof kind === 'string' ? kind : kind.unsupported}, not a test-report report file or a coverage report.`);
  return undefined;
}
