import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db, Queryable } from './db.ts';
import { ClinicError, invalidState, notFound } from './errors.ts';
import { audit, type Actor } from './audit.ts';
import { appendOutbox } from './outbox.ts';
import { getIcd10, isIcd10Code } from './icd10.ts';
import type { Queue } from './queue.ts';
import { text } from './text.ts';
import { assertMayTreat } from './midwife.ts';

/** Parses a domain input; a bad one is the caller's mistake (`invalid`), never a crash. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    throw new ClinicError('invalid', r.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '), {
      // The zod issue's machine parts (code, limits), so the HTTP layer can say what to do in words.
      issues: r.error.issues.map((i) => {
        const { input: _input, path, ...rest } = i as typeof i & { input?: unknown };
        return { ...rest, path: path.join('.') };
      }),
    });
  }
  return r.data;
}

export const encounterModes = ['in_person', 'audio_visual', 'audio_only', 'chat'] as const;
export type EncounterMode = (typeof encounterModes)[number];

/**
 * Vital signs, each optional, each within what a living patient can show (wider than normal:
 * the box records an emergency as it is). `null` in an update clears a value.
 */
const vitalsShape = {
  systolic: z.number().int().min(40).max(300).describe('mmHg'),
  diastolic: z.number().int().min(20).max(200).describe('mmHg'),
  pulse: z.number().int().min(20).max(250).describe('beats per minute'),
  respiratoryRate: z.number().int().min(4).max(80).describe('breaths per minute'),
  temperature: z.number().min(30).max(45).describe('°C'),
  spo2: z.number().int().min(50).max(100).describe('%'),
  weight: z.number().min(0.3).max(350).describe('kg'),
  height: z.number().min(20).max(250).describe('cm'),
};
export type VitalSigns = Partial<{ [K in keyof typeof vitalsShape]: number }>;

export const vitalsInput = z
  .object(
    Object.fromEntries(Object.entries(vitalsShape).map(([k, v]) => [k, v.nullable().optional()])) as {
      [K in keyof typeof vitalsShape]: z.ZodOptional<z.ZodNullable<(typeof vitalsShape)[K]>>;
    },
  )
  .strict();
export type VitalsInput = z.infer<typeof vitalsInput>;

export const icd10Code = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]\d{2}(\.\d{1,2})?$/, 'an ICD-10 code such as J06.9')
  .refine((c) => isIcd10Code(c), 'not a code in the box’s ICD-10 list');

export const diagnosesInput = z
  .array(z.object({ code: icd10Code, kind: z.enum(['primary', 'secondary']) }).strict())
  .max(12)
  // A draft list may lack its primary: vitals and notes are saved before the diagnosis is settled,
  // and closing the visit is where a primary is required.
  .refine((d) => d.filter((x) => x.kind === 'primary').length <= 1, 'at most one primary diagnosis')
  .refine((d) => new Set(d.map((x) => x.code)).size === d.length, 'a code appears twice');

export interface Diagnosis {
  code: string;
  name: string;
  kind: 'primary' | 'secondary';
}

export const openEncounterInput = z
  .object({
    ticketId: text().uuid(),
    mode: z.enum(encounterModes).default('in_person'),
    /** Room the doctor works from: a waiting ticket (or one called elsewhere) is called there; default the poli's first room. */
    room: text().trim().min(1).max(40).optional(),
  })
  .strict();
export type OpenEncounterInput = z.input<typeof openEncounterInput>;

const note = text().max(8000);
export const updateEncounterInput = z
  .object({
    /** The version the editor saw; a different current version is a conflict (another tablet changed it). */
    version: z.number().int().min(1).optional(),
    mode: z.enum(encounterModes).optional(),
    subjective: note.optional(),
    objective: note.optional(),
    assessment: note.optional(),
    plan: note.optional(),
    vitals: vitalsInput.optional(),
    diagnoses: diagnosesInput.optional(),
  })
  .strict()
  .refine((u) => Object.keys(u).some((k) => k !== 'version'), 'nothing to change');
