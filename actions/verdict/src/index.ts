// The action's entry point: only starts it, so tests can import main() from main.ts and run it in-process.
import { runAction } from '@platform-actions/kit';
import { ACTION, main } from './main.js';

await runAction({ name: ACTION, main });
