// Resolving the scan's range (fetching, deepening a shallow clone) lives in the kit
// (packages/kit/src/git/resolve.ts): the plan action resolves the same ranges.
export {
  type RangeResolveOptions as ResolveOptions,
  type RefsReport,
  type ResolvedRange as Resolved,
  deepenStep,
  cutOff,
  resolveRange as resolveScope,
} from '@platform-actions/kit';
