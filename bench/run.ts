// npm run bench: every benchmark, side by side with its peer, printing ratios. Exits 1 if a target is missed.
import { benchKit } from './kit.js';

const results: boolean[] = [];
console.log('== kit');
results.push(await benchKit());
process.exitCode = results.every(Boolean) ? 0 : 1;