export type UpdateEncounterInput = z.input<typeof updateEncounterInput>;

export const vitalsUpdateInput = z.object({ version: z.number().int().min(1).optional(), vitals: vitalsInput }).strict();

export interface Encounter {
  id: string;
  patientId: string;
  patientName: string;
  ticketId: string | null;
  doctorId: string;
  doctorName: string;
  poli: string;
  mode: EncounterMode;
  status: 'open' | 'closed';
  subjective: string;
  objective: string;
  assessment: string;
  plan: string;
  vitals: VitalSigns;
  diagnoses: Diagnosis[];
  version: number;
  openedAt: string;
  closedAt: string | null;
}

const select = `SELECT e.id, e.patient_id AS "patientId", p.full_name AS "patientName", e.ticket_id AS "ticketId", e.doctor_id AS "doctorId",
  s.full_name AS "doctorName", e.poli, e.mode, e.status, e.subjective, e.objective, e.assessment, e.plan, e.vitals, e.diagnoses,
  e.version, e.opened_at AS "openedAt", e.closed_at AS "closedAt"
  FROM encounters e JOIN patients p ON p.id = e.patient_id JOIN staff s ON s.id = e.doctor_id`;

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());
function toEncounter(r: Encounter): Encounter {
  return { ...r, openedAt: iso(r.openedAt)!, closedAt: iso(r.closedAt) };
}

/** The encounter without an audit entry: for callers that audit the read themselves (e.g. the referral letter). */
export const findEncounter = (db: Queryable, id: string) => load(db, id);

async function load(db: Queryable, id: string): Promise<Encounter> {
  const { rows } = await db.query<Encounter>(`${select} WHERE e.id = $1`, [id]);
  if (!rows[0]) throw notFound('encounter', id);
  return toEncounter(rows[0]);
}

/** The encounter, for a staff member: the read is audited. */
export async function getEncounter(db: Queryable, actor: Actor, id: string): Promise<Encounter> {
  const e = await load(db, id);
  await audit(db, actor, 'read', 'encounter', id, e.patientId);
  return e;
}

/** An open encounter, or `invalid_state`: clinical records change only while the visit is open. */
export async function requireOpenEncounter(db: Queryable, id: string, action: string): Promise<Encounter> {
  const e = await load(db, id);
  if (e.status !== 'open') throw invalidState('encounter', e.status, action);
  return e;
}

export async function listEncounters(
  db: Queryable,
  actor: Actor,
  f: { patientId?: string; ticketId?: string; status?: 'open' | 'closed'; limit: number; offset: number },
): Promise<Encounter[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.patientId) where.push(`e.patient_id = $${params.push(f.patientId)}`);
  if (f.ticketId) where.push(`e.ticket_id = $${params.push(f.ticketId)}`);
  if (f.status) where.push(`e.status = $${params.push(f.status)}`);
  const { rows } = await db.query<Encounter>(
    `${select} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY e.opened_at DESC LIMIT $${params.push(f.limit)} OFFSET $${params.push(f.offset)}`,
    params,
  );
  await audit(db, actor, 'list', 'encounter', null, f.patientId ?? null);
  return rows.map(toEncounter);
}

/**
 * The doctor opens the visit from a queue ticket that has a patient. A ticket still waiting is
 * called to a room first; the ticket becomes `serving`. Opening twice answers the open one.
 */
