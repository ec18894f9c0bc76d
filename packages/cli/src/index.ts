// Public entry of @platform-actions/cli: the command, the check as a function, and the runner.
export { main, parseArgs, USAGE } from './main.js';
export { check, runOne, type CheckOptions, type CheckResult, type StageResult } from './check.js';
export { toJsonReport, writeJsonReport, type JsonReport } from './report.js';
export { runBundledAction, readActionYaml, resolveActionDir, type RunBundledActionOptions, type RunBundledActionResult } from './runner.js';
export { discover, UsageError, type Stage } from './workflows.js';
