// Entry point of the bundle: only starts the action, so tests can import main() without running it.
import { runAction } from '@platform-actions/kit';
import { ACTION, main } from './main.js';

await runAction({ name: ACTION, main });
