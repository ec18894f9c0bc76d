// Entry point of the bundle: the logic lives in main.ts so tests can run it in-process.
import { runAction } from '@platform-actions/kit';
import { ACTION, main } from './main.js';

await runAction({ name: ACTION, main });
