/**
 * No log line carries patient data, ticket secrets or tokens — not in request lines, and not when
 * the database fails and every error is logged. A clinic day runs through the HTTP API with the
 * box's own logger at debug level writing into a buffer; then the database refuses every write
 * (a read-only database: each write fails in Postgres, with its SQL and bound parameters on the
 * error, as on a full disk) and the day carries on; then every line is searched for the day's
 * names, NIKs, JKN numbers, addresses, notes, referral reasons and ticket tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBox, type TestBox } from '../appliance/http/testing.ts';
import { createLog } from '../appliance/log.ts';
import { makeNik } from '../appliance/clinic/identity-numbers.ts';
import { demoIds } from '../appliance/clinic/demo-ids.ts';

type Json = Record<string, any>;

const people = [
  { fullName: 'Zulaikha Wirabumi Kencana', sex: 'P' as const, birthDate: '1988-04-12', jkn: '0007771234561', address: 'Jalan Kenanga Ungu Nomor 17, Desa Sukamulya' },
  { fullName: 'Bonaventura Simatupang', sex: 'L' as const, birthDate: '1951-11-03', jkn: '0007771234562', address: 'Gang Melati Biru 4, Dusun Krajan' },
  { fullName: 'Purnamasari Adiwangsa', sex: 'P' as const, birthDate: '1999-07-30', jkn: '0007771234563', address: 'Perumahan Griya Asri Blok Q9' },
].map((p, i) => ({ ...p, nik: makeNik('332901', p.sex, p.birthDate, 700 + i) }));
const notes = ['Batuk berdarah sejak kemarin malam qx7', 'Ronki basah di paru kanan atas qx8', 'Curiga tuberkulosis paru qx9', 'Rujuk untuk tes cepat molekuler qx0'];
const referralReasons = ['Dugaan TB paru dengan hemoptisis perlu bronkoskopi rz1', 'Hipertensi krisis tidak terkontrol rz2'];

describe('log lines carry no patient data or secrets', () => {
  const lines: string[] = [];
  let box: TestBox;
  beforeAll(async () => {
    const log = createLog({ level: 'debug', base: { part: 'appliance' } }, { write: (s: string) => void lines.push(s) });
    box = await testBox({}, undefined, { log });
  });
  afterAll(() => box.close());

  it('through a clinic day with a failing database', async () => {
    const nurse = await box.as('nurse');
    const doctor = await box.as('doctor');
    const json = async (res: Response) => (await res.json()) as Json;
    const tokens: string[] = [];
    const statuses: number[] = [];

    /** One visit: register, take a number, search, open, notes, consent by link, refer. */
    const visit = async (p: (typeof people)[number], note: string, reason: string) => {
      const reg = await nurse('/api/v1/patients', {
        method: 'POST',
        json: { fullName: p.fullName, nik: p.nik, jknNumber: p.jkn, sex: p.sex, birthDate: p.birthDate, address: p.address },
      });
      statuses.push(reg.status);
      const patientId = reg.status === 200 ? (await json(reg)).id : demoIds.patient;
      statuses.push((await nurse(`/api/v1/patients?q=${encodeURIComponent(p.fullName.split(' ')[1])}`)).status);
      statuses.push((await nurse(`/api/v1/patients?q=${p.nik}`)).status);
      const take = await box.call('/api/v1/queue/take', { method: 'POST', json: { poli: 'umum' } });
      statuses.push(take.status);
      if (take.status !== 200) return;
      const { token, ticket } = await json(take);
      tokens.push(token);
      await box.call(`/t/${token}`);
      await box.call(`/api/v1/tickets/${token}`);
      const queue = await json(await nurse('/api/v1/queue/umum'));
      const ticketId = queue.tickets.find((t: Json) => t.label === ticket.label).id;
      statuses.push((await nurse(`/api/v1/queue/tickets/${ticketId}/attach`, { method: 'POST', json: { patientId } })).status);
      const opened = await doctor('/api/v1/encounters', { method: 'POST', json: { ticketId, mode: 'audio_visual' } });
      statuses.push(opened.status);
      if (opened.status !== 200) return;
      const enc = await json(opened);
      statuses.push((await box.call(`/api/v1/tickets/${token}/consent`, { method: 'POST' })).status);
      statuses.push((await box.call(`/api/v1/tickets/${token}/consent`)).status);
      statuses.push(
        (await doctor(`/api/v1/encounters/${enc.id}`, { method: 'PATCH', json: { subjective: note, assessment: note, diagnoses: [{ code: 'I10', kind: 'primary' }] } })).status,
      );
      statuses.push(
        (
          await doctor('/api/v1/referrals', {
            method: 'POST',
            json: { encounterId: enc.id, hospitalCode: demoIds.hospital, specialty: 'Penyakit Dalam', diagnosisCode: 'I10', reason, emergency: false },
          })
        ).status,
      );
      return enc.id as string;
    };

    const encounterId = await visit(people[0], notes[0], referralReasons[0]);
    expect(
      statuses.every((s) => s === 200),
      JSON.stringify(statuses),
    ).toBe(true);

    // The database now refuses every write; the day goes on.
    await box.db.query('SET default_transaction_read_only = on');
    statuses.length = 0;
    await visit(people[1], notes[1], referralReasons[1]);
    await doctor(`/api/v1/encounters/${encounterId}`, { method: 'PATCH', json: { subjective: notes[2], plan: notes[3] } });
    await box.call(`/api/v1/tickets/${tokens[0]}/consent/withdraw`, { method: 'POST' });
    await nurse('/api/v1/patients', {
      method: 'POST',
      json: { fullName: people[2].fullName, nik: people[2].nik, jknNumber: people[2].jkn, sex: people[2].sex, birthDate: people[2].birthDate, address: people[2].address },
    });
    expect(statuses).toContain(500); // the failure path was taken
    await box.db.query('SET default_transaction_read_only = off');

    expect(lines.some((l) => JSON.parse(l).level === 50)).toBe(true); // errors were logged
    expect(lines.length).toBeGreaterThan(20);
    const secrets = [...people.flatMap((p) => [p.fullName, ...p.fullName.split(' '), p.nik, p.jkn, p.address]), ...notes, ...referralReasons, ...tokens].map((s) =>
      s.toLowerCase(),
    );
    const leaks: string[] = [];
    for (const line of lines) {
      const l = line.toLowerCase();
      for (const s of secrets) if (l.includes(s)) leaks.push(`${s} in ${line.slice(0, 300)}`);
    }
    expect(leaks).toEqual([]);
  });
});
