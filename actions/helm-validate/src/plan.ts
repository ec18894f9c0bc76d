// Everything decided before helm runs: the inputs, the exceptions, the charts (all, or those changed
// since base-ref), and each chart's values matrix with every values file read and checked once. Every
// mistake in the configuration is found here, as one line naming what to fix.
import { core, UserError } from '@platform-actions/kit';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BaseRef, changedCharts, since } from './changes.js';
import { type Chart, discoverCharts, relPath, type ValuesEntry, valuesMatrix } from './charts.js';
import { type Settings, readSettings } from './settings.js';
import { type ExceptionSet, loadExceptions } from './exceptions.js';
import type { Helm } from './helm.js';
import { SchemaStore } from './schema/store.js';
import { checkValuesDocs, readValuesDocs, type ValuesFileDocs } from './values.js';

interface ValuesPlan {
  /** Each chart's values entries, by `Chart.rel`. */
  entries: Map<string, ValuesEntry[]>;
  /** Every values file read (absolute path → its documents). */
  docs: Map<string, ValuesFileDocs>;
}

/** With base-ref: what changed since its merge base with HEAD. */
export interface ChangeScope {
  base: BaseRef;
  /** Charts whose own files changed (they need a version bump). */
  own: Set<string>;
  /** Charts validated because of the change (own, and charts using them through file://). */
  affected: Set<string>;
  /** Charts the repository (or the charts input) holds, changed or not. */
  all: number;
  /** False when every chart is validated anyway (changed-only: false). */
  changedOnly: boolean;
}

export interface Plan {
  cfg: Settings;
  store: SchemaStore;
  exceptions?: ExceptionSet;
  apps: Chart[];
  libraries: Chart[];
  values: ValuesPlan;
  changes?: ChangeScope;
}

export async function plan(): Promise<Plan> {
  const store = SchemaStore.load();
  const cfg = readSettings(store);
  const exceptions = cfg.exceptionsFile ? loadExceptions(cfg.exceptionsFile.abs, cfg.exceptionsFile.label) : undefined;
  for (const e of exceptions?.expired ?? []) core.warning(`exception for ${e.rule} on ${e.resource ?? e.chart} expired on ${e.expires} and no longer applies`);
  let charts = discoverCharts(cfg.workspace, cfg.charts);
  let changes: ChangeScope | undefined;
  if (cfg.baseRef) {
    const { base, own, affected } = await changedCharts(
      cfg.workspace,
      cfg.baseRef,
      charts.map((c) => c.rel),
    );
    changes = { base, own, affected, all: charts.length, changedOnly: cfg.changedOnly };
    if (cfg.changedOnly) charts = charts.filter((c) => affected.has(c.rel));
    core.info(`base-ref ${since(base)}: ${affected.size} of ${changes.all} chart(s) changed${cfg.changedOnly ? '; only those are validated' : ''}`);
  }
  // A library chart renders nothing by itself: its templates are parsed through a minimal consumer, and
  // what they produce is validated through the charts that use it.
  const libraries = charts.filter((c) => c.type === 'library');
  for (const c of libraries)
    core.notice(`${c.rel}: library chart: its templates are parsed through a minimal consumer chart; what they produce is validated through the charts that use it`, {
      file: `${c.rel === '.' ? '' : `${c.rel}/`}Chart.yaml`,
    });
  const apps = charts.filter((c) => c.type !== 'library');
  return { cfg, store, exceptions, apps, libraries, values: valuesPlan(cfg, apps), ...(changes ? { changes } : {}) };
}

/** Each chart's values entries. A literal file name that a chart lacks is a configuration error; a pattern matching nothing is a warning. */
function valuesPlan(cfg: Settings, apps: readonly Chart[]): ValuesPlan {
  const out = new Map<string, ValuesEntry[]>();
  const docs = new Map<string, ValuesFileDocs>();
  for (const chart of apps) {
    const m = valuesMatrix(chart, cfg.valuesPatterns, cfg.validateDefaults, cfg.workspace);
    if (m.missing.length) {
      throw new UserError(
        `input "values-files" names ${m.missing.map((f) => `"${f}"`).join(', ')}, which chart ${chart.rel} does not have (a name without wildcards must exist in every chart validated; use a pattern such as values-prod*.yaml for files only some charts have)`,
      );
    }
    if (cfg.valuesExplicit)
      for (const p of m.unmatched)
        core.warning(`values-files pattern "${p}" matches no file in chart ${chart.rel}; only ${m.entries.map((e) => e.label).join(', ') || 'nothing'} is validated there.`);
    if (!m.entries.length) throw new UserError(`chart ${chart.rel} has no values file matching "values-files" and validate-default-values is false: nothing to validate`);
    // Values files that are not YAML are the caller's to fix, and are found before any tool runs (the
    // documents only helm 4 reads, once helm is known: checkValuesForHelm).
    const defaults = join(chart.dir, 'values.yaml');
    for (const f of [...(existsSync(defaults) ? [defaults] : []), ...m.entries.flatMap((e) => e.files)]) {
      if (docs.has(f)) continue;
      const parsed = readValuesDocs(readFileSync(f, 'utf8'), relPath(cfg.workspace, f));
      checkValuesDocs(parsed);
      docs.set(f, parsed);
    }
    out.set(chart.rel, m.entries);
  }
  return { entries: out, docs };
}

/** The documents of each values file that this helm reads must be values: a configuration error otherwise. */
export function checkValuesForHelm(docs: ReadonlyMap<string, ValuesFileDocs>, helm: Helm): void {
  for (const f of docs.values()) checkValuesDocs(f, helm.major);
}
