// Bundle entry: only runs the action; main() lives in main.ts so tests can call it in-process.
import { runAction } from '@platform-actions/kit';
import { main } from './main.js';
import { ACTION } from './action.js';

await runAction({ name: ACTION, main });
