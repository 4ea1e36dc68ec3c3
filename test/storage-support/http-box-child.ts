/**
 * The real box (appliance/box.ts, demo mode, plain HTTP on loopback) in its own process, for tests
 * that watch it from outside, e.g. under strace (test/storage-http-durability.test.ts).
 *
 *   node --import tsx test/storage-support/http-box-child.ts <dataDir> <readyFile> [--template=F]
 *     --template=F   create <dataDir>/pgdata from this first-boot template archive before the box
 *                    starts (default: the box's own first boot, i.e. DEFAULT_TEMPLATE or initdb)
 *
 * Writes its pid to `<readyFile>.pid` first thing (so a test can kill it even if it hangs starting);
 * once serving, writes `{"url": ..., "pid": ...}` to <readyFile> (written beside it and renamed, so
 * a reader never sees half of it). On SIGTERM or SIGINT it closes the box and exits 0.
 */
import * as fs from 'node:fs';
import pino from 'pino';
import { configSchema } from '../../appliance/config.ts';
import { startBox } from '../../appliance/box.ts';
import { openDatabase } from '../../appliance/storage/database.ts';

const args = process.argv.slice(2);
const [dataDir, readyFile] = args.filter((a) => !a.startsWith('--'));
if (!dataDir || !readyFile) {
  process.stderr.write('usage: http-box-child.ts <dataDir> <readyFile> [--template=F]\n');
  process.exit(2);
}
fs.writeFileSync(`${readyFile}.pid`, String(process.pid));
const template = args.find((a) => a.startsWith('--template='))?.slice('--template='.length);

if (template) {
  // First boot from the test template (no initdb inside the box: ~850 MB and seconds under strace).
  const db = await openDatabase({ dataDir, template, controlSocket: false, log: () => {} });
  await db.close();
}

const config = configSchema.parse({
  mode: 'demo',
  dataDir,
  httpsPort: 0,
  httpPort: 0,
  host: '127.0.0.1',
  logLevel: 'warn',
  relayHostAddresses: ['127.0.0.1'],
});
const box = await startBox(config, { plainHttp: true, log: pino({ level: 'warn' }) });

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  box.close().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`http-box-child: close failed: ${(err as Error)?.stack ?? err}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

fs.writeFileSync(`${readyFile}.tmp`, JSON.stringify({ url: box.url, pid: process.pid }));
fs.renameSync(`${readyFile}.tmp`, readyFile);
