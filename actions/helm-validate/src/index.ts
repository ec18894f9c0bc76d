// The action's entry point: only starts it, so tests can import main() from main.ts and run it in-process.
import { runAction } from '@platform-actions/kit';
import { main } from './main.js';
import { ACTION } from './action.js';

await runAction({ name: ACTION, main });
