import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupCommitDb } from '../storage/group-commit.ts';
import { openMemoryDatabase } from '../storage/database.ts';
import { appendOutbox, onContractBreach, type ContractBreach, type OutboxType } from './outbox.ts';

describe('the outbox holds the wire contract', () => {
  let db: GroupCommitDb;
  beforeAll(async () => {
    db = new GroupCommitDb(await openMemoryDatabase());
  });
  afterAll(() => db.close());

  const count = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox`)).rows[0].n;

  it('takes a payload the contract accepts', async () => {
    const id = randomUUID();
    await db.transaction((tx) => appendOutbox(tx, { type: 'referral', entityId: id, entityVersion: 1, payload: { id, version: 1, status: 'sent' } }));
    expect(await count()).toBe(1);
  });

  it('refuses a payload that breaks the contract, before it is written', async () => {
    const before = await count();
    // A referral without its id, version and status: the hub would park it.
    const bad = { type: 'referral' as OutboxType, entityId: randomUUID(), entityVersion: 1, payload: { hello: 'world' } as never };
    await expect(db.transaction((tx) => appendOutbox(tx, bad))).rejects.toThrow(/referral payload invalid at id/);
    // The payload's id and version are the record's entity and version.
    const id = randomUUID();
    const mismatched = { type: 'consent' as OutboxType, entityId: randomUUID(), entityVersion: 1, payload: { id, version: 1 } as never };
    await expect(db.transaction((tx) => appendOutbox(tx, mismatched))).rejects.toThrow(/is not the record's entity/);
    expect(await count()).toBe(before);
  });

  it('in production keeps the record and reports the breach, without a payload value', async () => {
    const before = await count();
    const breaches: ContractBreach[] = [];
    onContractBreach((b) => breaches.push(b));
    try {
      const entityId = randomUUID();
      await db.transaction((tx) =>
        appendOutbox(tx, { type: 'referral', entityId, entityVersion: 1, payload: { id: entityId, version: 1, status: 'x'.repeat(21), note: 'Budi batuk' } }),
      );
      expect(breaches).toEqual([{ type: 'referral', entityId, reason: expect.stringMatching(/referral payload invalid at status/) }]);
      expect(JSON.stringify(breaches)).not.toMatch(/Budi|xxxx/);
    } finally {
      onContractBreach('throw');
    }
    expect(await count()).toBe(before + 1);
  });
});