export async function openEncounter(db: Db, queue: Queue, actor: Actor, input: OpenEncounterInput): Promise<Encounter> {
  const inp = parseInput(openEncounterInput, input);
  let ticket = await queue.get(inp.ticketId);
  if (!ticket.patientId) {
    throw new ClinicError('invalid', 'the ticket has no patient attached; attach a registered patient first', { field: 'ticketId', problem: 'no_patient' });
  }
  assertMayTreat(actor, ticket.poli);
  const existing = await db.query<{ id: string }>(`SELECT id FROM encounters WHERE ticket_id = $1 AND status = 'open'`, [ticket.id]);
  if (existing.rows[0]) {
    if (ticket.status === 'called') await queue.startServing(ticket.id, actor);
    return getEncounter(db, actor, existing.rows[0].id);
  }
  const rooms = queue.poli(ticket.poli).rooms;
  if (inp.room && !rooms.includes(inp.room)) throw new ClinicError('invalid', `unknown room ${inp.room}`, { field: 'room', room: inp.room, rooms });
  // A ticket called to another room is called again to the room the doctor opens it from: the TV
  // and the patient's phone must send the patient where the doctor is.
  if (ticket.status === 'waiting' || ticket.status === 'skipped' || (ticket.status === 'called' && inp.room && inp.room !== ticket.room)) {
    ticket = await queue.call(ticket.id, inp.room ?? rooms[0], actor);
  }
  if (ticket.status !== 'called' && ticket.status !== 'serving') throw invalidState('queue_ticket', ticket.status, 'open an encounter');
  ticket = await queue.startServing(ticket.id, actor);
  const patientId = ticket.patientId!;
  const id = await db.transaction(async (tx) => {
    // Transactions are serialised: a second open of the same ticket sees the first.
    const again = await tx.query<{ id: string }>(`SELECT id FROM encounters WHERE ticket_id = $1 AND status = 'open'`, [ticket.id]);
    if (again.rows[0]) return again.rows[0].id;
    const newId = randomUUID();
    await tx.query(
      // Vitals the nurse took at triage, on the ticket, are the visit's first vitals (copied: the
      // doctor's corrections change the visit, the triage record stays as taken).
      `INSERT INTO encounters (id, patient_id, ticket_id, doctor_id, poli, mode, status, vitals)
       VALUES ($1,$2,$3,$4,$5,$6,'open', coalesce((SELECT vitals FROM ticket_triage WHERE ticket_id = $3), '{}'))`,
      [newId, patientId, ticket.id, actor.staffId, ticket.poli, inp.mode],
    );
    await audit(tx, actor, 'create', 'encounter', newId, patientId);
    return newId;
  });
  return load(db, id);
}

export function mergeVitals(current: VitalSigns, change: VitalsInput): VitalSigns {
  const out: Record<string, number> = { ...current } as Record<string, number>;
  for (const [k, v] of Object.entries(change)) {
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = v;
  }
  if (out.systolic !== undefined && out.diastolic !== undefined && out.diastolic >= out.systolic) {
    throw new ClinicError('invalid', 'diastolic pressure must be below systolic', { field: 'vitals.diastolic', problem: 'not_below_systolic' });
  }
  return out;
}

function named(d: { code: string; kind: 'primary' | 'secondary' }[]): Diagnosis[] {
  // Primary first, then secondaries in the order given.
  return [...d].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'primary' ? -1 : 1)).map((x) => ({ code: x.code, name: getIcd10(x.code)?.name ?? x.code, kind: x.kind }));
}

/** Changes an open encounter's notes, vitals, diagnoses or mode. Vitals merge; diagnoses replace. */
export async function updateEncounter(db: Db, actor: Actor, id: string, input: UpdateEncounterInput): Promise<Encounter> {
  const inp = parseInput(updateEncounterInput, input);
  return db.transaction(async (tx) => {
    const e = await requireOpenEncounter(tx, id, 'update');
    assertMayTreat(actor, e.poli);
    if (inp.version !== undefined && inp.version !== e.version) {
      throw new ClinicError('conflict', 'the encounter was changed meanwhile; reload it', { entity: 'encounter', version: e.version });
    }
    const vitals = inp.vitals ? mergeVitals(e.vitals, inp.vitals) : e.vitals;
    const diagnoses = inp.diagnoses ? named(inp.diagnoses) : e.diagnoses;
    const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
    const changed =
      (inp.mode !== undefined && inp.mode !== e.mode) ||
      (['subjective', 'objective', 'assessment', 'plan'] as const).some((k) => inp[k] !== undefined && inp[k] !== e[k]) ||
      !same(vitals, e.vitals) ||
      !same(diagnoses, e.diagnoses);
    if (!changed) return e; // nothing new: no version, no audit of a change that did not happen
    await tx.query(
      `UPDATE encounters SET mode = $2, subjective = $3, objective = $4, assessment = $5, plan = $6, vitals = $7, diagnoses = $8, version = version + 1 WHERE id = $1`,
      [
        id,
        inp.mode ?? e.mode,
        inp.subjective ?? e.subjective,
        inp.objective ?? e.objective,
        inp.assessment ?? e.assessment,
        inp.plan ?? e.plan,
        JSON.stringify(vitals),
        JSON.stringify(diagnoses),
      ],
    );
    await audit(tx, actor, 'update', 'encounter', id, e.patientId);
    return load(tx, id);
  });
}

