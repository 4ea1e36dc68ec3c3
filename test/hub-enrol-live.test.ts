/**
 * A box enrolled with a claim code at the hub reaches the console's open overviews at once, before
 * its first report: the enrolment tells the fleet state's registry listeners, and the live stream
 * sends a new snapshot with the box counted.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Hub } from '../central/hub.ts';
import { createOperator } from '../central/operators/accounts.ts';
import type { HubDb } from '../central/storage/db.ts';
import { enrolBox, startEnrolmentHub } from './enrolment-support.ts';
import { tempDir } from './mosquitto-support.ts';
import { PASSWORD, signIn } from './support/hub-operators.ts';

let hub: Hub;
let db: HubDb;
let dir: string;

beforeAll(async () => {
  dir = tempDir('simpul-enrol-live-');
  ({ hub, db } = await startEnrolmentHub(dir, 'hub-admin-token-enrol-live-5521'));
  await createOperator(db, { username: 'pusat', role: 'national', scope: '', password: PASSWORD });
}, 120_000);
afterAll(async () => {
  await hub?.close();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('an open overview gets a snapshot with the new box as soon as it enrols', async () => {
  let registry = 0;
  hub.fleet.onRegistry(() => registry++);
  const me = await signIn(hub.url, 'pusat');
  const ac = new AbortController();
  const res = await fetch(`${hub.url}/api/fleet/events?region=`, { headers: { cookie: me.cookie, accept: 'text/event-stream' }, signal: ac.signal });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  /** The next snapshot's box count. */
  const nextTotal = async (): Promise<number> => {
    for (;;) {
      const end = buffered.indexOf('\n\n');
      if (end >= 0) {
        const event = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const data = /^data: (.*)$/m.exec(event);
        if (data) return (JSON.parse(data[1]) as { counts: Record<string, number> }).counts['total:total'];
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      buffered += decoder.decode(value, { stream: true });
    }
  };
  try {
    expect(await nextTotal()).toBe(0);
    await enrolBox({ hubUrl: hub.url, db, facilityCode: '5301P001', boxDir: join(dir, 'box') });
    expect(registry).toBe(1);
    expect(await nextTotal()).toBe(1);
  } finally {
    ac.abort();
    await reader.cancel().catch(() => {});
  }
}, 120_000);
