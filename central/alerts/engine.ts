/**
 * Alert evaluation, on the hub's clock: every `evaluateEveryMs` the rules are checked against
 * the registry and the boxes' last reports. An alert is one row per (rule, subject): it fires
 * once (a repeat evaluation finds it already firing), reminds every `remindEveryMs` while it
 * lasts, resolves by itself when the condition ends, and a silence (with an expiry and a reason)
 * keeps it from notifying while it still shows on the console. Notifications go to webhooks in
 * Alertmanager's format; one that fails is sent again at the next evaluation.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { HubDb } from '../storage/db.ts';
import { alertmanagerPayload, postWebhook, type NotifiedAlert } from './alertmanager.ts';
import { HUB_SILENT, inServiceHours, REGION_OFFLINE, RULES, SOFTWARE_BEHIND, versionBehind, type Direction } from './rules.ts';

export interface AlertEngineOptions {
  now?: () => Date;
  /** Alertmanager-format webhook receivers. */
  webhooks?: string[];
  receiver?: string;
  /** The console's address, for generatorURL. */
  externalUrl?: string;
  remindEveryMs?: number;
  /** Local service hours (the box's WIB/WITA/WIT), for box_offline. */
  serviceHours?: { from: number; to: number };
  /** The software version boxes should run; unset: software_behind is not checked. */
  targetVersion?: string;
  /** 0: only by evaluate() (tests). Default 30 s. */
  evaluateEveryMs?: number;
  /** When the hub last received a report (fleet-state), for its self-watch. */
  lastReportAt?: () => Date | null;
}

export interface ActiveAlert {
  rule: string;
  subject: string;
  regionCode: string | null;
  severity: string;
  summary: string;
  value: number | null;
}

export interface AlertRow extends ActiveAlert {
  fingerprint: string;
  state: 'firing' | 'resolved';
  startsAt: string;
  endsAt: string | null;
  lastNotifiedAt: string | null;
  notifications: number;
  silenced: boolean;
}

export const silenceRequest = z
  .object({
    rule: z
      .string()
      .regex(/^[a-z_]{2,40}$/)
      .optional(),
    deviceId: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{2,62}$/)
      .optional(),
    region: z
      .string()
      .regex(/^([0-9]{2}){0,2}$/)
      .default(''),
    reason: z.string().trim().min(3).max(300),
    /** Minutes from now; at most 30 days. */
    minutes: z.coerce
      .number()
      .int()
      .min(1)
      .max(30 * 24 * 60),
  })
  .strict();
export type SilenceRequest = z.input<typeof silenceRequest>;

export const thresholdRequest = z
  .object({
    rule: z.string().regex(/^[a-z_]{2,40}$/),
    /** '' national, 2 digits a province, 4 a district, 'box:<id>' one box. */
    scope: z.string().regex(/^(([0-9]{2}){0,2}|box:[a-z0-9][a-z0-9-]{2,62})$/),
    threshold: z.number().finite().nullable(),
    enabled: z.boolean().default(true),
  })
  .strict();

export const fingerprintOf = (rule: string, subject: string) => createHash('sha256').update(`${rule}|${subject}`).digest('hex').slice(0, 16);

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

export class AlertEngine {
  readonly now: () => Date;
  private readonly startedAt: Date;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  /** Firing alerts per rule, after the last evaluation (for /metrics). */
  firingByRule = new Map<string, number>();
  lastEvaluationAt: Date | null = null;

  constructor(
    private readonly db: HubDb,
    private readonly log: Logger,
    private readonly o: AlertEngineOptions = {},
  ) {
    this.now = o.now ?? (() => new Date());
    this.startedAt = this.now();
    const every = o.evaluateEveryMs ?? 30_000;
    if (every > 0) {
      this.timer = setInterval(() => void this.evaluate().catch((err) => log.error({ err }, 'alerts: evaluation failed')), every);
      this.timer.unref();
    }
  }

  async setThreshold(input: z.input<typeof thresholdRequest>) {
    const t = thresholdRequest.parse(input);
    await this.db.query(
      `INSERT INTO alert_thresholds (rule, scope, threshold, enabled) VALUES ($1,$2,$3,$4) ON CONFLICT (rule, scope) DO UPDATE SET threshold = EXCLUDED.threshold, enabled = EXCLUDED.enabled`,
      [t.rule, t.scope, t.threshold, t.enabled],
    );
  }

