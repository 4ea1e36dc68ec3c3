/**
 * The PouchDB baseline of the drain benchmark (the Community Health Toolkit's way of syncing):
 * the same generated records (same seed) as PouchDB docs, one doc per record version, replicated
 * from PouchDB (memory adapter) in a process of its own, as our box is, to express-pouchdb (the
 * CouchDB protocol of pouchdb-server, memory adapter) in this process, through the same TCP
 * proxy that counts our bytes.
 *
 * pouchdb-server itself pulls leveldown and sqlite3 (install scripts, native builds); its
 * `--in-memory` mode is express-pouchdb over pouchdb-adapter-memory, which is what runs here.
 * The server runs in express-pouchdb's `minimumForPouchDB` mode: no request log file, no auth
 * checks, so the baseline is as fast as it gets (gzip of responses is on, as in pouchdb-server).
 */
import { fork } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { generateRecords } from '../../central/testing/records.ts';
import { startTcpProxy } from '../../central/testing/tcp-proxy.ts';
import { printTable } from './table.ts';

// PouchDB's packages are CommonJS without types; only these few calls are used.
const require = createRequire(import.meta.url);
interface PouchDb {
  bulkDocs(docs: object[]): Promise<unknown>;
  info(): Promise<{ doc_count: number }>;
  destroy(): Promise<unknown>;
}
interface PouchDbClass {
  new (name: string, opts?: object): PouchDb;
  plugin(p: unknown): PouchDbClass;
  replicate(from: PouchDb, to: PouchDb, opts?: object): Promise<{ ok: boolean; docs_written: number; doc_write_failures: number }>;
}
const pouchDbCore = () => require('pouchdb-core') as PouchDbClass;
const expressPouchDb = require('express-pouchdb') as (pouch: PouchDbClass, opts: object) => (req: IncomingMessage, res: ServerResponse) => void;

// One express-pouchdb per process (it wraps the PouchDB class's methods), a database of its own
// per run: express-pouchdb keeps a database open by name, and one destroyed and made again under
// the same name hangs the next replication.
let runCount = 0;
let serverPouch: { PouchDb: PouchDbClass; app: (req: IncomingMessage, res: ServerResponse) => void } | undefined;
function pouchDbServer() {
  if (!serverPouch) {
    const PouchDb = pouchDbCore().plugin(require('pouchdb-adapter-memory'));
    serverPouch = { PouchDb, app: expressPouchDb(PouchDb, { mode: 'minimumForPouchDB', inMemoryConfig: true }) };
  }
  return serverPouch;
}

/** A record as a CHT-style doc: its own id, the record's fields, the payload as the domain wrote it. */
export function recordDocs(n: number, seed: number) {
  return generateRecords(n, { seed }).map((r) => ({
    _id: r.id,
    type: r.type,
    schemaVersion: r.schemaVersion,
    entityId: r.entityId,
    entityVersion: r.entityVersion,
    createdAt: r.createdAt,
    payload: r.payload,
  }));
}

export interface PouchDbDrain {
  records: number;
  seconds: number;
  /** Wire bytes per record, client → server and back, counted at the proxy. */
  up: number;
  down: number;
  /** The doc's own JSON, for scale. */
  docJsonBytes: number;
}

type FromClient = { op: 'ready' } | { op: 'replicated'; seconds: number; written: number } | { op: 'error'; message: string };

/** Replicates `n` generated records from a PouchDB in a child process to express-pouchdb here. */
export async function runPouchDbDrain(n = 10_000, seed = 7): Promise<PouchDbDrain> {
  const { PouchDb: ServerPouch, app } = pouchDbServer();
  const dbName = `records${++runCount}`;
  const server = createServer(app);
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const serverPort = (server.address() as { port: number }).port;
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: serverPort }, 'http');
  const child = fork(fileURLToPath(import.meta.url), ['--pouchdb-client'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    let up0 = 0;
    let down0 = 0;
    const r = await new Promise<{ seconds: number; written: number }>((resolve, reject) => {
      child.on('message', (m: FromClient) => {
        if (m.op === 'ready') {
          up0 = proxy.bytesUp;
          down0 = proxy.bytesDown;
          child.send({ op: 'go' });
        } else if (m.op === 'replicated') resolve(m);
        else reject(new Error(`pouchdb client: ${m.message}`));
      });
      child.once('exit', (code) => reject(new Error(`pouchdb client exited (${code})`)));
      setTimeout(() => reject(new Error('pouchdb: no result in 5 minutes')), 300_000).unref();
      child.send({ op: 'job', records: n, seed, url: `${proxy.url}/${dbName}` });
    });
    // Ask the server directly (not through the proxy) that every doc arrived.
    const { doc_count } = (await (await fetch(`http://127.0.0.1:${serverPort}/${dbName}`)).json()) as { doc_count: number };
    if (r.written !== n || doc_count !== n) throw new Error(`pouchdb: ${r.written} written, the server holds ${doc_count} of ${n}`);
    const docJsonBytes = recordDocs(n, seed).reduce((s, d) => s + Buffer.byteLength(JSON.stringify(d)), 0) / n;
    return { records: n, seconds: r.seconds, up: (proxy.bytesUp - up0) / n, down: (proxy.bytesDown - down0) / n, docJsonBytes };
  } finally {
    child.kill('SIGKILL');
    await proxy.close();
    server.closeAllConnections();
    await new Promise((res) => server.close(res));
    await new ServerPouch(dbName).destroy();
  }
}

