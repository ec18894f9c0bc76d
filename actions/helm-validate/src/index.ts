// The action's entry point: only starts it, so tests can import main() from main.ts and run it in-process.
import { runAction } from '@platform-actions/kit';
import { TOOL } from './findings.js';
import { main } from './main.js';

await runAction({ name: TOOL, main });
