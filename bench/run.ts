/** `npm run bench`: every benchmark, each printing its table with its baseline beside it. */
import { cpus, totalmem } from 'node:os';
import { runQueueBench } from './queue.ts';

console.log(`# Simpul benchmarks — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
const only = process.argv[2];
if (!only || only === 'queue') await runQueueBench();
