import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { openMemoryHubDatabase, type HubDb } from '../storage/db.ts';
import type { BoxStatus } from '../contract/index.ts';
import { FleetState, type StateChange } from './fleet-state.ts';
import { countsByRegion, listBoxes } from './box-list.ts';
import { importFacilityRegionsCsv, importRegionsCsv, setTags } from './regions.ts';

const v1 = (pending = 0): BoxStatus => ({
  v: 1,
  kind: 'status',
  at: '2026-12-03T00:00:00.000Z',
  hello: false,
  pending,
  parked: 0,
  bytesPending: 0,
  oldestPendingAgeSeconds: null,
  lastSyncAt: null,
  lastError: null,
});

describe('fleet state (hub-decided, injected clock)', () => {
  let db: HubDb;
  let t = Date.parse('2026-12-03T01:00:00Z');
  const now = () => new Date(t);
  let fleet: FleetState;
  const changes: StateChange[] = [];
  beforeAll(async () => {
    db = await openMemoryHubDatabase();
    for (const [id, fac] of [
      ['box-a', 'P5301010101'],
      ['box-b', 'F-KUPANG-2'],
      ['box-c', 'F-SUMBA-1'],
      ['box-d', 'F-JKT-1'],
    ])
      await db.query(`INSERT INTO devices (id, secret_hash, facility_code) VALUES ($1, 'x', $2)`, [id, fac]);
    fleet = new FleetState(db, pino({ level: 'silent' }), { now, sweepEveryMs: 0, flushEveryMs: 0 });
    fleet.onChange((c) => changes.push(...c));
  });
  afterAll(async () => {
    await fleet.close();
    await db.close();
  });

  it('imports regions and the facility list from CSV, and refuses a wrong line with its number', async () => {
    expect(await importRegionsCsv(db, 'code,name\n53,Nusa Tenggara Timur\n5301,Kab. Kupang\n5311,"Kab. Sumba Timur"\n31,DKI Jakarta\n3171,Kota Jakarta Selatan\n')).toEqual({
      imported: 5,
      errors: [],
    });
    const bad = await importRegionsCsv(db, 'code,name\n531,Salah\n');
    expect(bad.imported).toBe(0);
    expect(bad.errors[0]).toMatch(/^Baris 2: .*line 2/);
    expect(await importFacilityRegionsCsv(db, 'facility_code,region_code\nF-KUPANG-2,5301\nF-SUMBA-1,5311\nF-JKT-1,3171\n')).toEqual({ imported: 3, errors: [] });
    const { rows } = await db.query<{ id: string; region_code: string }>(`SELECT id, region_code FROM devices ORDER BY id`);
    // box-a from its Kemenkes-style facility code (P + kode wilayah).
    expect(rows.map((r) => r.region_code)).toEqual(['5301', '5301', '5311', '3171']);
    expect(await setTags(db, 'box-b', ['pulau', 'solar'])).toBe(true);
  });

  it('a report makes a box online; silence makes it stale then offline by the hub sweep, with reason and since', async () => {
    fleet.report('box-a', v1(3));
    fleet.report('box-b', v1());
    await fleet.flush();
    expect(
      changes
        .splice(0)
        .map((c) => `${c.deviceId}:${c.from}->${c.to}`)
        .sort(),
    ).toEqual(['box-a:never_seen->online', 'box-b:never_seen->online']);
    t += 60_000;
    fleet.report('box-b', v1());
    t += 50_000; // box-a silent 110 s
    expect((await fleet.sweep()).map((c) => `${c.deviceId}:${c.to}`)).toEqual(['box-a:stale']);
    t += 45_000; // 155 s
    const off = await fleet.sweep();
    expect(off).toMatchObject([{ deviceId: 'box-a', from: 'stale', to: 'offline', reason: 'silent', at: new Date(t).toISOString() }]);
    const list = await listBoxes(db, { region: '53', sort: 'id' });
    expect(list.boxes.map((b) => [b.id, b.state])).toEqual([
      ['box-a', 'offline'],
      ['box-b', 'online'],
      ['box-c', 'never_seen'],
    ]);
    expect(list.boxes[0]).toMatchObject({ reason: 'silent', since: new Date(t).toISOString() });
    // Back: online again, reason says so.
    fleet.report('box-a', v1());
    await fleet.flush();
    expect(
      changes
        .splice(0)
        .filter((c) => c.to === 'online')
        .map((c) => `${c.deviceId}:${c.from}`),
    ).toEqual(['box-a:offline']);
    expect((await listBoxes(db, { q: 'box-a' })).boxes[0]).toMatchObject({ state: 'online', reason: 'reporting_again' });
  });

  it('filters by province, district, state and tag; counts by state per region', async () => {
    expect((await listBoxes(db, { region: '5301', state: 'online', sort: 'id' })).boxes.map((b) => b.id)).toEqual(['box-a', 'box-b']);
    expect((await listBoxes(db, { tag: 'pulau' })).boxes.map((b) => b.id)).toEqual(['box-b']);
    expect((await listBoxes(db, { region: '31' })).total).toBe(1);
    const prov = await countsByRegion(db, '');
    expect(prov.find((p) => p.code === '53')).toMatchObject({ name: 'Nusa Tenggara Timur', total: 3, counts: { online: 2, never_seen: 1 } });
    const districts = await countsByRegion(db, '53');
    expect(districts.map((d) => [d.code, d.name, d.total])).toEqual([
      ['5301', 'Kab. Kupang', 2],
      ['5311', 'Kab. Sumba Timur', 1],
    ]);
  });

  it('a revoked box is revoked, and stays so when it reports', async () => {
    await db.query(`UPDATE devices SET revoked_at = now() WHERE id = 'box-b'`);
    expect((await fleet.sweep()).filter((c) => c.to === 'revoked').map((c) => `${c.deviceId}:${c.from}`)).toEqual(['box-b:online']);
    fleet.report('box-b', v1());
    await fleet.flush();
    expect((await listBoxes(db, { q: 'box-b' })).boxes[0].state).toBe('revoked');
  });
});
