import { expect } from 'vitest';
import { openMemoryDatabase } from '../storage/database.ts';
import { GroupCommitDb } from '../storage/group-commit.ts';
import { seedDemo } from './demo.ts';
import { Queue } from './queue.ts';
import { ClinicError } from './errors.ts';
import type { Actor } from './audit.ts';
import type { ClinicSettings } from './settings.ts';

/** A small puskesmas for domain tests: one poli, one room, WIB. */
export function testSettings(overrides: Partial<ClinicSettings> = {}): ClinicSettings {
  return {
    timeZone: 'Asia/Jakarta', serviceEndsAt: '24:00', referralValidDays: 90, defaultServiceMinutes: 10,
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
  return { db, queue, settings, as, doctor: as('doctor'), nurse: as('nurse'), pharmacist: as('pharmacist'), admin: as('admin'), close: () => db.close() };
}

/** The ClinicError a promise rejects with (failing the test if it resolves or throws another). */
export async function clinicError(p: Promise<unknown>): Promise<ClinicError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(ClinicError);
  return e as ClinicError;
}
