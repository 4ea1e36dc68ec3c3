/**
 * The district's reference lists from the centre to a production box (no demo seed): imported
 * from CSV with the hub's CLI, queued for the boxes of one region, applied once on the box.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openMemoryDatabase } from '../appliance/storage/database.ts';
import { GroupCommitDb } from '../appliance/storage/group-commit.ts';
import { listHospitals } from '../appliance/clinic/hospitals.ts';
import { referenceDataStatus } from '../appliance/clinic/reference-data.ts';
import { startSync } from '../appliance/sync/index.ts';
import { main as hubCli } from '../central/cli.ts';
import { publishHospitals } from '../central/downlink/downlink.ts';
import { quietLog, startStack, type Stack, type StackKind } from '../central/testing/stack.ts';
import { until } from './support/wait.ts';

const stacks: StackKind[] = ['embedded+pglite', 'mosquitto+postgres'];

describe.each(stacks)('reference lists on %s', (kind) => {
  let stack: Stack;
  const dir = mkdtempSync(join(tmpdir(), 'simpul-refdata-'));
  beforeAll(async () => {
    stack = await startStack(kind);
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The CLI against the running hub; what it printed. */
  async function cli(...args: string[]) {
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    const err = vi.spyOn(console, 'error').mockImplementation((...a) => void out.push(a.join(' ')));
    try {
      const code = await hubCli([...args, '--hub-url', stack.hub.url], { SIMPUL_HUB_ADMIN_TOKEN: stack.adminToken });
      return { code, out: out.join('\n') };
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  }
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('a production box gets the hospitals and formulary of its region from CSV; a bad CSV queues nothing and names the line', async () => {
    const inKupang = await stack.enrol('kupang');
    const elsewhere = await stack.enrol('tts');
    await stack.db.query(`UPDATE devices SET region_code = $2 WHERE id = $1`, [inKupang.deviceId, '5301']);
    await stack.db.query(`UPDATE devices SET region_code = $2 WHERE id = $1`, [elsewhere.deviceId, '5302']);
    const box = new GroupCommitDb(await openMemoryDatabase());
    const sync = await startSync({
      db: box,
      log: quietLog(),
      config: {
        mqttUrl: stack.mqttUrl,
        deviceId: inKupang.deviceId,
        deviceSecret: inKupang.secret,
        facility: { code: '0112P001' },
        timeZone: 'Asia/Makassar',
        syncPollMs: 50,
        syncStatusIntervalMs: 300,
      },
    });
    try {
      await until('the box to connect', async () => (await sync.stats()).connected);
      expect(await referenceDataStatus(box)).toMatchObject({ hospitals: 0, medicines: 0 });
      const queued = async (deviceId: string) => (await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM downlink WHERE device_id = $1`, [deviceId])).rows[0].n;

      const bad = await cli(
        'hospitals',
        file('bad.csv', 'code,name,specialties,accepts_emergency\n5301R001,RSUD Prof. Dr. W. Z. Johannes,Penyakit Dalam|Anak,ya\n5301R002,R,Bedah,ya\n'),
        '--region',
        '5301',
      );
      expect(bad.code).toBe(1);
      expect(bad.out).toMatch(/baris 3, kolom name/);
      expect(await queued(inKupang.deviceId)).toBe(0);

      const hospitals = await cli(
        'hospitals',
        file('rs.csv', 'code;name;specialties;accepts_emergency\n5301R001;RSUD Prof. Dr. W. Z. Johannes;Penyakit Dalam|Anak|Bedah;ya\n5301R002;RS Leona;Anak;tidak\n'),
        '--region',
        '5301',
      );
      expect(hospitals.code, hospitals.out).toBe(0);
      const formulary = await cli('formulary', file('obat.csv', 'kfa_code,name,strength,form,unit,active\n93001234,Parasetamol,500 mg,tablet,tablet,ya\n'), '--region', '53');
      expect(formulary.code, formulary.out).toBe(0);
      expect(await queued(elsewhere.deviceId)).toBe(1); // the province's formulary, not Kupang's hospitals

      await until('the hospitals on the box', async () => (await listHospitals(box)).length === 2);
      expect(await listHospitals(box)).toEqual([
        { code: '5301R002', name: 'RS Leona', specialties: ['Anak'], acceptsEmergency: false },
        { code: '5301R001', name: 'RSUD Prof. Dr. W. Z. Johannes', specialties: ['Penyakit Dalam', 'Anak', 'Bedah'], acceptsEmergency: true },
      ]);
      await until(
        'both lists acknowledged',
        async () => (await stack.db.query(`SELECT 1 FROM downlink WHERE device_id = $1 AND outcome = 'applied'`, [inKupang.deviceId])).rows.length === 2,
      );
      expect(await referenceDataStatus(box)).toMatchObject({ hospitals: 2, hospitalListVersion: expect.any(Number), medicines: 1, medicinesInStock: 0 });

      const unknownRegion = await cli('hospitals', file('rs.csv', 'code,name,specialties,accepts_emergency\n5301R001,RSUD,Anak,ya\n'), '--region', '9999');
      expect(unknownRegion.code).toBe(1);
      expect(unknownRegion.out).toMatch(/no enrolled, unrevoked box in region 9999/);
    } finally {
      await sync.close();
      await box.close();
    }
  });

  it('a box enrolled after a list was published gets the newest one meant for it on its first hello, once', async () => {
    const first = await stack.enrol('sikka-1');
    await stack.db.query(`UPDATE devices SET region_code = '5310' WHERE id = $1`, [first.deviceId]);
    const rs = (name: string) => [{ code: '5310R001', name, specialties: ['Anak'], acceptsEmergency: true }];
    await publishHospitals(stack.db, rs('RSUD dr. T. C. Hillers'), { region: '5310' });
    const { version } = await publishHospitals(stack.db, rs('RSUD dr. T. C. Hillers Maumere'), { region: '5310' });
    await publishHospitals(stack.db, rs('RS elsewhere'), [first.deviceId]); // meant for that box only

    const later = await stack.enrol('sikka-2');
    await stack.db.query(`UPDATE devices SET region_code = '5310' WHERE id = $1`, [later.deviceId]);
    const box = new GroupCommitDb(await openMemoryDatabase());
    const sync = await startSync({
      db: box,
      log: quietLog(),
      config: {
        mqttUrl: stack.mqttUrl,
        deviceId: later.deviceId,
        deviceSecret: later.secret,
        facility: { code: '0112P001' },
        timeZone: 'Asia/Makassar',
        syncPollMs: 50,
        syncStatusIntervalMs: 300,
      },
    });
    try {
      await until('the list on the later box', async () => (await listHospitals(box))[0]?.name === 'RSUD dr. T. C. Hillers Maumere');
      expect((await referenceDataStatus(box)).hospitalListVersion).toBe(version);
      await stack.hub.downlink.sendPending(later.deviceId, true); // another hello: nothing queued again
      // The newest district list, once (not the older one, not the one meant for another box).
      const queued = await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM downlink WHERE device_id = $1 AND kind = 'hospitals'`, [later.deviceId]);
      expect(queued.rows[0].n).toBe(1);
    } finally {
      await sync.close();
      await box.close();
    }
  });
});
