import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../provisioning/cli.ts';
import { postgresHubDb } from '../central/storage/db.ts';
import { authenticateDevice } from '../central/fleet/devices.ts';
import { syncSettingsSchema } from '../appliance/sync/settings.ts';
import { POSTGRES_URL } from '../central/testing/stack.ts';

const schema = `sync_prov_${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'simpul-prov-'));
const env = { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema };

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const c = new pg.Client({ connectionString: POSTGRES_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
});

describe('provisioning CLI', () => {
  it('enrols a box (secret only hashed at the hub, config written 0600) and revokes it', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const out = join(dir, 'box.json');
    expect(await main(['enrol', '--facility', '0112P001', '--name', 'Puskesmas Uji', '--mqtt-url', 'mqtts://hub.example:8883', '--out', out], env)).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const cfg = JSON.parse(readFileSync(out, 'utf8'));
    expect(syncSettingsSchema.parse(cfg).deviceId).toMatch(/^0112p001-[0-9a-f]{6}$/);
    const db = await postgresHubDb(POSTGRES_URL, { schema });
    try {
      const row = (await db.query<{ secret_hash: string }>(`SELECT secret_hash FROM devices WHERE id = $1`, [cfg.deviceId])).rows[0];
      expect(row.secret_hash).toMatch(/^scrypt\$/);
      expect(row.secret_hash).not.toContain(cfg.deviceSecret);
      expect(await authenticateDevice(db, cfg.deviceId, cfg.deviceSecret)).toBe(true);
      expect(await main(['revoke', cfg.deviceId], env)).toBe(0);
      expect(await authenticateDevice(db, cfg.deviceId, cfg.deviceSecret)).toBe(false);
    } finally {
      await db.close();
    }
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await main(['enrol', '--facility', 'bad', '--mqtt-url', 'x', '--out', out], env)).toBe(2);
  });
});
