// Moved to packages/cli/src/workflow-commands.ts (one implementation, shared by the CLI and the tests).
export * from '../../packages/cli/src/workflow-commands.js';