  async silence(input: SilenceRequest, by: string): Promise<{ id: number; endsAt: string }> {
    const s = silenceRequest.parse(input);
    const now = this.now();
    const endsAt = new Date(now.getTime() + s.minutes * 60_000).toISOString();
    const { rows } = await this.db.query<{ id: string }>(
      `INSERT INTO alert_silences (rule, device_id, region_prefix, reason, created_by, created_at, ends_at) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`,
      [s.rule ?? null, s.deviceId ?? null, s.region, s.reason, by, now.toISOString(), endsAt],
    );
    return { id: Number(rows[0].id), endsAt };
  }

  async listSilences(activeOnly = true) {
    const { rows } = await this.db.query<{
      id: string;
      rule: string | null;
      device_id: string | null;
      region_prefix: string;
      reason: string;
      created_by: string;
      created_at: unknown;
      ends_at: unknown;
    }>(`SELECT * FROM alert_silences ${activeOnly ? 'WHERE ends_at > $1' : 'WHERE $1::timestamptz IS NOT NULL'} ORDER BY id`, [this.now().toISOString()]);
    return rows.map((r) => ({
      id: Number(r.id),
      rule: r.rule,
      deviceId: r.device_id,
      region: r.region_prefix,
      reason: r.reason,
      createdBy: r.created_by,
      createdAt: iso(r.created_at)!,
      endsAt: iso(r.ends_at)!,
    }));
  }

  /** Alerts for the console; `region` limits to a region's boxes and districts, `subject` to one box's. */
  async list(o: { state?: 'firing' | 'resolved'; region?: string; subject?: string; limit?: number } = {}): Promise<AlertRow[]> {
    const silences = await this.listSilences();
    const { rows } = await this.db.query<{
      fingerprint: string;
      rule: string;
      subject: string;
      region_code: string | null;
      severity: string;
      summary: string;
      value: number | null;
      state: 'firing' | 'resolved';
      starts_at: unknown;
      ends_at: unknown;
      last_notified_at: unknown;
      notifications: number;
    }>(
      `SELECT * FROM alerts WHERE ($1::text IS NULL OR state = $1) AND coalesce(region_code, '') LIKE $2 AND ($4::text IS NULL OR subject = $4) ORDER BY state, starts_at DESC LIMIT $3`,
      [o.state ?? null, (o.region ?? '') + '%', o.limit ?? 500, o.subject ?? null],
    );
    return rows.map((r) => ({
      fingerprint: r.fingerprint,
      rule: r.rule,
      subject: r.subject,
      regionCode: r.region_code,
      severity: r.severity,
      summary: r.summary,
      value: r.value,
      state: r.state,
      startsAt: iso(r.starts_at)!,
      endsAt: iso(r.ends_at),
      lastNotifiedAt: iso(r.last_notified_at),
      notifications: r.notifications,
      silenced: silences.some((s) => matches(s, r.rule, r.subject, r.region_code)),
    }));
  }

  evaluate(): Promise<{ fired: number; resolved: number; notified: number }> {
    const r = this.running.then(() => this.evaluateNow());
    this.running = r.catch(() => {});
    return r;
  }

