import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupCommitDb } from '../storage/group-commit.ts';
import { Queue } from './queue.ts';
import { configSchema } from '../config.ts';
import { settingsOf } from '../box.ts';
import { clinicFixture } from './testing.ts';
import type { Actor } from './audit.ts';

describe('queue', () => {
  let db: GroupCommitDb;
  let queue: Queue;
  let clock = new Date('2026-11-25T01:00:00Z'); // 08:00 WIB
  let nurse: Actor;
  const settings = settingsOf(configSchema.parse({ mode: 'demo' }));
  beforeAll(async () => {
    const fixture = await clinicFixture(settings, () => clock);
    ({ db, queue } = fixture);
    nurse = fixture.as('nurse');
  });
  afterAll(() => db.close());

  it('numbers are per poli and per day, and concurrent takes never share a number', async () => {
    const taken = await Promise.all(Array.from({ length: 30 }, () => queue.take({ poli: 'gigi', source: 'phone' })));
    const labels = taken.map((t) => t.ticket.label).sort();
    expect(new Set(labels).size).toBe(30);
    expect(labels[0]).toBe('B-001');
    expect(labels[29]).toBe('B-030');
  });

  it('estimated wait grows with position and uses the day’s real service times', async () => {
    const list = await queue.list('gigi');
    const waits = list.map((v) => v.estimatedWaitMinutes!);
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1]);
    expect(waits[0]).toBe(Math.round(0.5 * settings.defaultServiceMinutes));
    // Serve one patient in 30 minutes: the estimate now uses 30 minutes per patient.
    const first = await queue.callNext('gigi', 'Ruang Gigi', nurse);
    clock = new Date(clock.getTime() + 30 * 60_000);
    await queue.finish(first!.id, nurse);
    const after = await queue.list('gigi');
    const next = after.find((v) => v.position === 1)!;
    expect(next.estimatedWaitMinutes).toBe(15);
    expect(after.find((v) => v.position === 3)!.estimatedWaitMinutes).toBe(75);
  });

  it('skip, call again, no-show and transfer move tickets as the desk expects', async () => {
    const { ticket } = await queue.take({ poli: 'umum', source: 'desk' });
    const skipped = await queue.skip(ticket.id, nurse);
    expect(skipped.status).toBe('skipped');
    expect((await queue.list('umum')).find((v) => v.ticket.id === ticket.id)!.position).toBeNull();
    const called = await queue.call(ticket.id, 'Ruang 2', nurse);
    expect(called).toMatchObject({ status: 'called', room: 'Ruang 2', callCount: 1 });
    const moved = await queue.transfer(ticket.id, 'kia', nurse);
    expect(moved.poli).toBe('kia');
    expect(moved.label).toMatch(/^C-\d{3}$/);
    expect(moved.status).toBe('waiting');
    expect((await queue.list('umum')).some((v) => v.ticket.id === ticket.id)).toBe(false);
    const gone = await queue.noShow(ticket.id, nurse);
    expect(gone.status).toBe('no_show');
    await expect(queue.recall(ticket.id, nurse)).rejects.toMatchObject({ code: 'invalid_state' });
  });

  it('a new clinic day starts at local midnight with fresh numbers, and the past day’s figures are queued once', async () => {
    clock = new Date('2026-11-25T17:05:00Z'); // 00:05 WIB on the 26th
    const { ticket } = await queue.take({ poli: 'gigi', source: 'phone' });
    expect(ticket.day).toBe('2026-11-26');
    expect(ticket.label).toBe('B-001');
    expect(await queue.closePastDays()).toBeGreaterThan(0);
    expect(await queue.closePastDays()).toBe(0);
    const { rows } = await db.query<{ payload: { poli: string; taken: number; served: number } }>(
      `SELECT payload FROM outbox WHERE type = 'queue_daily_figures' AND entity_id = '2026-11-25|gigi'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].payload).toMatchObject({ poli: 'gigi', taken: 30, served: 1 });
  });
});

describe('queue: tickets taken together', () => {
  let fixture: Awaited<ReturnType<typeof clinicFixture>>;
  const clock = new Date('2026-11-25T01:00:00Z'); // 08:00 WIB
  const settings = settingsOf(configSchema.parse({ mode: 'demo' }));
  beforeAll(async () => {
    fixture = await clinicFixture(settings, () => clock);
  });
  afterAll(() => fixture.close());

  it('are stored in a few transactions, numbered in order per poli, exactly as the database holds them', async () => {
    const { db, queue } = fixture;
    const before = { ...db.stats };
    const patient = (await db.query<{ id: string }>(`SELECT id FROM patients LIMIT 1`)).rows[0].id;
    const taken = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i === 7 ? queue.take({ poli: 'umum', source: 'desk', patientId: patient }, fixture.nurse) : queue.take({ poli: i % 2 ? 'umum' : 'gigi', source: i % 5 ? 'phone' : 'desk' }),
      ),
    );
    // One transaction per ticket before; now the anonymous ones share one (the patient's has its own).
    expect(db.stats.transactions - before.transactions).toBeLessThan(5);
    for (const poli of ['umum', 'gigi']) {
      const numbers = taken
        .filter((t) => t.ticket.poli === poli)
        .map((t) => t.ticket.number)
        .sort((a, b) => a - b);
      expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    }
    // A queue started afresh on the same database (the box after a restart) sees the very tickets
    // take answered with, and each patient's link finds their own.
    const restarted = new Queue(db, settings, () => clock);
    const listed = new Map([...(await restarted.list('umum')), ...(await restarted.list('gigi'))].map((v) => [v.ticket.id, v]));
    for (const t of taken) {
      expect(listed.get(t.ticket.id)?.ticket).toEqual(t.ticket);
      expect((await restarted.view(t.token))?.position).toBe(t.view.position);
    }
  });

  it('a batch the database refuses fails for every taker and leaves no gap in the numbers', async () => {
    const { db, queue } = fixture;
    const last = (await queue.list('kia')).length;
    await db.query(`CREATE FUNCTION refuse_ticket() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$`);
    await db.query(`CREATE TRIGGER refuse_ticket BEFORE INSERT ON queue_tickets FOR EACH ROW EXECUTE FUNCTION refuse_ticket()`);
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => queue.take({ poli: 'kia', source: 'phone' })));
    expect(outcomes.map((o) => o.status)).toEqual(Array(6).fill('rejected'));
    await db.query(`DROP TRIGGER refuse_ticket ON queue_tickets`);
    expect((await queue.list('kia')).length).toBe(last);
    const next = await queue.take({ poli: 'kia', source: 'phone' });
    expect(next.ticket.number).toBe(last + 1);
  });
});
