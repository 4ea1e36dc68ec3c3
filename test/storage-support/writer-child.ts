/**
 * A child process that writes a stream of rows, one commit each, and prints `ACK <id>` on stdout
 * (a synchronous write(2) on fd 1) only after each commit has returned. Used by the storage tests
 * (strace ordering, kill -9, power cut) and reusable by others (e.g. an HTTP variant).
 *
 *   node --import tsx test/storage-support/writer-child.ts <dataDir> [options]
 *     --count=N      commits to make (default: unlimited, until killed)
 *     --start=ID     first id (default 1)
 *     --writers=W    concurrent writers (default 1)
 *     --durable=0    benchmark mode (default durable)
 *     --amcheck=1    load the amcheck extension
 *     --payload=B    payload bytes per row (default 100)
 *     --template=F   first-boot template archive (default: none, initdb)
 *
 * Prints `READY` once open, `ACK <id>` per acknowledged commit, `DONE` at the end (after close).
 */
import { writeSync } from 'node:fs';
import { openDatabase } from '../../appliance/storage/database.ts';

const args = process.argv.slice(2);
const dataDir = args.find((a) => !a.startsWith('--'));
if (!dataDir) {
  process.stderr.write('usage: writer-child.ts <dataDir> [--count=N] [--start=ID] [--writers=W] [--durable=0]\n');
  process.exit(2);
}
const opt = (name: string, def: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? def;
const count = Number(opt('count', 'Infinity'));
const start = Number(opt('start', '1'));
const writers = Number(opt('writers', '1'));
const durable = opt('durable', '1') !== '0';
const payload = 'p'.repeat(Number(opt('payload', '100')));

const say = (line: string) => writeSync(1, line + '\n');

const template = opt('template', '');
const db = await openDatabase({ dataDir, durable, template: template || false, log: () => {} });
await db.exec('CREATE TABLE IF NOT EXISTS storage_probe (id bigint PRIMARY KEY, payload text NOT NULL, at timestamptz NOT NULL DEFAULT now())');
say('READY');
let next = start;
const end = start + count;
async function writer() {
  while (next < end) {
    const id = next++;
    await db.query('INSERT INTO storage_probe (id, payload) VALUES ($1, $2)', [id, payload]);
    say(`ACK ${id}`);
    // PGlite runs synchronously, so a loop of awaited queries never yields to I/O: let the event
    // loop run (as it does between HTTP requests in the box), e.g. for the backup control socket.
    await new Promise((r) => setImmediate(r));
  }
}
await Promise.all(Array.from({ length: writers }, writer));
await db.close();
say('DONE');
