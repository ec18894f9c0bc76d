// Entry point of the bundle: the logic lives in main.ts so tests can run it in-process.
import { runAction } from '@platform-actions/kit';
import { main } from './main.js';
import { ACTION } from './action.js';

await runAction({ name: ACTION, main });
