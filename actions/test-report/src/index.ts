// Entry point of the bundle: runs main() under the kit's contract (outcome set on every path, one failure line).
import { runAction } from '@platform-actions/kit';
import { main } from './main.js';
import { ACTION } from './action.js';

await runAction({ name: ACTION, main });
