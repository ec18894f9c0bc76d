// Bundle entry: the kit's runAction sets outcome and the counts on every exit path; main.ts has the logic.
import { runAction } from '@platform-actions/kit';
import { ACTION, main } from './main.js';

await runAction({ name: ACTION, main });
