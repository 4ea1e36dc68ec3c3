/**
 * The server side of the queue benchmark, in its own process so the load generator does not
 * share its event loop: the box's app (durable storage, plain HTTP) and, beside it, a bare Hono
 * route returning a constant, the ceiling. Prints one JSON line with the ports and ticket tokens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import pino from 'pino';
import { configSchema } from '../../appliance/config.ts';
import { startBox } from '../../appliance/box.ts';
import { serveHttp } from '../../appliance/http/server.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'simpul-bench-queue-'));
// The bench takes tens of thousands of numbers a run, far past a day's cap on phone numbers
// (phoneTicketsPerDay, 10,000), so the cap is raised here; the check itself still runs per take.
const config = configSchema.parse({ mode: 'demo', dataDir, httpsPort: 0, httpPort: 0, host: '127.0.0.1', logLevel: 'warn', phoneTicketsPerDay: 1_000_000 });
const box = await startBox(config, { plainHttp: true, log: pino({ level: 'warn' }) });

const bare = new Hono();
bare.get('/', (c) => c.json({ ok: true }));
const bareServer = await serveHttp(bare.fetch, { port: 0, host: '127.0.0.1' });

// 200 waiting patients whose links the status load reads.
const tokens: string[] = [];
for (let i = 0; i < 200; i++) tokens.push((await box.queue.take({ poli: i % 2 ? 'umum' : 'gigi', source: 'phone' })).token);

console.log(JSON.stringify({ box: box.url, bare: `http://127.0.0.1:${bareServer.port}`, tokens }));

process.on('SIGTERM', async () => {
  await bareServer.close();
  await box.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
