/**
 * A broker restart costs seconds, not the box's acknowledgement timeout. After the restart the box
 * reconnects before the hub has (here: the hub's own link is held cut), so its hello, its time
 * request and its batches reach no subscriber. When the hub is back, the box's next time request
 * is answered and the box sends again at once. The acknowledgement timeout is 10 minutes here: a
 * box that waited for it would never drain within the test's wait.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { openMemoryDatabase } from '../appliance/storage/database.ts';
import { GroupCommitDb } from '../appliance/storage/group-commit.ts';
import { appendOutbox, type OutboxEntry } from '../appliance/clinic/outbox.ts';
import { startSync, type Sync } from '../appliance/sync/index.ts';
import { startEmbeddedBroker, HUB_USERNAME, type EmbeddedBroker } from '../central/broker/embedded.ts';
import { authenticateDevice, enrolDevice } from '../central/fleet/devices.ts';
import { startHub, type Hub } from '../central/hub.ts';
import { openMemoryHubDatabase, type HubDb } from '../central/storage/db.ts';
import { generateRecords } from '../central/testing/records.ts';
import { quietLog } from '../central/testing/stack.ts';
import { startTcpProxy, type TcpProxy } from '../central/testing/tcp-proxy.ts';
import { freePort, startMosquitto, tempDir, type OwnMosquitto } from './mosquitto-support.ts';
import { until } from './support/wait.ts';

interface Broker {
  close(): Promise<void>;
}

const kinds = ['embedded', 'mosquitto'] as const;

describe.each(kinds)('a %s broker restart', (kind) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    cleanups.length = 0;
  });

  it('the box notices the hub is back and sends again at once', async () => {
    const port = await freePort();
    const hubPassword = randomBytes(18).toString('base64url');
    const hubDb: HubDb = await openMemoryHubDatabase();
    cleanups.push(() => hubDb.close());
    const startBroker = async (): Promise<Broker> =>
      kind === 'embedded'
        ? (startEmbeddedBroker({
            host: '127.0.0.1',
            port,
            hubPassword,
            authenticateDevice: (id, secret) => authenticateDevice(hubDb, id, secret),
            log: quietLog(),
          }) as Promise<EmbeddedBroker>)
        : (startMosquitto(tempDir('simpul-restart-'), port, [`listener ${port} 127.0.0.1`, 'allow_anonymous true']) as Promise<OwnMosquitto>);
    let broker = await startBroker();
    cleanups.push(() => broker.close());
    // The hub reaches the broker through a proxy the test can hold cut.
    const hubLink: TcpProxy = await startTcpProxy({ host: '127.0.0.1', port });
    cleanups.push(() => hubLink.close());
    const hub: Hub = await startHub(
      {
        mqttUrl: hubLink.url,
        ...(kind === 'embedded' ? { mqttUsername: HUB_USERNAME, mqttPassword: hubPassword } : {}),
        httpPort: 0,
        httpHost: '127.0.0.1',
        resendAfterMs: 500,
        logLevel: 'silent',
        adminToken: 'x'.repeat(24),
      },
      { db: hubDb, log: quietLog() },
    );
    cleanups.push(() => hub.close());

    const cred = await enrolDevice(hubDb, { facilityCode: '0112P001', deviceId: `restart-${kind}` });
    const box = new GroupCommitDb(await openMemoryDatabase());
    cleanups.push(() => box.close());
    const records = generateRecords(50, { seed: 5 });
    const write = async (from: number, to: number) => {
      for (const r of records.slice(from, to))
        await box.transaction((tx) => appendOutbox(tx, { type: r.type, entityId: r.entityId, entityVersion: r.entityVersion, payload: r.payload } as OutboxEntry));
    };
    const sync: Sync = await startSync({
      db: box,
      log: quietLog(),
      config: {
        mqttUrl: `mqtt://127.0.0.1:${port}`,
        deviceId: cred.deviceId,
        deviceSecret: cred.secret,
        facility: { code: '0112P001' },
        timeZone: 'Asia/Jakarta',
        syncPollMs: 50,
        syncAckTimeoutMs: 600_000,
        syncBackoffMinMs: 50,
        syncBackoffMaxMs: 200,
        syncHubProbeMs: 200,
        syncStatusIntervalMs: 600_000,
      },
    });
    cleanups.push(() => sync.close());
    await write(0, 20);
    await until('the first records to reach the hub', async () => (await sync.stats()).pending === 0);

    // The broker restarts; the hub cannot reach it yet, the box can.
    hubLink.cut();
    await broker.close();
    broker = await startBroker();
    await until('the box to reconnect', async () => (await sync.stats()).connected);
    const sentBefore = (await sync.stats()).batchesSent;
    await write(20, 50);
    await until('a batch sent into a broker with no hub', async () => (await sync.stats()).batchesSent > sentBefore);
    expect((await sync.stats()).pending).toBe(30);

    hubLink.restore();
    await until('the records sent while the hub was away to be acknowledged', async () => (await sync.stats()).pending === 0);
    const stored = await hubDb.query<{ n: number }>(`SELECT count(*)::int AS n FROM records WHERE device_id = $1`, [cred.deviceId]);
    expect(stored.rows[0].n).toBe(50);
  }, 180_000);
});
