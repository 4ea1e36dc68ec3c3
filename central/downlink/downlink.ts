/**
 * Hub → box. What a box must receive (a hospital's answer to a referral, the district formulary or hospital list, a command) is a row in
 * the hub's database until the box acknowledges it, so it survives the box being offline for
 * weeks and the broker or hub restarting. It is sent when created (if the box is online), on the
 * box's hello after each connect, and again on a later status if still unacknowledged.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  decodeFrame,
  downlinkItem,
  encodeFrame,
  formularyEntry,
  hospitalEntry,
  MAX_FORMULARY_ITEMS,
  MAX_HOSPITAL_ITEMS,
  referralAnswer,
  topics,
  type DownlinkItem,
  type ReferralAnswer,
} from '../contract/index.ts';
import type { HubDb, HubQueryable } from '../storage/db.ts';

export class DownlinkError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

/** Queues a hospital's answer for the box that sent the referral, against the newest version the hub holds. */
export async function answerReferral(db: HubQueryable, referralId: string, answer: ReferralAnswer): Promise<{ id: string; deviceId: string; referralVersion: number }> {
  const a = referralAnswer.safeParse(answer);
  if (!a.success) throw new DownlinkError('invalid', a.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const { rows } = await db.query<{ device_id: string; version: number }>(
    `SELECT device_id, version FROM entities WHERE type = 'referral' AND entity_id = $1 ORDER BY version DESC LIMIT 1`,
    [referralId],
  );
  if (!rows[0]) throw new DownlinkError('not_found', `no referral ${referralId} at the hub`);
  const id = randomUUID();
  const item: DownlinkItem = { id, kind: 'referral_answer', referralId, referralVersion: rows[0].version, answer: a.data };
  await db.query(`INSERT INTO downlink (id, device_id, kind, body) VALUES ($1,$2,$3,$4)`, [id, rows[0].device_id, item.kind, JSON.stringify(item)]);
  return { id, deviceId: rows[0].device_id, referralVersion: rows[0].version };
}

/**
 * Which boxes a list goes to: the given ones, every box of a region (its BPS code or a prefix of
 * it: "53" a province, "5301" a district; devices.region_code), or every box when neither is
 * given. Revoked boxes never.
 */
export interface ListTarget {
  devices?: string[];
  region?: string;
}

const regionCode = z.string().regex(/^\d{2}(\d{2})?$/, 'a BPS region code: 2 digits (province) or 4 (district)');

/**
 * Queues a whole, numbered list (the formulary or the hospitals) for the target boxes, numbered
 * one above the last version of that kind published. Validated against the contract first: a bad
 * list is refused as a whole, and nothing is queued.
 */
async function publishList<K extends 'formulary' | 'hospitals'>(
  db: HubDb,
  kind: K,
  items: Extract<DownlinkItem, { kind: K }>['items'],
  target: ListTarget,
): Promise<{ version: number; devices: string[] }> {
  if (target.region !== undefined && !regionCode.safeParse(target.region).success)
    throw new DownlinkError('invalid', `region ${target.region}: expected a BPS code of 2 or 4 digits`);
  return db.transaction(async (tx) => {
    // One publisher at a time, so two publications never share a version number.
    await tx.query(`SELECT pg_advisory_xact_lock(7345002)`);
    // Every publication is in reference_lists, also one that reached no box yet; the downlink
    // holds those made before that table existed.
    const last = await tx.query<{ v: number | null }>(
      `SELECT greatest((SELECT max(version) FROM reference_lists WHERE kind = $1), (SELECT max((body->>'version')::int) FROM downlink WHERE kind = $1)) AS v`,
      [kind],
    );
    const version = (last.rows[0].v ?? 0) + 1;
    const { rows } = await tx.query<{ id: string }>(
      `SELECT id FROM devices WHERE revoked_at IS NULL AND ($1::text[] IS NULL OR id = ANY($1::text[])) AND ($2::text IS NULL OR starts_with(region_code, $2)) ORDER BY id`,
      [target.devices ?? null, target.region ?? null],
    );
    if (target.devices) {
      const missing = target.devices.filter((d) => !rows.some((r) => r.id === d));
      if (missing.length) throw new DownlinkError('not_found', `no enrolled, unrevoked box ${missing.join(', ')}${target.region ? ` in region ${target.region}` : ''}`);
    }
    if (target.region && !rows.length) throw new DownlinkError('not_found', `no enrolled, unrevoked box in region ${target.region}`);
    for (const { id: deviceId } of rows) {
      const item = { id: randomUUID(), kind, version, items } as DownlinkItem;
      await tx.query(`INSERT INTO downlink (id, device_id, kind, body) VALUES ($1,$2,$3,$4)`, [item.id, deviceId, item.kind, JSON.stringify(item)]);
    }
    // Kept with its target, so a box enrolled later gets the newest list meant for it (catchUpLists).
    await tx.query(`INSERT INTO reference_lists (kind, version, region, devices, items) VALUES ($1,$2,$3,$4,$5)`, [
      kind,
      version,
      target.region ?? null,
      target.devices ?? null,
      JSON.stringify(items),
    ]);
    return { version, devices: rows.map((r) => r.id) };
  });
}

function asTarget(t: string[] | ListTarget | undefined): ListTarget {
  return Array.isArray(t) ? { devices: t } : (t ?? {});
}

function refuse(issues: z.core.$ZodIssue[]): never {
  throw new DownlinkError(
    'invalid',
    issues
      .slice(0, 5)
      .map((i) => `items.${i.path.join('.')}: ${i.message}`)
      .join('; '),
  );
}

/** The district formulary, whole, for the target boxes (every enrolled, unrevoked box by default). */
export async function publishFormulary(db: HubDb, items: unknown, target?: string[] | ListTarget): Promise<{ version: number; devices: string[] }> {
  const list = z.array(formularyEntry).min(1).max(MAX_FORMULARY_ITEMS).safeParse(items);
  if (!list.success) refuse(list.error.issues);
  const codes = new Set<string>();
  for (const i of list.data) {
    if (codes.has(i.kfaCode)) throw new DownlinkError('invalid', `KFA code ${i.kfaCode} appears twice`);
    codes.add(i.kfaCode);
  }
  return publishList(db, 'formulary', list.data, asTarget(target));
}

/** The district's referral hospitals, whole, for the target boxes (every enrolled, unrevoked box by default). */
export async function publishHospitals(db: HubDb, items: unknown, target?: string[] | ListTarget): Promise<{ version: number; devices: string[] }> {
  const list = z.array(hospitalEntry).min(1).max(MAX_HOSPITAL_ITEMS).safeParse(items);
  if (!list.success) refuse(list.error.issues);
  const codes = new Set<string>();
  for (const h of list.data) {
    if (codes.has(h.code)) throw new DownlinkError('invalid', `hospital code ${h.code} appears twice`);
    codes.add(h.code);
  }
  return publishList(db, 'hospitals', list.data, asTarget(target));
}

/**
 * A box that never got the newest list meant for it (enrolled after it was published) gets it
 * queued now: for each kind, the newest list whose target takes in the box (every box, its
 * region, or the box by name), when newer than any the box was sent. Called on the box's hello.
 */
export async function catchUpLists(db: HubDb, deviceId: string): Promise<number> {
  const missing = (q: HubQueryable, columns: string) =>
    q.query<{ kind: 'formulary' | 'hospitals'; version: number; items: unknown }>(
      `SELECT DISTINCT ON (l.kind) ${columns} FROM reference_lists l JOIN devices d ON d.id = $1 AND d.revoked_at IS NULL
        WHERE (l.devices IS NULL OR $1 = ANY(l.devices)) AND (l.region IS NULL OR starts_with(d.region_code, l.region))
          AND l.version > coalesce((SELECT max((x.body->>'version')::int) FROM downlink x WHERE x.device_id = $1 AND x.kind = l.kind), 0)
        ORDER BY l.kind, l.version DESC`,
      [deviceId],
    );
  // Every hello asks; almost every answer is "nothing", found without the publishers' lock (a
  // fleet saying hello after a broker restart must not queue up behind it).
  if (!(await missing(db, 'l.kind')).rows.length) return 0;
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(7345002)`);
    const { rows } = await missing(tx, 'l.kind, l.version, l.items');
    for (const r of rows) {
      const item = { id: randomUUID(), kind: r.kind, version: r.version, items: r.items } as DownlinkItem;
      await tx.query(`INSERT INTO downlink (id, device_id, kind, body) VALUES ($1,$2,$3,$4)`, [item.id, deviceId, item.kind, JSON.stringify(item)]);
    }
    return rows.length;
  });
}

/** Asks a box to send its outbox again from a sequence number on. */
export async function requestResend(db: HubQueryable, deviceId: string, fromSeq: number): Promise<string> {
  const id = randomUUID();
  await db.query(`INSERT INTO downlink (id, device_id, kind, body) VALUES ($1,$2,'resend',$3)`, [id, deviceId, JSON.stringify({ id, kind: 'resend', fromSeq })]);
  return id;
}

export async function pendingDownlink(db: HubQueryable, deviceId?: string) {
  const { rows } = await db.query<{ id: string; device_id: string; kind: string; body: DownlinkItem; created_at: unknown; send_count: number }>(
    `SELECT id, device_id, kind, body, created_at, send_count FROM downlink WHERE acked_at IS NULL ${deviceId ? 'AND device_id = $1' : ''} ORDER BY seq`,
    deviceId ? [deviceId] : [],
  );
  return rows;
}

/**
 * Sends and resends. Which boxes have something unacknowledged is kept in memory (read at start
 * and every `pendingRefreshMs`, and marked when this process sends to a box), so the hub asks the
 * database on a box's status only when there is something to send: a query per report was a
 * round trip of the pg driver's JavaScript per status, and almost every answer was "nothing".
 * An item queued elsewhere (the CLI, another hub process) is seen at the next read, well within a
 * box's 60 s between reports; one queued here is sent at once by its caller.
 */
export class Downlink {
  private pendingFor: Set<string> | null = null;
  private reading: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout | null;

  constructor(
    private readonly db: HubDb,
    private readonly publish: (topic: string, frame: Buffer) => Promise<void>,
    private readonly log: Logger,
    private readonly resendAfterMs: number,
    o: { pendingRefreshMs?: number } = {},
  ) {
    void this.refreshPending();
    const every = o.pendingRefreshMs ?? 5000;
    this.timer = every > 0 ? setInterval(() => void this.refreshPending(), every) : null;
    this.timer?.unref();
  }

  /** False only when the box surely has nothing unacknowledged (until the first read: true). */
  mayHavePending(deviceId: string): boolean {
    return this.pendingFor === null || this.pendingFor.has(deviceId);
  }

  /** Reads which boxes have something unacknowledged; never rejects (kept as it was on failure). */
  refreshPending(): Promise<void> {
    this.reading ??= this.db
      .query<{ device_id: string }>(`SELECT DISTINCT device_id FROM downlink WHERE acked_at IS NULL`)
      .then(({ rows }) => {
        this.pendingFor = new Set(rows.map((r) => r.device_id));
      })
      .catch((err) => this.log.warn({ err }, 'downlink: pending boxes not read; trying again'))
      .finally(() => {
        this.reading = null;
      });
    return this.reading;
  }

  close() {
    if (this.timer) clearInterval(this.timer);
  }

  /** Sends what waits for the box: everything on `all` (its hello), else what was not sent lately. */
  async sendPending(deviceId: string, all: boolean): Promise<number> {
    if (all) {
      const queued = await catchUpLists(this.db, deviceId);
      if (queued) this.log.info({ deviceId, lists: queued }, 'downlink: the newest reference lists queued for a box that had not had them');
    }
    const { rows } = await this.db.query<{ body: unknown }>(
      `SELECT body FROM downlink WHERE device_id = $1 AND acked_at IS NULL
          AND ($2 OR sent_at IS NULL OR sent_at < now() - ($3::int * interval '1 millisecond'))
        ORDER BY seq LIMIT 200`,
      [deviceId, all, this.resendAfterMs],
    );
    if (!rows.length) return 0;
    this.pendingFor?.add(deviceId);
    const items: DownlinkItem[] = [];
    for (const r of rows) {
      const p = downlinkItem.safeParse(r.body);
      if (p.success) items.push(p.data);
      else {
        // Its kind and id, not the body: a hospital's answer can carry the patient's clinical details.
        const b = (r.body ?? {}) as { kind?: unknown; id?: unknown };
        const issue = p.error.issues[0];
        this.log.error({ deviceId, kind: b.kind, id: b.id, at: issue?.path.join('.'), problem: issue?.message }, 'downlink: a stored item no longer fits the contract; skipped');
      }
    }
    if (!items.length) return 0;
    await this.publish(topics.down(deviceId), encodeFrame({ v: 1, kind: 'down', items }));
    await this.db.query(`UPDATE downlink SET sent_at = now(), send_count = send_count + 1 WHERE id IN (SELECT (jsonb_array_elements_text($1::jsonb))::uuid)`, [
      JSON.stringify(items.map((i) => i.id)),
    ]);
    this.log.info({ deviceId, items: items.length }, 'downlink: sent to box');
    return items.length;
  }

  async onAck(deviceId: string, frame: Buffer): Promise<boolean> {
    const d = decodeFrame('down-ack', frame);
    if (!d.ok) {
      this.log.warn({ deviceId, reason: d.reason }, 'downlink: invalid acknowledgement rejected');
      return false;
    }
    await this.db.query(
      `UPDATE downlink d SET acked_at = now(), outcome = r.outcome, reason = r.reason
         FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, outcome text, reason text)
        WHERE d.id = r.id AND d.device_id = $1 AND d.acked_at IS NULL`,
      [deviceId, JSON.stringify(d.message.results)],
    );
    for (const r of d.message.results) {
      if (r.outcome === 'rejected') this.log.warn({ deviceId, id: r.id, reason: r.reason }, 'downlink: the box refused an item');
    }
    this.log.info({ deviceId, results: d.message.results.length }, 'downlink: acknowledged by box');
    return true;
  }
}