/** The client process: fills a memory PouchDB, says `ready`, replicates on `go`. */
async function clientProcess() {
  const send = (m: FromClient) => process.send!(m);
  try {
    const job = await new Promise<{ records: number; seed: number; url: string }>((res) => process.once('message', res));
    const ClientPouch = pouchDbCore().plugin(require('pouchdb-adapter-memory')).plugin(require('pouchdb-adapter-http')).plugin(require('pouchdb-replication'));
    const local = new ClientPouch('box', { adapter: 'memory' });
    const docs = recordDocs(job.records, job.seed);
    for (let i = 0; i < docs.length; i += 1000) await local.bulkDocs(docs.slice(i, i + 1000));
    await new Promise<void>((res) => {
      process.on('message', (m: { op: string }) => m.op === 'go' && res());
      send({ op: 'ready' });
    });
    const t0 = performance.now();
    // PouchDB's defaults (batches of 100 docs, up to 10 batches read ahead), as CHT's clients use.
    const result = await ClientPouch.replicate(local, new ClientPouch(job.url));
    const seconds = (performance.now() - t0) / 1000;
    if (!result.ok || result.doc_write_failures) throw new Error(`replication failed: ${JSON.stringify(result)}`);
    send({ op: 'replicated', seconds, written: result.docs_written });
  } catch (e) {
    send({ op: 'error', message: (e as Error).stack ?? String(e) });
  }
  process.disconnect();
}

/** One of our drains, as test/bench/sync.ts measured it. */
export interface DrainResult {
  name: string;
  records: number;
  seconds: number;
  up: number;
  down: number;
}

/**
 * PouchDB on the same records beside our loopback drains of the same run, with how many times
 * faster ours is and how many times fewer bytes (both ways) it sends. Goals from the issue: ≥ 3×
 * faster, ≥ 5× fewer bytes.
 */
export async function runPouchDbComparison(ours: DrainResult[], n = Number(process.env.SYNC_BENCH_RECORDS ?? 10_000)) {
  // The faster of two runs: the machine is shared, and a slow run should not flatter ours.
  const runs = [await runPouchDbDrain(n), await runPouchDbDrain(n)];
  const pouch = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const name = 'PouchDB (memory) → express-pouchdb (memory), HTTP';
  const all = [...ours.map((r) => ({ ...r, name: `Simpul MQTT drain, ${r.name}` })), { name, ...pouch }];
  const rows = all.map((r) => {
    const sameRecords = r.records === pouch.records;
    const faster = sameRecords ? `${(pouch.seconds / r.seconds).toFixed(1)}×` : '—';
    const fewer = sameRecords ? `${((pouch.up + pouch.down) / (r.up + r.down)).toFixed(1)}×` : '—';
    return [r.name, r.records, r.seconds.toFixed(2), Math.round(r.records / r.seconds), r.up.toFixed(0), r.down.toFixed(1), faster, fewer];
  });
  printTable(
    `Sync side by side: the same ${n} generated records (seed 7; PouchDB docs of ${pouch.docJsonBytes.toFixed(0)} B of JSON each), loopback, bytes at the TCP proxy`,
    ['method', 'records', 'seconds', 'records/s', 'bytes/record up', 'down', '× faster than PouchDB', '× fewer bytes'],
    rows,
  );
  console.log(
    `\nPouchDB runs: ${runs.map((r) => `${r.seconds.toFixed(2)} s`).join(', ')} (the faster shown); replication defaults (batches of 100); the server without auth or request log.`,
  );
  console.log(`Goals: ≥ 3× faster and ≥ 5× fewer bytes (up + down) than PouchDB.`);
  return pouch;
}

if (process.argv.includes('--pouchdb-client')) await clientProcess();
