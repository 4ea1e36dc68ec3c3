/**
 * Remote jobs end to end on the embedded stack (Aedes + PGlite): a real box (startBox, its own
 * data dir, relay process and sync) and light boxes (the box's sync and job runner on an
 * in-memory database, their actions counted). The hub's clock is injected: an expiry passes by
 * moving it, not by waiting.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBox, type Box } from '../appliance/box.ts';
import { configSchema } from '../appliance/config.ts';
import { JobRunner } from '../appliance/jobs/runner.ts';
import { openMemoryDatabase } from '../appliance/storage/database.ts';
import { GroupCommitDb } from '../appliance/storage/group-commit.ts';
import { startSync, type Sync } from '../appliance/sync/index.ts';
import { quietLog, startStack, type Stack } from '../central/testing/stack.ts';
import { until } from './support/wait.ts';

let clock = new Date();
let stack: Stack;
let dataDir: string;
let real: Box;
let realId: string;

interface LightBox {
  id: string;
  db: GroupCommitDb;
  sync: Sync;
  runner: JobRunner;
  ran: string[];
  close(): Promise<void>;
}
const lights: LightBox[] = [];

async function lightBox(cred: { deviceId: string; secret: string }): Promise<LightBox> {
  const db = new GroupCommitDb(await openMemoryDatabase());
  const ran: string[] = [];
  const log = quietLog();
  let runner: JobRunner | undefined;
  const sync = await startSync({
    db,
    log,
    onJob: (item) => runner!.accept(item),
    config: {
      mqttUrl: stack.mqttUrl,
      deviceId: cred.deviceId,
      deviceSecret: cred.secret,
      facility: { code: '0112P001' },
      timeZone: 'Asia/Jakarta',
      syncPollMs: 50,
      syncAckTimeoutMs: 2000,
      syncBackoffMinMs: 50,
      syncBackoffMaxMs: 400,
      syncStatusIntervalMs: 300,
    },
  });
  runner = new JobRunner(
    db,
    {
      backup: async () => (ran.push('backup'), { bytes: 1 }),
      restartRelay: async () => (ran.push('restart_relay'), {}),
      diagnostics: async () => (ran.push('diagnostics'), {}),
      syncSettings: async (c) => (ran.push('sync_settings'), sync.applySettings(c)),
    },
    log,
    undefined,
    () => sync.kick(),
  );
  await runner.start();
  const box: LightBox = {
    id: cred.deviceId,
    db,
    sync,
    runner,
    ran,
    async close() {
      await runner!.close();
      await sync.close();
      await db.close();
    },
  };
  lights.push(box);
  return box;
}

const api = async (path: string, body?: unknown) => {
  const go = () => stack.hubFetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  // A GET once more when the kept-alive connection was closed under it: starting a box's PGlite
  // in this same process holds the event loop for seconds, past the server's keep-alive timeout.
  const res = await go().catch((e) => (body === undefined && e.cause?.code === 'ECONNRESET' ? go() : Promise.reject(e)));
  return { status: res.status, body: await res.json() };
};
interface Run {
  deviceId: string;
  state: string;
  result: Record<string, unknown> | null;
  error: string | null;
}
const runsOf = async (jobId: string): Promise<Run[]> => (await api(`/api/jobs/${jobId}`)).body.runs;
const online = (id: string) => until(`${id} online`, async () => (await stack.db.query(`SELECT 1 FROM devices WHERE id = $1 AND last_seen_at IS NOT NULL`, [id])).rows.length > 0);

beforeAll(async () => {
  stack = await startStack('embedded+pglite', {}, { now: () => clock });
  const cred = await stack.enrol('real', '5301');
  realId = cred.deviceId;
  dataDir = mkdtempSync(join(tmpdir(), 'simpul-jobs-'));
  real = await startBox(
    configSchema.parse({
      mode: 'demo',
      dataDir,
      httpsPort: 0,
      httpPort: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      mqttUrl: stack.mqttUrl,
      deviceId: cred.deviceId,
      deviceSecret: cred.secret,
      syncPollMs: 50,
      syncStatusIntervalMs: 300,
      syncBackoffMinMs: 50,
      syncBackoffMaxMs: 400,
    }),
    { log: quietLog(), plainHttp: true },
  );
  await online(realId);
}, 120_000);

afterAll(async () => {
  for (const b of lights) await b.close();
  await real?.close();
  await stack?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('remote jobs through the durable downlink', () => {
  it('a backup job on a real box: queued → done, with the size of the backup the box wrote', async () => {
    const made = await api('/api/jobs', { action: { action: 'backup' }, target: { device: realId }, expiresInMinutes: 60 });
    expect(made.status).toBe(201);
    expect(made.body.devices).toEqual([realId]);
    const [run] = await until(
      'the backup job done',
      async () => {
        const runs = await runsOf(made.body.id);
        return runs[0]?.state === 'done' || runs[0]?.state === 'failed' ? runs : null;
      },
      60_000,
    );
    expect(run.error).toBeNull();
    expect(run.state).toBe('done');
    const file = join(dataDir, 'backups', 'remote-latest.tar.gz');
    expect(existsSync(file)).toBe(true);
    expect(run.result).toMatchObject({ bytes: statSync(file).size, file: 'backups/remote-latest.tar.gz' });
    expect(run.result!.bytes as number).toBeGreaterThan(10_000);
    // The state went through the box's outbox: running (version 1), then done (version 2).
    const versions = await stack.db.query<{ entity_version: number; state: string }>(
      `SELECT entity_version, payload->>'state' AS state FROM records WHERE device_id = $1 AND type = 'job_result' AND entity_id = $2 ORDER BY 1`,
      [realId, made.body.id],
    );
    expect(versions.rows).toEqual([
      { entity_version: 1, state: 'running' },
      { entity_version: 2, state: 'done' },
    ]);
    // Sent once: a repeated downlink (a resend) does not run it again.
    expect((await real.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM box_jobs WHERE id = $1`, [made.body.id])).rows[0].n).toBe(1);
  }, 90_000);

  it('a diagnostics job on the real box: versions, health and log lines, nothing else', async () => {
    const made = await api('/api/jobs', { action: { action: 'diagnostics' }, target: { device: realId } });
    expect(made.status).toBe(201);
    const [run] = await until(
      'diagnostics done',
      async () => {
        const runs = await runsOf(made.body.id);
        return runs[0]?.state === 'done' ? runs : null;
      },
      30_000,
    );
    expect(Object.keys(run.result!).sort()).toEqual(['health', 'log', 'ms', 'sync', 'versions']);
    expect(run.result!.versions).toMatchObject({ node: process.version });
    expect(run.result!.health).toMatchObject({ database: 'ok', relayRunning: expect.any(Boolean) });
  }, 60_000);

  it('a relay restart job on the real box: its relay process is started again', async () => {
    const before = await until('the relay process running', () => real.relay.pid, 60_000, 200);
    const made = await api('/api/jobs', { action: { action: 'restart_relay' }, target: { device: realId } });
    expect(made.status).toBe(201);
    const [run] = await until(
      'the restart done',
      async () => {
        const runs = await runsOf(made.body.id);
        return runs[0]?.state === 'done' || runs[0]?.state === 'failed' ? runs : null;
      },
      60_000,
      200,
    );
    expect(run).toMatchObject({ state: 'done', result: { restarted: true } });
    expect(real.relay.pid).toBeDefined();
    expect(real.relay.pid).not.toBe(before);
  }, 90_000);

  it('an expired job never runs: a box offline when the job was made comes back after its expiry', async () => {
    const cred = await stack.enrol('late', '6101');
    const made = await api('/api/jobs', { action: { action: 'backup' }, target: { device: cred.deviceId }, expiresInMinutes: 10 });
    expect(made.status).toBe(201);
    // Published at once in case the box is online (it is not): queued, or sent to the broker.
    expect(['queued', 'sent']).toContain((await runsOf(made.body.id))[0].state);
    clock = new Date(clock.getTime() + 11 * 60_000);
    const box = await lightBox(cred);
    await online(cred.deviceId);
    const [run] = await until('the job expired', async () => {
      const runs = await runsOf(made.body.id);
      return runs[0]?.state === 'expired' ? runs : null;
    });
    expect(run.result).toBeNull();
    // Not sent again after the expiry, never taken in, never run.
    await stack.hub.ingest.idle();
    const dl = await stack.db.query<{ send_count: number; outcome: string }>(
      `SELECT d.send_count, d.outcome FROM downlink d JOIN job_runs r ON r.downlink_id = d.id WHERE r.job_id = $1`,
      [made.body.id],
    );
    expect(dl.rows[0].outcome).toBe('expired');
    expect(dl.rows[0].send_count).toBeLessThanOrEqual(1);
    expect((await box.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM box_jobs`)).rows[0].n).toBe(0);
    expect(box.ran).toEqual([]);
  }, 60_000);

  it('a job to a region reaches only that region’s boxes; a box offline when it was made runs it when it returns', async () => {
    const inKupang = await stack.enrol('kupang2', '5301');
    const inTtsProv = await stack.enrol('soe', '5302');
    const elsewhere = await stack.enrol('bali', '5101');
    const kupang = await lightBox(inKupang);
    const bali = await lightBox(elsewhere);
    await Promise.all([online(kupang.id), online(bali.id)]);
    // Region 53 (NTT): the real box, kupang2 and soe (offline), never bali.
    const made = await api('/api/jobs', { action: { action: 'sync_settings', bandwidthKbps: 16, nightWindow: '22:00-05:00' }, target: { region: '53' }, expiresInMinutes: 120 });
    expect(made.status).toBe(201);
    expect(made.body.devices.sort()).toEqual([realId, inKupang.deviceId, inTtsProv.deviceId].sort());
    const soe = await lightBox(inTtsProv);
    let last: Run[] = [];
    const runs = await until(
      'every box of the region done',
      async () => {
        const r = (last = await runsOf(made.body.id));
        return r.length === 3 && r.every((x) => x.state === 'done') ? r : null;
      },
      30_000,
      200,
    ).catch((e) => {
      throw new Error(`${e.message}: ${JSON.stringify(last)}`);
    });
    for (const r of runs) expect(r.result).toMatchObject({ bandwidthKbps: 16, nightWindow: '22:00-05:00' });
    expect(kupang.ran).toEqual(['sync_settings']);
    expect(soe.ran).toEqual(['sync_settings']);
    expect(bali.ran).toEqual([]);
    expect((await stack.db.query(`SELECT 1 FROM job_runs WHERE device_id = $1`, [bali.id])).rows).toEqual([]);
    // The change outlives a restart of the box's sync: it is in the box's database.
    expect((await soe.db.query<{ key: string; value: unknown }>(`SELECT key, value FROM sync_overrides ORDER BY key`)).rows).toEqual([
      { key: 'bandwidthKbps', value: 16 },
      { key: 'nightWindow', value: '22:00-05:00' },
    ]);
    // A region with no box of the caller: nothing made.
    const none = await api('/api/jobs', { action: { action: 'backup' }, target: { region: '9471' } });
    expect(none.status).toBe(404);
  }, 60_000);
});