  /** What is wrong now, as (rule, subject) → alert. */
  private async conditions(now: Date): Promise<Map<string, ActiveAlert>> {
    const active = new Map<string, ActiveAlert>();
    const put = (a: ActiveAlert) => active.set(fingerprintOf(a.rule, a.subject), a);
    const { rows: th } = await this.db.query<{ rule: string; scope: string; threshold: number | null; enabled: boolean }>(
      `SELECT rule, scope, threshold, enabled FROM alert_thresholds`,
    );
    const scoped = new Map<string, { threshold: number | null; enabled: boolean }>(th.map((t) => [`${t.rule}|${t.scope}`, t]));
    /** The threshold for a box: its own, its district's, its province's, the nation's, the default; null if the rule is off there. */
    const thresholdFor = (rule: string, def: number, deviceId: string | null, region: string | null): number | null => {
      for (const scope of [deviceId ? `box:${deviceId}` : null, region?.slice(0, 4), region?.slice(0, 2), '']) {
        if (scope == null || (scope !== '' && scope.length !== 2 && scope.length !== 4 && !scope.startsWith('box:'))) continue;
        const t = scoped.get(`${rule}|${scope}`);
        if (t) return t.enabled ? (t.threshold ?? def) : null;
      }
      return def;
    };
    const loosest = (rule: string, def: number, dir: Direction) => {
      const all = [def, ...th.filter((t) => t.rule === rule && t.enabled && t.threshold != null).map((t) => t.threshold!)];
      return dir === 'above' ? Math.min(...all) : Math.max(...all);
    };
    const hours = this.o.serviceHours ?? { from: 7, to: 17 };
    for (const rule of RULES) {
      const { rows } = await this.db.query<{ subject: string; region_code: string | null; value: number }>(rule.sql, [
        loosest(rule.id, rule.threshold, rule.direction),
        now.toISOString(),
      ]);
      for (const r of rows) {
        const t = thresholdFor(rule.id, rule.threshold, r.subject, r.region_code);
        if (t == null || !(rule.direction === 'above' ? r.value > t : r.value < t)) continue;
        if (rule.id === 'box_offline' && !inServiceHours(now, r.region_code, hours)) continue;
        put({ rule: rule.id, subject: r.subject, regionCode: r.region_code, severity: rule.severity, summary: rule.summary(r.value, t), value: r.value });
      }
    }
    const target = this.o.targetVersion;
    if (target) {
      const { rows } = await this.db.query<{ id: string; region_code: string | null; sw: string }>(
        `SELECT d.id, d.region_code, s.sw FROM devices d JOIN box_state s ON s.device_id = d.id WHERE d.revoked_at IS NULL AND s.sw IS NOT NULL AND s.sw <> $1`,
        [target],
      );
      for (const r of rows) {
        if (!versionBehind(r.sw, target) || thresholdFor(SOFTWARE_BEHIND.id, 0, r.id, r.region_code) == null) continue;
        put({
          rule: SOFTWARE_BEHIND.id,
          subject: r.id,
          regionCode: r.region_code,
          severity: SOFTWARE_BEHIND.severity,
          summary: `Perangkat lunak ${r.sw}, target ${target} / software ${r.sw} behind target ${target}`,
          value: null,
        });
      }
    }
    // A district with more than N% of its boxes offline: one alert for the district.
    const { rows: districts } = await this.db.query<{ code: string; offline: number; total: number }>(
      `SELECT left(d.region_code, 4) AS code, count(*) FILTER (WHERE s.state = 'offline')::int AS offline, count(*)::int AS total
         FROM devices d LEFT JOIN box_state s ON s.device_id = d.id
        WHERE d.revoked_at IS NULL AND d.region_code IS NOT NULL GROUP BY 1 HAVING count(*) >= $1`,
      [REGION_OFFLINE.minBoxes],
    );
    for (const r of districts) {
      const t = thresholdFor(REGION_OFFLINE.id, REGION_OFFLINE.threshold, null, r.code);
      const pct = (100 * r.offline) / r.total;
      if (t == null || !(pct > t)) continue;
      put({
        rule: REGION_OFFLINE.id,
        subject: `region:${r.code}`,
        regionCode: r.code,
        severity: REGION_OFFLINE.severity,
        summary: `${r.offline} dari ${r.total} kotak di kabupaten/kota ${r.code} mati (${Math.round(pct)}%, batas ${t}%) / ${r.offline} of ${r.total} boxes of district ${r.code} offline`,
        value: pct,
      });
    }
    // The hub's self-watch: boxes report every minute; none for N minutes means the hub, its broker or its network is at fault.
    const last = this.o.lastReportAt?.() ?? null;
    const silentMin = (now.getTime() - (last ?? this.startedAt).getTime()) / 60_000;
    if (this.o.lastReportAt && silentMin > HUB_SILENT.threshold) {
      const { rows } = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM devices WHERE revoked_at IS NULL AND last_seen_at IS NOT NULL`);
      if (rows[0].n > 0)
        put({
          rule: HUB_SILENT.id,
          subject: 'hub',
          regionCode: null,
          severity: HUB_SILENT.severity,
          summary: `Pusat tidak menerima laporan apa pun selama ${Math.round(silentMin)} menit / the hub received no report for ${Math.round(silentMin)} min`,
          value: silentMin,
        });
    }
    return active;
  }

  private async evaluateNow() {
    const now = this.now();
    const at = now.toISOString();
    const active = await this.conditions(now);
    const { rows: firing } = await this.db.query<{ fingerprint: string }>(`SELECT fingerprint FROM alerts WHERE state = 'firing'`);
    const wasFiring = new Set(firing.map((r) => r.fingerprint));
    const fresh = [...active].filter(([fp]) => !wasFiring.has(fp)).map(([fp, a]) => ({ fp, ...a }));
    const gone = [...wasFiring].filter((fp) => !active.has(fp));
    const still = [...active].filter(([fp]) => wasFiring.has(fp)).map(([fp, a]) => ({ fp, summary: a.summary, value: a.value }));
    await this.db.transaction(async (tx) => {
      if (fresh.length)
        await tx.query(
          `INSERT INTO alerts (fingerprint, rule, subject, region_code, severity, summary, value, state, starts_at)
           SELECT fp, rule, subject, "regionCode", severity, summary, value, 'firing', $2 FROM jsonb_to_recordset($1::jsonb)
             AS r(fp text, rule text, subject text, "regionCode" text, severity text, summary text, value float8)
           ON CONFLICT (fingerprint) DO UPDATE SET state = 'firing', starts_at = $2, ends_at = NULL, summary = EXCLUDED.summary, value = EXCLUDED.value,
             region_code = EXCLUDED.region_code, severity = EXCLUDED.severity, last_notified_at = NULL, notified_state = NULL, notifications = 0`,
          [JSON.stringify(fresh), at],
        );
      if (still.length)
        await tx.query(
          `UPDATE alerts a SET summary = r.summary, value = r.value FROM jsonb_to_recordset($1::jsonb) AS r(fp text, summary text, value float8) WHERE a.fingerprint = r.fp`,
          [JSON.stringify(still)],
        );
      if (gone.length) await tx.query(`UPDATE alerts SET state = 'resolved', ends_at = $2 WHERE fingerprint = ANY($1::text[])`, [gone, at]);
    });
    for (const a of fresh) this.log.info({ rule: a.rule, subject: a.subject }, 'alert firing');
    this.firingByRule = new Map();
    for (const a of active.values()) this.firingByRule.set(a.rule, (this.firingByRule.get(a.rule) ?? 0) + 1);
    this.lastEvaluationAt = now;
    const notified = await this.notify(now);
    return { fired: fresh.length, resolved: gone.length, notified };
  }

  /** Sends what is due: new and reminded firing alerts, and resolutions of alerts that were notified. */
  private async notify(now: Date): Promise<number> {
    const hooks = this.o.webhooks ?? [];
    if (!hooks.length) return 0;
    const remindBefore = new Date(now.getTime() - (this.o.remindEveryMs ?? 4 * 3_600_000)).toISOString();
    const silences = await this.listSilences();
    const { rows } = await this.db.query<{
      fingerprint: string;
      rule: string;
      subject: string;
      region_code: string | null;
      severity: string;
      summary: string;
      state: 'firing' | 'resolved';
      starts_at: unknown;
      ends_at: unknown;
    }>(
      `SELECT fingerprint, rule, subject, region_code, severity, summary, state, starts_at, ends_at FROM alerts
        WHERE (state = 'firing' AND (notified_state IS DISTINCT FROM 'firing' OR last_notified_at < $1))
           OR (state = 'resolved' AND notified_state = 'firing')
        ORDER BY starts_at LIMIT 5000`,
      [remindBefore],
    );
    const due = rows.filter((r) => r.state === 'resolved' || !silences.some((s) => matches(s, r.rule, r.subject, r.region_code)));
    const byRule = new Map<string, typeof due>();
    for (const r of due) byRule.set(r.rule, [...(byRule.get(r.rule) ?? []), r]);
    let sent = 0;
    for (const [rule, list] of byRule) {
      const alerts: NotifiedAlert[] = list.map((r) => ({
        fingerprint: r.fingerprint,
        status: r.state,
        labels: {
          alertname: r.rule,
          severity: r.severity,
          ...(r.subject.startsWith('region:') || r.subject === 'hub' ? {} : { device: r.subject }),
          ...(r.region_code ? { region: r.region_code, province: r.region_code.slice(0, 2) } : {}),
        },
        annotations: { summary: r.summary },
        startsAt: iso(r.starts_at)!,
        endsAt: iso(r.ends_at),
      }));
      const payload = alertmanagerPayload({ receiver: this.o.receiver ?? 'simpul', externalURL: this.o.externalUrl ?? '', rule, alerts });
      const oks = await Promise.all(hooks.map((h) => postWebhook(h, payload)));
      if (!oks.some(Boolean)) {
        this.log.warn({ rule, alerts: alerts.length }, 'alerts: no webhook took the notification; trying again at the next evaluation');
        continue;
      }
      const shown = payload.alerts.map((a) => a.fingerprint);
      await this.db.query(`UPDATE alerts SET last_notified_at = $2, notified_state = state, notifications = notifications + 1 WHERE fingerprint = ANY($1::text[])`, [
        shown,
        now.toISOString(),
      ]);
      sent += shown.length;
    }
    return sent;
  }

  async close() {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}

function matches(s: { rule: string | null; deviceId: string | null; region: string }, rule: string, subject: string, region: string | null): boolean {
  return (!s.rule || s.rule === rule) && (!s.deviceId || s.deviceId === subject) && (region ?? '').startsWith(s.region);
}
