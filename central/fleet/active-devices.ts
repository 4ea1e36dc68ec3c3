/**
 * Which boxes may speak, answered from memory for every message the hub receives: a query per
 * message was a round trip of the pg driver's JavaScript per status report (22,400 boxes are
 * ~370 reports/s). A box is looked up in the database once, the first time it speaks after the
 * hub starts (so a box enrolled since needs no event); the revoked ones are read at start and
 * every `refreshEveryMs` (a revocation made elsewhere: the CLI, another hub process), and this
 * process's own revocations are marked at once (`markRevoked`). A revocation is never undone
 * (a revoked box is enrolled again under a new id), so the revoked set only grows.
 */
import type { Logger } from 'pino';
import type { HubQueryable } from '../storage/db.ts';
import { activeDevice } from './devices.ts';

/** An unknown id is asked again after this long (it may be enrolling just now). */
const UNKNOWN_FOR_MS = 5000;

export class ActiveDevices {
  private readonly enrolled = new Set<string>();
  private readonly revoked = new Set<string>();
  private readonly unknown = new Map<string, number>();
  private readonly timer: NodeJS.Timeout | null;
  private refreshing: Promise<void> | null = null;
  private readonly ready: Promise<void>;

  constructor(
    private readonly db: HubQueryable,
    private readonly log: Logger,
    o: { refreshEveryMs?: number; now?: () => number } = {},
  ) {
    this.now = o.now ?? Date.now;
    this.ready = this.refresh();
    const every = o.refreshEveryMs ?? 5000;
    this.timer = every > 0 ? setInterval(() => void this.refresh(), every) : null;
    this.timer?.unref();
  }

  private readonly now: () => number;

  /** Reads the revoked boxes again; never rejects (a failed read is logged and tried at the next). */
  refresh(): Promise<void> {
    this.refreshing ??= this.db
      .query<{ id: string }>(`SELECT id FROM devices WHERE revoked_at IS NOT NULL`)
      .then(({ rows }) => {
        for (const r of rows) this.markRevoked(r.id);
      })
      .catch((err) => this.log.warn({ err }, 'active devices: revoked boxes not read; trying again'))
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  /** This process revoked the box: refused from the next message on. */
  markRevoked(deviceId: string) {
    this.revoked.add(deviceId);
    this.enrolled.delete(deviceId);
  }

  async isActive(deviceId: string): Promise<boolean> {
    await this.ready;
    if (this.revoked.has(deviceId)) return false;
    if (this.enrolled.has(deviceId)) return true;
    const askedAt = this.unknown.get(deviceId);
    if (askedAt !== undefined && this.now() - askedAt < UNKNOWN_FOR_MS) return false;
    const ok = await activeDevice(this.db, deviceId);
    // Revoked while the query ran: the revocation wins.
    if (this.revoked.has(deviceId)) return false;
    if (ok) {
      this.enrolled.add(deviceId);
      this.unknown.delete(deviceId);
    } else this.unknown.set(deviceId, this.now());
    return ok;
  }

  close() {
    if (this.timer) clearInterval(this.timer);
  }
}
