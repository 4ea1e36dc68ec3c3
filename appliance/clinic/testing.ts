import { afterAll, beforeAll, expect } from 'vitest';
import { openMemoryDatabase } from '../storage/database.ts';
import { GroupCommitDb } from '../storage/group-commit.ts';
import { seedDemo } from './demo.ts';
import { Queue } from './queue.ts';
import { ClinicError } from './errors.ts';
import { demoIds } from './demo-ids.ts';
import { openEncounter } from './encounters.ts';
import type { Actor } from './audit.ts';
import type { ClinicSettings } from './settings.ts';

/** A small puskesmas for domain tests: one poli, one room, WIB. */
export function testSettings(overrides: Partial<ClinicSettings> = {}): ClinicSettings {
  return {
    timeZone: 'Asia/Jakarta',
    serviceEndsAt: '24:00',
    referralValidDays: 90,
    defaultServiceMinutes: 10,
    facility: { code: '0112P001', name: 'Puskesmas Demo' },
    polis: [{ code: 'umum', name: 'Poli Umum', prefix: 'A', rooms: ['Ruang 1'] }],
    ...overrides,
  };
}

/** The demo puskesmas in an in-memory database, with its queue and an actor per staff role. */
export async function clinicFixture(settings: ClinicSettings = testSettings(), now?: () => Date) {
  const db = new GroupCommitDb(await openMemoryDatabase());
  await seedDemo(db, settings);
  const queue = new Queue(db, settings, now);
  const staff = (await db.query<{ id: string; role: Actor['role'] }>(`SELECT id, role FROM staff`)).rows;
  const as = (role: Actor['role']): Actor => ({ staffId: staff.find((x) => x.role === role)!.id, role, name: role, device: 'tablet' });
  const doctor = as('doctor'),
    nurse = as('nurse');
  /** The demo patient takes a desk number and the doctor opens the encounter (the start of most clinical tests). */
  const openDemoEncounter = async () => {
    const { ticket } = await queue.take({ poli: settings.polis[0].code, source: 'desk', patientId: demoIds.patient }, nurse);
    return { ticketId: ticket.id, encounter: await openEncounter(db, queue, doctor, { ticketId: ticket.id }) };
  };
  return { db, queue, settings, as, doctor, nurse, pharmacist: as('pharmacist'), admin: as('admin'), openDemoEncounter, close: () => db.close() };
}
export type ClinicFixture = Awaited<ReturnType<typeof clinicFixture>>;

/**
 * `clinicFixture` for a describe block: made before its tests (and before its own beforeAll
 * hooks, registered after this call), closed after them. Its fields are there when tests run.
 */
export function useClinic(settings: ClinicSettings = testSettings(), now?: () => Date): ClinicFixture {
  const clinic = {} as ClinicFixture;
  beforeAll(async () => {
    Object.assign(clinic, await clinicFixture(settings, now));
  });
  afterAll(async () => {
    await clinic.close?.();
  });
  return clinic;
}

/** The ClinicError a promise rejects with (failing the test if it resolves or throws another). */
export async function clinicError(p: Promise<unknown>): Promise<ClinicError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ClinicError);
  return e as ClinicError;
}
