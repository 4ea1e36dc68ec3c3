/**
 * A hub with operators of every role and boxes in three regions, for the route walk, the fuzz and
 * the Chromium test: national, province 53 (NTT), district 5301 (Kab. Kupang), district 5302
 * (Timor Tengah Selatan); boxes in 5301, 5302 and 5101 (Bali).
 */
import type { BoxStatus } from '../../central/contract/index.ts';
import { startHub, type Hub } from '../../central/hub.ts';
import type { FleetStateOptions } from '../../central/fleet-state/fleet-state.ts';
import { enrolDevice } from '../../central/fleet/devices.ts';
import { createOperator } from '../../central/operators/accounts.ts';
import { openMemoryHubDatabase, type HubDb } from '../../central/storage/db.ts';
import { quietLog } from '../../central/testing/stack.ts';

export const ADMIN_TOKEN = 'hub-admin-token-for-operator-tests-9c2e';
export const PASSWORD = 'kata-sandi-operator-uji-123';
export const operators = {
  national: { username: 'nasional', role: 'national', scope: '' },
  province: { username: 'ntt', role: 'province', scope: '53' },
  district: { username: 'kupang', role: 'district', scope: '5301' },
  district2: { username: 'soe', role: 'district', scope: '5302' },
} as const;
export const boxes = { kupang: { id: 'box-kupang-1', region: '5301' }, soe: { id: 'box-soe-1', region: '5302' }, bali: { id: 'box-bali-1', region: '5101' } } as const;

/** A box's status report of the first version (the outbox figures only), sent at `at`. */
export const statusV1 = (at: Date, pending = 0): BoxStatus => ({
  v: 1,
  kind: 'status',
  at: at.toISOString(),
  hello: false,
  pending,
  parked: 0,
  bytesPending: 0,
  oldestPendingAgeSeconds: null,
  lastSyncAt: null,
  lastError: null,
});

export interface OperatorHub {
  hub: Hub;
  db: HubDb;
  close(): Promise<void>;
}

/**
 * `fleet`: the fleet state's clock and timings (the Chromium test moves the clock and sweeps by hand).
 * Alerts are evaluated only when a test calls `hub.alerts.evaluate()`: a timer would make the
 * watchdog's answer depend on how long the test took.
 */
export async function startOperatorHub(opts: { now?: () => Date; fleet?: FleetStateOptions; rolloutEveryMs?: number } = {}): Promise<OperatorHub> {
  const db = await openMemoryHubDatabase();
  for (const o of Object.values(operators)) await createOperator(db, { ...o, password: PASSWORD });
  for (const b of Object.values(boxes)) {
    await enrolDevice(db, { facilityCode: `${b.region}P01`, deviceId: b.id, name: `Puskesmas ${b.id}` });
    await db.query(`UPDATE devices SET region_code = $2 WHERE id = $1`, [b.id, b.region]);
  }
  const hub = await startHub(
    { httpPort: 0, httpHost: '127.0.0.1', brokerPort: 0, brokerHost: '127.0.0.1', adminToken: ADMIN_TOKEN, logLevel: 'silent' },
    { db, log: quietLog(), now: opts.now, fleet: opts.fleet, alerts: { evaluateEveryMs: 0 }, rolloutEveryMs: opts.rolloutEveryMs },
  );
  return {
    hub,
    db,
    async close() {
      await hub.close();
      await db.close();
    },
  };
}

export interface SignedIn {
  cookie: string;
  csrf: string;
}

/** Signs in with JSON: the session cookie and the CSRF token to send with each write. */
export async function signIn(url: string, username: string, password = PASSWORD): Promise<SignedIn> {
  const res = await fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`sign-in of ${username}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { csrf: string };
  const cookie = /simpul_hub_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (!cookie) throw new Error('no session cookie');
  return { cookie: `simpul_hub_session=${cookie}`, csrf: body.csrf };
}
