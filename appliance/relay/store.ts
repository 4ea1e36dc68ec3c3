import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db, Queryable } from '../clinic/db.ts';
import { hasActiveConsent, onConsentChange } from '../clinic/consents.ts';
import type { RelayDeps } from './relay.ts';
import type { CallRecord } from './quality.ts';

/** The relay's ties to the clinic: the consent gate, consent events, and where call quality is kept. */
export function relayDepsFor(db: Db, log: Logger): RelayDeps {
  return {
    log: log.child({ part: 'relay' }),
    consentActive: async (encounterId) => (await hasActiveConsent(db, encounterId)) && (await encounterIsOpen(db, encounterId)),
    onConsentChange,
    saveCall: (record) => saveCallQuality(db, record),
  };
}

async function encounterIsOpen(db: Queryable, encounterId: string) {
  const { rows } = await db.query(`SELECT 1 FROM encounters WHERE id = $1 AND status = 'open'`, [encounterId]);
  return rows.length > 0;
}

export async function saveCallQuality(db: Queryable, r: CallRecord): Promise<void> {
  await db.query(`INSERT INTO call_quality (id, encounter_id, started_at, ended_at, end_reason, summary) VALUES ($1,$2,$3,$4,$5,$6)`, [
    randomUUID(),
    r.encounterId,
    r.startedAt,
    r.endedAt,
    r.endReason,
    JSON.stringify(r),
  ]);
}

/** The calls of an encounter, oldest first (figures only). */
export async function callQualityOf(db: Queryable, encounterId: string): Promise<CallRecord[]> {
  const { rows } = await db.query<{ summary: CallRecord }>(`SELECT summary FROM call_quality WHERE encounter_id = $1 ORDER BY started_at`, [encounterId]);
  return rows.map((r) => r.summary);
}
