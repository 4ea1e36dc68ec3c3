/**
 * A hub boxes enrol with (its embedded broker with a TLS listener for certificates), and a box
 * enrolled as a technician does it: a claim code made at the hub, the box's own key and CSR,
 * POST /enrol, and the answer kept in the box's data dir (identity.json).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { enrolResponse, type EnrolResponse } from '../central/contract/enrolment.ts';
import { createClaim } from '../central/fleet/claims.ts';
import { startHub, type Hub } from '../central/hub.ts';
import { openMemoryHubDatabase, type HubDb, type HubQueryable } from '../central/storage/db.ts';
import { quietLog } from '../central/testing/stack.ts';
import { identityFrom, newKeyAndCsr, writeIdentity, type BoxIdentity } from '../appliance/enrolment/identity.ts';
import type { OutboxEntry } from '../appliance/clinic/outbox.ts';
import { appendOutbox } from '../appliance/clinic/outbox.ts';
import type { GroupCommitDb } from '../appliance/storage/group-commit.ts';
import { generateRecords } from '../central/testing/records.ts';

/**
 * A hub on a fresh in-memory database, HTTP and MQTT on free ports of 127.0.0.1, the broker's TLS
 * listener named localhost and 127.0.0.1, its data under `<dir>/hub`. The caller closes both.
 */
export async function startEnrolmentHub(dir: string, adminToken: string): Promise<{ hub: Hub; db: HubDb }> {
  const db = await openMemoryHubDatabase();
  const hub = await startHub(
    {
      httpPort: 0,
      httpHost: '127.0.0.1',
      brokerPort: 0,
      brokerHost: '127.0.0.1',
      brokerTlsPort: 0,
      brokerTlsHostnames: ['localhost', '127.0.0.1'],
      logLevel: 'silent',
      dataDir: join(dir, 'hub'),
      adminToken,
    },
    { db, log: quietLog() },
  );
  return { hub, db };
}

export async function enrolBox(o: {
  hubUrl: string;
  db: HubQueryable;
  facilityCode: string;
  boxDir: string;
  now?: Date;
}): Promise<{ identity: BoxIdentity; answer: EnrolResponse }> {
  const { code } = await createClaim(o.db, { facilityCode: o.facilityCode, validForMs: 86_400_000, now: o.now ?? new Date() });
  const { key, csr } = await newKeyAndCsr(o.facilityCode);
  const res = await fetch(`${o.hubUrl}/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ claimCode: code, facilityCode: o.facilityCode, csr }),
  });
  if (res.status !== 201) throw new Error(`enrolment refused: ${res.status} ${await res.text()}`);
  const answer = enrolResponse.parse(await res.json());
  mkdirSync(o.boxDir, { recursive: true, mode: 0o700 });
  const identity = identityFrom(key, answer);
  writeIdentity(o.boxDir, identity);
  return { identity, answer };
}

export const pemFiles = (dir: string) => ({ key: join(dir, 'box.key'), cert: join(dir, 'box.pem'), ca: join(dir, 'ca.pem') });

export async function writeRecords(db: GroupCommitDb, n: number, seed: number) {
  const recs = generateRecords(n, { seed });
  await db.transaction(async (tx) => {
    for (const r of recs) await appendOutbox(tx, { type: r.type, entityId: r.entityId, entityVersion: r.entityVersion, payload: r.payload } as OutboxEntry);
  });
  return recs;
}
