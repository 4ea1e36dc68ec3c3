import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBox, type TestBox } from '../testing.ts';
import { createStaff } from '../../clinic/staff.ts';
import { writeClinicMonth } from '../../../test/support/clinic-month.ts';

type Json = Record<string, any>;

describe('the report API on a production box (no demo seed)', () => {
  let box: TestBox;
  let admin: Awaited<ReturnType<TestBox['login']>>;
  let nurse: Awaited<ReturnType<TestBox['login']>>;
  beforeAll(async () => {
    box = await testBox({}, undefined, { demo: false });
    await createStaff(box.db, { username: 'kepala', fullName: 'Kepala Puskesmas', role: 'admin', password: 'kelapa-muda-di-pantai-9' });
    await createStaff(box.db, { username: 'ners.sari', fullName: 'Ns. Sari', role: 'nurse', password: 'kelapa-muda-di-pantai-8' });
    await createStaff(box.db, { username: 'dokter.b', fullName: 'dr. Bagus', role: 'doctor', password: 'kelapa-muda-di-pantai-7' });
    await writeClinicMonth(box.db, { month: '2025-03', visits: 120, seed: 3 });
    admin = await box.login('kepala', 'kelapa-muda-di-pantai-9');
    nurse = await box.login('ners.sari', 'kelapa-muda-di-pantai-8');
  });
  afterAll(() => box.close());

  it('answers a month as JSON, a day too; the read is in the audit trail', async () => {
    const res = await admin('/api/v1/reports/2025-03');
    expect(res.status).toBe(200);
    const r = (await res.json()) as Json;
    expect(r).toMatchObject({ period: '2025-03', kind: 'month', firstDay: '2025-03-01', lastDay: '2025-03-31' });
    expect(r.visitsByPoli.reduce((n: number, v: Json) => n + v.visits, 0)).toBe(120);
    expect(r.lb1.rows.length).toBeGreaterThan(3);
    expect((await admin('/api/v1/reports/2025-03-04')).status).toBe(200);
    const { rows } = await box.db.query<{ detail: string }>(`SELECT detail FROM audit_log WHERE entity = 'report' ORDER BY id`);
    expect(rows.map((x) => x.detail)).toEqual(['2025-03', '2025-03-04']);
  });

  it('CSV for Excel: BOM, semicolons and decimal commas by default; commas on request; headers in the language asked', async () => {
    const res = await admin('/api/v1/reports/2025-03?format=csv&section=times');
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toContain('laporan-2025-03-times.csv');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    const [head, first] = text.split('\r\n');
    expect(head.split(';')[0]).toBe('Kode poli');
    expect(first.split(';').length).toBe(9);
    expect(first).toMatch(/;\d+,\d/); // a decimal comma
    const en = await (await admin('/api/v1/reports/2025-03?format=csv&section=lb1&separator=comma&lang=en')).text();
    expect(en.split('\r\n')[0]).toMatch(/^ICD-10 code,Disease,0-7h L,0-7h P,8-28h L,/);
  });

  it('a cell that looks like a formula is not run by the spreadsheet', async () => {
    await box.db.query(`UPDATE formulary SET name = '=HYPERLINK("x")', stock = 0 WHERE name = 'Obat 1'`);
    const csv = await (await admin('/api/v1/reports/2025-03?format=csv&section=stock')).text();
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
  });

  it('refuses a period that is not a day or a month, in Bahasa Indonesia', async () => {
    for (const p of ['2025-13', '2025-02-30', 'bulan-lalu', '2025']) {
      const res = await admin(`/api/v1/reports/${p}`);
      expect(res.status, p).toBe(400);
    }
  });

  it('the nurse may not read it (admin and doctor only)', async () => {
    expect((await nurse('/api/v1/reports/2025-03')).status).toBe(403);
    expect((await box.call('/api/v1/reports/2025-03')).status).toBe(401);
  });
});