/**
 * Queues what the centre needs of a closed visit: who (by JKN/NIK), when, where, how, what was
 * found. Free-text notes stay on the box. Also used when a merge moves a closed visit to another
 * patient record (a new version of the same summary).
 */
export async function queueEncounterSummary(tx: Queryable, e: Encounter, facilityCode: string): Promise<void> {
  const p = await tx.query<{ nik: string | null; jkn_number: string | null; sex: string; birth_date: string }>(
    `SELECT nik, jkn_number, sex, to_char(birth_date, 'YYYY-MM-DD') AS birth_date FROM patients WHERE id = $1`,
    [e.patientId],
  );
  const counts = await tx.query<{ prescriptions: number; referrals: number }>(
    `SELECT (SELECT count(*)::int FROM prescriptions WHERE encounter_id = $1) AS prescriptions,
            (SELECT count(*)::int FROM referrals WHERE encounter_id = $1 AND status <> 'draft') AS referrals`,
    [e.id],
  );
  await appendOutbox(tx, {
    type: 'encounter_summary',
    entityId: e.id,
    entityVersion: e.version,
    payload: {
      id: e.id,
      facility: facilityCode,
      poli: e.poli,
      mode: e.mode,
      patient: { id: e.patientId, jknNumber: p.rows[0]?.jkn_number ?? null, nik: p.rows[0]?.nik ?? null, sex: p.rows[0]?.sex, birthDate: p.rows[0]?.birth_date },
      doctor: { id: e.doctorId, name: e.doctorName },
      openedAt: e.openedAt,
      closedAt: e.closedAt,
      vitals: e.vitals,
      diagnoses: e.diagnoses.map((d) => ({ code: d.code, kind: d.kind })),
      prescriptions: counts.rows[0].prescriptions,
      referrals: counts.rows[0].referrals,
    },
  });
}

/** Closes the visit: needs a primary diagnosis; queues its summary for the centre and finishes the ticket. */
export async function closeEncounter(db: Db, queue: Queue, actor: Actor, id: string, facilityCode = ''): Promise<Encounter> {
  const closed = await db.transaction(async (tx) => {
    const e = await requireOpenEncounter(tx, id, 'close');
    assertMayTreat(actor, e.poli);
    if (!e.diagnoses.some((d) => d.kind === 'primary')) {
      throw new ClinicError('invalid', 'a primary ICD-10 diagnosis is required before closing', { field: 'diagnoses', problem: 'no_primary' });
    }
    const { rows } = await tx.query<{ version: number; closed_at: string }>(
      `UPDATE encounters SET status = 'closed', closed_at = now(), version = version + 1 WHERE id = $1 AND status = 'open' RETURNING version, closed_at`,
      [id],
    );
    if (!rows[0]) throw invalidState('encounter', 'closed', 'close');
    const after = { ...e, status: 'closed' as const, version: rows[0].version, closedAt: iso(rows[0].closed_at) };
    await queueEncounterSummary(tx, after, facilityCode);
    await audit(tx, actor, 'update', 'encounter', id, e.patientId);
    return after;
  });
  if (closed.ticketId) {
    const t = await queue.get(closed.ticketId);
    if (t.status === 'called' || t.status === 'serving') await queue.finish(t.id, actor);
  }
  return load(db, id);
}
