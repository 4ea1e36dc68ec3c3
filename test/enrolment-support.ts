/**
 * A box enrolled as a technician does it: a claim code made at the hub, the box's own key and CSR,
 * POST /enrol, and the answer kept in the box's data dir (identity.json).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { enrolResponse, type EnrolResponse } from '../central/contract/enrolment.ts';
import { createClaim } from '../central/fleet/claims.ts';
import type { HubQueryable } from '../central/storage/db.ts';
import { identityFrom, newKeyAndCsr, writeIdentity, type BoxIdentity } from '../appliance/enrolment/identity.ts';
import type { OutboxEntry } from '../appliance/clinic/outbox.ts';
import { appendOutbox } from '../appliance/clinic/outbox.ts';
import type { GroupCommitDb } from '../appliance/storage/group-commit.ts';
import { generateRecords } from '../central/testing/records.ts';

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
