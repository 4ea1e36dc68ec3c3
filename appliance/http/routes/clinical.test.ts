import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBox, type TestBox } from '../testing.ts';
import { demoIds } from '../../clinic/demo-ids.ts';
import { routeTable } from '../access.ts';

type Json = Record<string, any>;
const json = async (res: Response) => (await res.json()) as Json;

describe('clinical API', () => {
  let box: TestBox;
  beforeAll(async () => {
    box = await testBox();
  });
  afterAll(() => box.close());

  it('the whole visit: take a number → attach → open → diagnose → prescribe → refer → close → dispense → patient sees documents', async () => {
    const nurse = await box.as('nurse');
    const doctor = await box.as('doctor');
    const pharmacist = await box.as('pharmacist');

    // The patient takes a number on their phone; the desk attaches the registered patient.
    const take = await json(await box.call('/api/v1/queue/take', { method: 'POST', json: { poli: 'gigi' } }));
    const tickets = await json(await nurse('/api/v1/queue/gigi'));
    const ticketId = tickets.tickets.find((t: Json) => t.label === take.ticket.label).id;
    expect((await nurse(`/api/v1/queue/tickets/${ticketId}/attach`, { method: 'POST', json: { patientId: demoIds.patient } })).status).toBe(200);

    // The doctor opens the encounter from the ticket: the patient's phone shows them being served.
    const opened = await doctor('/api/v1/encounters', { method: 'POST', json: { ticketId, mode: 'in_person' } });
    expect(opened.status).toBe(200);
    const enc = await json(opened);
    expect(enc).toMatchObject({ status: 'open', patientId: demoIds.patient, poli: 'gigi', version: 1 });
    expect((await json(await box.call(`/api/v1/tickets/${take.token}`))).status).toBe('serving');

    // The nurse records vitals; the doctor writes SOAP and diagnoses (searching ICD-10 as they type).
    expect((await nurse(`/api/v1/encounters/${enc.id}/vitals`, { method: 'PUT', json: { vitals: { systolic: 150, diastolic: 95, temperature: 37.1 } } })).status).toBe(200);
    const icd = await json(await doctor('/api/v1/icd10?q=darah%20tinggi'));
    expect(icd.codes.map((c: Json) => c.code)).toContain('I10');
    const patched = await doctor(`/api/v1/encounters/${enc.id}`, {
      method: 'PATCH',
      json: {
        version: 2,
        subjective: 'Sakit gigi dan pusing',
        diagnoses: [
          { code: 'K02.9', kind: 'primary' },
          { code: 'I10', kind: 'secondary' },
        ],
      },
    });
    const patchedBody = await json(patched);
    expect(patched.status, JSON.stringify(patchedBody)).toBe(200);
    expect(patchedBody.vitals).toEqual({ systolic: 150, diastolic: 95, temperature: 37.1 });

    // Prescribe from the formulary (search shows stock), and refer.
    const form = await json(await doctor('/api/v1/formulary?q=amoks'));
    const amox = form.items.find((i: Json) => i.name === 'Amoksisilin');
    expect(amox.stock).toBe(300);
    const rx = await doctor('/api/v1/prescriptions', {
      method: 'POST',
      json: {
        encounterId: enc.id,
        items: [
          { formularyId: amox.id, signa: '3 x 1 kapsul sampai habis', quantity: 15, days: 5 },
          { formularyId: demoIds.formularyParacetamol, signa: '3 x 1 bila nyeri', quantity: 10, days: 3 },
        ],
      },
    });
    expect(rx.status).toBe(200);
    const prescription = await json(rx);
    const hospitals = await json(await doctor('/api/v1/hospitals'));
    expect(hospitals.hospitals.length).toBeGreaterThan(0);
    const ref = await doctor('/api/v1/referrals', {
      method: 'POST',
      json: { encounterId: enc.id, hospitalCode: demoIds.hospital, specialty: 'Penyakit Dalam', diagnosisCode: 'I10', reason: 'Hipertensi baru, perlu evaluasi', emergency: false },
    });
    const referral = await json(ref);
    expect(ref.status, JSON.stringify(referral)).toBe(200);
    expect(referral.status).toBe('draft');
    // A draft is not yet the patient's copy.
    expect((await json(await box.call(`/api/v1/tickets/${take.token}/documents`))).referrals).toEqual([]);
    expect((await json(await doctor(`/api/v1/referrals/${referral.id}/issue`, { method: 'POST' }))).status).toBe('issued');

    // The doctor's view has it all together.
    const full = await json(await doctor(`/api/v1/encounters/${enc.id}`));
    expect(full.prescriptions.map((p: Json) => p.id)).toEqual([prescription.id]);
    expect(full.referrals.map((r: Json) => r.status)).toEqual(['issued']);

    // Close: the ticket is done.
    const closed = await doctor(`/api/v1/encounters/${enc.id}/close`, { method: 'POST' });
    expect(closed.status).toBe(200);
    expect((await json(closed)).status).toBe('closed');
    expect((await json(await box.call(`/api/v1/tickets/${take.token}`))).status).toBe('done');

    // The pharmacist's list has it; dispensing takes the stock.
    const list = await json(await pharmacist('/api/v1/pharmacy/queue?limit=100'));
    expect(list.prescriptions.map((p: Json) => p.id)).toContain(prescription.id);
    const dispensed = await pharmacist(`/api/v1/prescriptions/${prescription.id}/dispense`, { method: 'POST' });
    expect(dispensed.status).toBe(200);
    expect((await json(await doctor('/api/v1/formulary?q=amoks'))).items.find((i: Json) => i.id === amox.id).stock).toBe(285);

    // The patient's phone shows the prescription and the referral copy, and the letter opens.
    const docs = await box.call(`/api/v1/tickets/${take.token}/documents`);
    expect(docs.status).toBe(200);
    const d = await json(docs);
    expect(d.prescriptions).toHaveLength(1);
    expect(d.prescriptions[0]).toMatchObject({
      status: 'dispensed',
      items: [{ name: 'Amoksisilin', signa: '3 x 1 kapsul sampai habis', quantity: 15, days: 5 }, { name: 'Parasetamol' }],
    });
    expect(d.referrals).toHaveLength(1);
    expect(d.referrals[0]).toMatchObject({
      id: referral.id,
      hospitalName: 'RSUD Demo Kabupaten',
      diagnosisCode: 'I10',
      status: 'issued',
      letter: `/t/${take.token}/rujukan/${referral.id}`,
    });
    expect(JSON.stringify(d)).not.toMatch(/patientId|prescriberId|nik/);
    const letter = await box.call(d.referrals[0].letter);
    expect(letter.status).toBe(200);
    const html = await letter.text();
    expect(html).toContain('SURAT RUJUKAN');
    expect(html).toContain('<svg');
    expect(html).toContain('size:A5');
    expect(html).toContain('Budi Santoso');

    // Staff print; the demo ticket's link cannot open this patient's referral of another visit.
    const staffLetter = await nurse(`/staff/rujukan/${referral.id}/cetak`);
    expect(staffLetter.status).toBe(200);
    expect(await staffLetter.text()).toContain('RSUD Demo Kabupaten');
    expect((await box.call(`/t/${demoIds.ticketToken}/rujukan/${referral.id}`)).status).toBe(404);
    expect((await pharmacist(`/staff/rujukan/${referral.id}/cetak`)).status).toBe(403);

    // Outbox: the encounter summary, the prescription twice, the referral twice.
    const outbox = await box.db.query<{ type: string; entity_id: string }>(`SELECT type, entity_id FROM outbox WHERE entity_id = ANY($1) ORDER BY seq`, [
      [enc.id, prescription.id, referral.id],
    ]);
    expect(outbox.rows.map((r) => r.type)).toEqual(['prescription', 'referral', 'referral', 'encounter_summary', 'prescription']);
  }, 60_000);

  it('consent through the ticket link and by named staff; the relay can ask hasActiveConsent', async () => {
    const t = `/api/v1/tickets/${demoIds.ticketToken}/consent`;
    expect(await json(await box.call(t))).toMatchObject({ encounterMode: 'audio_visual', encounterOpen: true, consent: null });
    const given = await box.call(t, { method: 'POST' });
    expect(given.status).toBe(200);
    expect((await json(given)).consent).toMatchObject({ method: 'patient_tap' });
    const { hasActiveConsent } = await import('../../clinic/consents.ts');
    expect(await hasActiveConsent(box.db, demoIds.encounter)).toBe(true);
    expect((await json(await box.call(`${t}/withdraw`, { method: 'POST' }))).consent).toBeNull();
    expect(await hasActiveConsent(box.db, demoIds.encounter)).toBe(false);
    expect((await box.call(`${t}/withdraw`, { method: 'POST' })).status).toBe(409);

    const nurse = await box.as('nurse');
    const verbal = await json(await nurse(`/api/v1/encounters/${demoIds.encounter}/consent`, { method: 'POST' }));
    expect(verbal).toMatchObject({ method: 'verbal', recordedByName: 'Ns. Dewi Lestari' });
    expect((await json(await nurse(`/api/v1/encounters/${demoIds.encounter}/consent/withdraw`, { method: 'POST' }))).withdrawnBy).toMatch(/^staff:/);
    // The pharmacist has no part in consent.
    expect((await (await box.as('pharmacist'))(`/api/v1/encounters/${demoIds.encounter}/consent`, { method: 'POST' })).status).toBe(403);
  });

  it('insufficient stock is a clear 409 naming the medicine, needed and available', async () => {
    const doctor = await box.as('doctor');
    const pharmacist = await box.as('pharmacist');
    const salep = (await json(await doctor('/api/v1/formulary?q=salep'))).items[0];
    const rx = await json(
      await doctor('/api/v1/prescriptions', {
        method: 'POST',
        json: { encounterId: demoIds.encounter, items: [{ formularyId: salep.id, signa: 'oles 2 x sehari', quantity: salep.stock + 1, days: 7 }] },
      }),
    );
    const res = await pharmacist(`/api/v1/prescriptions/${rx.id}/dispense`, { method: 'POST' });
    expect(res.status).toBe(409);
    const body = await json(res);
    expect(body.error).toMatchObject({ code: 'insufficient_stock', details: { medicine: 'Salep 2-4 30 g', needed: salep.stock + 1, available: salep.stock } });
    expect(body.error.message).toMatch(/^Stok Salep 2-4 30 g tidak cukup: perlu \d+ tube, tersedia \d+\./);
    // A receipt fixes it.
    expect((await json(await pharmacist(`/api/v1/formulary/${salep.id}/receipts`, { method: 'POST', json: { quantity: 10, reason: 'kiriman' } }))).stock).toBe(salep.stock + 10);
    expect((await pharmacist(`/api/v1/prescriptions/${rx.id}/dispense`, { method: 'POST' })).status).toBe(200);
    const adj = await pharmacist(`/api/v1/formulary/${salep.id}/adjustments`, { method: 'POST', json: { delta: -1000, reason: 'hitung ulang' } });
    expect(adj.status).toBe(409);
    const mv = await json(await pharmacist(`/api/v1/formulary/${salep.id}/movements`));
    expect(mv.movements.map((m: Json) => m.kind)).toEqual(['dispense', 'receipt', 'receipt']);
  });

  it('answers 4xx to bad bodies and changes nothing', async () => {
    const doctor = await box.as('doctor');
    const pharmacist = await box.as('pharmacist');
    const before = await box.db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM outbox) + (SELECT count(*) FROM prescriptions) + (SELECT count(*) FROM referrals) + (SELECT count(*) FROM encounters) AS n`,
    );
    const bad: [typeof doctor, string, string, unknown][] = [
      [doctor, 'POST', '/api/v1/encounters', { ticketId: 'not-a-uuid' }],
      [doctor, 'POST', '/api/v1/encounters', { ticketId: demoIds.ticket, mode: 'telepathy' }],
      [doctor, 'POST', '/api/v1/encounters', { ticketId: '00000000-0000-4000-8000-000000000000' }],
      [doctor, 'PATCH', `/api/v1/encounters/${demoIds.encounter}`, { vitals: { temperature: '38' } }],
      [doctor, 'PATCH', `/api/v1/encounters/${demoIds.encounter}`, { vitals: { temperature: 99 } }],
      [
        doctor,
        'PATCH',
        `/api/v1/encounters/${demoIds.encounter}`,
        {
          diagnoses: [
            { code: 'J06.9', kind: 'primary' },
            { code: 'I10', kind: 'primary' },
          ],
        },
      ],
      [doctor, 'PATCH', `/api/v1/encounters/${demoIds.encounter}`, { diagnoses: [{ code: 'Q00000', kind: 'primary' }] }],
      [doctor, 'PATCH', `/api/v1/encounters/${demoIds.encounter}`, { unknownField: 1 }],
      [doctor, 'PATCH', `/api/v1/encounters/${demoIds.encounter}`, [1, 2, 3]],
      [doctor, 'PATCH', `/api/v1/encounters/${demoIds.encounter}`, { version: 999, plan: 'x' }],
      [doctor, 'POST', '/api/v1/prescriptions', { encounterId: demoIds.encounter, items: [] }],
      [doctor, 'POST', '/api/v1/prescriptions', { encounterId: demoIds.encounter, items: [{ formularyId: demoIds.formularyParacetamol, signa: 'x', quantity: -1, days: 1 }] }],
      [
        doctor,
        'POST',
        '/api/v1/prescriptions',
        { encounterId: demoIds.encounter, items: [{ formularyId: '00000000-0000-4000-8000-000000000000', signa: '1 x 1', quantity: 1, days: 1 }] },
      ],
      [doctor, 'POST', '/api/v1/prescriptions', 'x'.repeat(70_000)],
      [doctor, 'POST', '/api/v1/referrals', { encounterId: demoIds.encounter, hospitalCode: 'NOPE0000', specialty: 'Anak', diagnosisCode: 'I10', reason: 'abc' }],
      [
        doctor,
        'POST',
        '/api/v1/referrals',
        { encounterId: demoIds.encounter, hospitalCode: demoIds.hospital, specialty: 'Anak', diagnosisCode: 'I10', reason: 'abc', validUntil: '2020-01-01' },
      ],
      [
        doctor,
        'POST',
        '/api/v1/referrals',
        { encounterId: demoIds.encounter, hospitalCode: demoIds.hospital, specialty: 'Anak', diagnosisCode: 'I10', reason: 'abc', emergency: 'yes' },
      ],
      [doctor, 'PATCH', `/api/v1/referrals/${demoIds.referral}`, { emergency: 'yes' }],
      [pharmacist, 'POST', `/api/v1/formulary/${demoIds.formularyParacetamol}/receipts`, { quantity: 0 }],
      [pharmacist, 'POST', `/api/v1/formulary/${demoIds.formularyParacetamol}/adjustments`, { delta: 5 }],
      [pharmacist, 'POST', `/api/v1/prescriptions/not-a-uuid/dispense`, undefined],
      [pharmacist, 'POST', `/api/v1/prescriptions/00000000-0000-4000-8000-000000000000/dispense`, undefined],
    ];
    for (const [who, method, path, body] of bad) {
      const res = await who(path, typeof body === 'string' ? { method, body, headers: { 'content-type': 'application/json' } } : { method, json: body });
      expect(res.status, `${method} ${path} ${JSON.stringify(body)?.slice(0, 80)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
      expect((await json(res)).error.code).toBeTypeOf('string');
    }
    const after = await box.db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM outbox) + (SELECT count(*) FROM prescriptions) + (SELECT count(*) FROM referrals) + (SELECT count(*) FROM encounters) AS n`,
    );
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('states roles on every clinical route and enforces them', async () => {
    const mine = routeTable().filter((r) => /encounters|prescriptions|pharmacy|formulary|referrals|hospitals|icd10|consent|documents|rujukan/.test(r.path));
    expect(mine.length).toBeGreaterThanOrEqual(25);
    for (const r of mine) expect(r.access.length).toBeGreaterThan(0);
    const nurse = await box.as('nurse');
    const admin = await box.as('admin');
    expect((await nurse('/api/v1/prescriptions', { method: 'POST', json: {} })).status).toBe(403);
    expect((await admin(`/api/v1/prescriptions/${demoIds.prescription}/dispense`, { method: 'POST' })).status).toBe(403);
    // The admin keeps accounts and the audit log, not clinical notes (least privilege).
    expect((await admin(`/api/v1/encounters/${demoIds.encounter}`)).status).toBe(403);
    expect((await box.call('/api/v1/pharmacy/queue')).status).toBe(401);
    expect((await box.call('/api/v1/tickets/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/documents')).status).toBe(404);
  });

  it('documents every operation with an example in the OpenAPI document', async () => {
    const doc = await json(await box.call('/openapi.json'));
    const ops = ['/api/v1/encounters', '/api/v1/prescriptions', '/api/v1/referrals', '/api/v1/encounters/{id}'];
    for (const p of ops) expect(doc.paths[p], p).toBeDefined();
    expect(doc.paths['/api/v1/prescriptions'].post.requestBody.content['application/json'].schema.example).toMatchObject({ encounterId: demoIds.encounter });
    expect(doc.paths['/api/v1/encounters/{id}'].patch['x-access']).toEqual(['doctor', 'midwife']);
  });
});
