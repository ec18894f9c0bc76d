// Entry point of the bundle: runs main() under the kit's contract (outcome set on every path, one failure line).
import { runAction } from '@platform-actions/kit';
import { ACTION, main } from './main.js';

await runAction({ name: ACTION, main });
