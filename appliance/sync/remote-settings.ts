/**
 * Sync settings the hub changed by a remote job (bandwidth cap, night window). Kept in the box's
 * database so they outlive a restart, and applied over the config file's values at start; the
 * uplink reads them from the live settings object each time it sends, so a change takes effect
 * at the next batch.
 */
import type { Queryable } from '../clinic/db.ts';
import { syncSettingsShape, type SyncSettings } from './settings.ts';

export interface RemoteSyncSettings {
  bandwidthKbps?: number;
  /** null clears the window (bulk records at any time). */
  nightWindow?: string | null;
}

/** Checks a change with the box's own setting rules; the reason in English when refused. */
export function checkRemoteSettings(change: RemoteSyncSettings): string | null {
  if (change.bandwidthKbps !== undefined && !syncSettingsShape.syncBandwidthKbps.safeParse(change.bandwidthKbps).success) return 'bandwidthKbps must be 0 or more';
  if (change.nightWindow != null && !syncSettingsShape.syncNightWindow.safeParse(change.nightWindow).success) return 'nightWindow must be "HH:MM-HH:MM"';
  return null;
}

export async function saveRemoteSettings(db: Queryable, change: RemoteSyncSettings): Promise<void> {
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) continue;
    await db.query(`INSERT INTO sync_overrides (key, value, set_at) VALUES ($1, $2, now()) ON CONFLICT (key) DO UPDATE SET value = excluded.value, set_at = now()`, [
      key,
      JSON.stringify(value),
    ]);
  }
}

export async function readRemoteSettings(db: Queryable): Promise<RemoteSyncSettings> {
  const { rows } = await db.query<{ key: string; value: unknown }>(`SELECT key, value FROM sync_overrides`);
  const out: RemoteSyncSettings = {};
  for (const r of rows) {
    if (r.key === 'bandwidthKbps' && typeof r.value === 'number') out.bandwidthKbps = r.value;
    if (r.key === 'nightWindow' && (r.value === null || typeof r.value === 'string')) out.nightWindow = r.value;
  }
  return checkRemoteSettings(out) ? {} : out;
}

/** Puts a change into the live settings the uplink reads. */
export function applyToSettings(s: SyncSettings, change: RemoteSyncSettings): void {
  if (change.bandwidthKbps !== undefined) s.syncBandwidthKbps = change.bandwidthKbps;
  if (change.nightWindow !== undefined) s.syncNightWindow = change.nightWindow ?? undefined;
}
