/**
 * `npm run bench [queue|storage|sync|relay|report|fleet|status-ingest|firmware]`: every benchmark (or one), each printing its table
 * with its baseline beside it, measured in this run.
 */
import { cpus, totalmem } from 'node:os';
import { runQueueBench } from './queue.ts';
import { runStorageBench } from './storage.ts';
import { runDrainBench, runEncodingBench } from './sync.ts';
import { runPouchDbComparison } from './sync-pouchdb.ts';
import { runIngestBench } from './ingest.ts';
import { runRelayBench } from './relay.ts';
import { runFleetBench } from './fleet.ts';
import { runStatusIngestBench } from './status-ingest.ts';
import { runReportBench } from './report.ts';
import { runFirmwareBench } from './firmware.ts';

const benches: Record<string, () => Promise<unknown> | unknown> = {
  queue: runQueueBench,
  storage: runStorageBench,
  sync: async () => {
    runEncodingBench();
    await runPouchDbComparison(await runDrainBench());
    await runIngestBench();
  },
  relay: () => runRelayBench(),
  fleet: runFleetBench,
  'status-ingest': runStatusIngestBench,
  report: runReportBench,
  firmware: runFirmwareBench,
};

const only = process.argv[2];
if (only && !benches[only]) {
  console.error(`unknown benchmark "${only}"; one of: ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
console.log(
  `# Simpul benchmarks — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
);
for (const [name, run] of Object.entries(benches)) if (!only || only === name) await run();
process.exit(0);
