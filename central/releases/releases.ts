/**
 * The registered releases as the hub's database holds them (no file access here: the release
 * route reads through this, and stays on web standards; registry.ts adds a bundle).
 */
import { z } from 'zod';
import type { HubQueryable } from '../storage/db.ts';

/** A version update.sh can order (`sort -V`), as build-release.ts makes them. */
export const releaseVersion = z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/, 'expected a version like 0.2.0 or 0.2.0-rc.1');

export interface Release {
  version: string;
  sha256: string;
  bytes: number;
  file: string;
}

export async function getRelease(db: HubQueryable, version: string): Promise<Release | null> {
  const { rows } = await db.query<{ version: string; sha256: string; bytes: string | number; file: string }>(
    `SELECT version, sha256, bytes, file FROM releases WHERE version = $1`,
    [version],
  );
  return rows[0] ? { version: rows[0].version, sha256: rows[0].sha256, bytes: Number(rows[0].bytes), file: rows[0].file } : null;
}

/** True when a rollout assigned `version` to the box and no halt withdrew it: the only release the hub serves it. */
export async function assignedTo(db: HubQueryable, deviceId: string, version: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM rollout_assignments a JOIN rollouts r ON r.id = a.rollout_id JOIN devices d ON d.id = a.device_id
      WHERE a.device_id = $1 AND r.version = $2 AND a.withdrawn_at IS NULL AND d.revoked_at IS NULL LIMIT 1`,
    [deviceId, version],
  );
  return rows.length > 0;
}

/** A registered release as the console lists it. */
export interface ReleaseListed {
  version: string;
  sha256: string;
  bytes: number;
  registeredAt: string;
}

/** The registered releases, newest first (the registry refuses an unsigned bundle: every one carries its signature, which each box verifies). */
export async function listReleases(db: HubQueryable): Promise<ReleaseListed[]> {
  const { rows } = await db.query<{ version: string; sha256: string; bytes: string | number; registered_at: unknown }>(
    `SELECT version, sha256, bytes, registered_at FROM releases ORDER BY registered_at DESC, version DESC LIMIT 200`,
  );
  return rows.map((r) => ({ version: r.version, sha256: r.sha256, bytes: Number(r.bytes), registeredAt: new Date(r.registered_at as string).toISOString() }));
}
