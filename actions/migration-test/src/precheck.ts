// Pre-checks before anything runs. Alembic: one head, and a look at each downgrade() (from the revision
// history the Alembic session read, in the same Python process that later runs the steps). Django: the
// app's plan. Other tools have nothing to pre-check.
import { type Finding, UserError } from '@platform-actions/kit';
import type { AlembicInfo } from './alembic-session.js';
import type { Settings } from './settings.js';
import { listRevisions, type ToolRunner } from './driver.js';
import { locateRevision, toFinding } from './findings.js';
import { repoPath } from './alembic-errors.js';

export interface PreCheck {
  findings: Finding[];
  /** Revision ids base → head, when the tool can list them. */
  revisions?: string[];
  /** Revision id → absolute path of its file. */
  paths: Map<string, string>;
  /** Revision id → line of `def downgrade` (for findings about the downgrade). */
  downLines: Map<string, number>;
}

export function alembicPreCheck(cfg: Settings, info: AlembicInfo): PreCheck {
  const out: PreCheck = { findings: [], paths: new Map(), downLines: new Map() };
  for (const r of info.revisions) {
    if (r.path) out.paths.set(r.id, r.path);
    if (r.downLine) out.downLines.set(r.id, r.downLine);
  }
  const loc = (id: string) => {
    const p = out.paths.get(id);
    return p ? repoPath(p) : locateRevision(id, cfg.migrationsAbs, out.paths);
  };
  if (info.heads.length > 1) {
    const heads = [...info.heads].sort();
    for (const h of heads) {
      out.findings.push(
        toFinding({
          rule: 'multiple-heads',
          revision: h,
          path: loc(h),
          message: `${heads.length} heads (${heads.join(', ')}): ${h} is one of them; \`alembic upgrade head\` fails in deployment until they are merged with \`alembic merge heads\``,
        }),
      );
    }
  }
  for (const r of info.revisions) {
    if (r.down === 'irreversible') cfg.irreversible.add(r.id);
    // A merge point, or a revision whose upgrade() does nothing either, is right to have an empty downgrade.
    if (r.down === 'empty' && !r.isMerge && !r.upEmpty && !cfg.irreversible.has(r.id)) {
      out.findings.push(
        toFinding({ rule: 'empty-downgrade-source', revision: r.id, path: loc(r.id), line: r.downLine, message: `downgrade() of ${r.id} is empty: it undoes nothing` }),
      );
    }
  }
  return out;
}

/** Tools that list their plan (Django): the revisions in order; none listed is a configuration problem. */
export async function genericPreCheck(cfg: Settings, tool: ToolRunner): Promise<PreCheck> {
  const out: PreCheck = { findings: [], paths: new Map(), downLines: new Map() };
  if (cfg.preset.listRevisions) {
    out.revisions = await listRevisions(cfg, tool);
    if (out.revisions.length === 0)
      throw new UserError(`${cfg.preset.name}: ${cfg.preset.listRevisions.args.join(' ')} lists no migration; check django-app and working-directory`);
  }
  return out;
}
