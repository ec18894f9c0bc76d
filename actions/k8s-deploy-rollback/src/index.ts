// Bundle entry: only runs the action; main() lives in main.ts so tests can call it in-process.
import { runAction } from '@platform-actions/kit';
import { ACTION, main } from './main.js';

await runAction({ name: ACTION, main });
