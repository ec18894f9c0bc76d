// Resolving the scan's range (fetching, deepening a shallow clone) lives in the kit
// (packages/kit/src/git/resolve.ts): the plan action resolves the same ranges.
export { type RefsReport, deepenStep, cutOff, resolveRange as resolveScope } from '@platform-actions/kit';
