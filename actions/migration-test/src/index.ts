// Bundle entry: the kit's runAction sets outcome and the counts on every exit path; main.ts has the logic.
import { runAction } from '@platform-actions/kit';
import { main } from './main.js';
import { ACTION } from './action.js';

await runAction({ name: ACTION, main });
