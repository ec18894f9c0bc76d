// Change detection: which charts, Terraform roots, images and migration folders a change touched, and
// how to split them into balanced shards. Used by the plan action and the CLI's `check --changed`.
export * from './affected.js';
export * from './changeset.js';
export * from './charts.js';
export * from './diff.js';
export * from './hcl-modules.js';
export * from './plan.js';
export * from './snapshot.js';
export * from './terraform.js';
export * from './shards.js';
export * from './document.js';
