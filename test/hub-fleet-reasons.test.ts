/**
 * Why a box is in its state reaches operators in their language: the fleet state keeps a code,
 * and the overview, the box page, their live stream and the JSON routes word it through the hub's
 * catalogs. An Indonesian page carries no English reason; a hub whose box_state still holds the
 * English sentences of before (migration 18) shows them worded too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeDevice } from '../central/fleet/devices.ts';
import { migrateHub } from '../central/storage/migrations.ts';
import { hubWords } from '../central/http/words.ts';
import { boxes, operators, signIn, startOperatorHub, statusV1, type OperatorHub, type SignedIn } from './support/hub-operators.ts';

let h: OperatorHub;
let t = Date.parse('2026-12-03T02:00:00Z');
const now = () => new Date(t);
let district: SignedIn;
let national: SignedIn;

/** Every English reason an operator could be shown. */
const english = [...Object.values(hubWords.en.boxReasons), hubWords.en.silentFor('')];

const get = (who: SignedIn, path: string, headers: Record<string, string> = {}) => fetch(`${h.hub.url}${path}`, { headers: { cookie: who.cookie, ...headers } });
const text = async (who: SignedIn, path: string) => {
  const res = await get(who, path);
  expect(res.status).toBe(200);
  return res.text();
};

/** The first snapshot of a live stream, then the stream is closed. */
async function firstEvent(who: SignedIn, path: string): Promise<{ reason?: string; boxes?: { id: string; reason: string }[] }> {
  const ac = new AbortController();
  const res = await fetch(`${h.hub.url}${path}`, { headers: { cookie: who.cookie, accept: 'text/event-stream' }, signal: ac.signal });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended before its first snapshot');
      buffered += decoder.decode(value, { stream: true });
      const data = /^data: (.*)$/m.exec(buffered);
      if (data && buffered.includes('\n\n')) return JSON.parse(data[1]);
    }
  } finally {
    ac.abort();
    await reader.cancel().catch(() => {});
  }
}

beforeAll(async () => {
  h = await startOperatorHub({ now, fleet: { now, sweepEveryMs: 0, flushEveryMs: 0 } });
  h.hub.fleet.report(boxes.kupang.id, statusV1(now()));
  await h.hub.fleet.flush();
  // 155 s of silence: the hub's sweep marks the Kupang box offline. The TTS box never reported.
  t += 155_000;
  await h.hub.fleet.sweep();
  district = await signIn(h.hub.url, operators.district.username);
  national = await signIn(h.hub.url, operators.national.username);
}, 120_000);
afterAll(async () => {
  await h?.close();
});

describe('box state reasons in the operator’s language', () => {
  it('the fleet state keeps a code, not a sentence', async () => {
    const { rows } = await h.db.query<{ reason: string }>(`SELECT reason FROM box_state WHERE device_id = $1`, [boxes.kupang.id]);
    expect(rows[0].reason).toBe('silent');
  });

  it('the Indonesian overview and box page word the reason in Indonesian, and no English reason reaches them', async () => {
    const overview = await text(district, '/fleet');
    expect(overview).toContain('tidak ada laporan selama 155 dtk');
    const page = await text(district, `/fleet/boxes/${boxes.kupang.id}`);
    expect(page).toContain('tidak ada laporan selama 155 dtk');
    const never = await text(national, '/fleet?region=5302');
    expect(never).toContain('terdaftar, belum pernah melapor');
    for (const html of [overview, page, never]) for (const e of english) expect(html).not.toContain(e);
  });

  it('the same pages in English word it in English', async () => {
    expect(await text(district, '/fleet?lang=en')).toContain('no report for 155 s');
    expect(await text(national, '/fleet?region=5302&lang=en')).toContain('enrolled, never reported');
  });

  it('the live stream and the JSON routes carry the worded reason in the request’s language, and the code', async () => {
    const live = await firstEvent(district, '/api/fleet/events?region=5301&lang=id');
    expect(live.boxes?.find((b) => b.id === boxes.kupang.id)?.reason).toBe('tidak ada laporan selama 155 dtk');
    expect((await firstEvent(district, `/api/fleet/events?box=${boxes.kupang.id}&lang=id`)).reason).toBe('tidak ada laporan selama 155 dtk');

    const one = (await (await get(district, `/api/fleet/boxes/${boxes.kupang.id}`)).json()) as { reason: string; reasonText: string };
    expect(one).toMatchObject({ reason: 'silent', reasonText: 'tidak ada laporan selama 155 dtk' });
    const list = (await (await get(district, '/api/fleet/boxes?lang=en')).json()) as { boxes: { id: string; reason: string; reasonText: string }[] };
    expect(list.boxes.find((b) => b.id === boxes.kupang.id)).toMatchObject({ reason: 'silent', reasonText: 'no report for 155 s' });
    const overview = (await (await get(national, '/api/fleet/overview?region=5302', { 'accept-language': 'id-ID' })).json()) as {
      boxes: { id: string; reason: string; reasonText: string }[];
    };
    expect(overview.boxes.find((b) => b.id === boxes.soe.id)).toMatchObject({ reason: 'never_reported', reasonText: 'terdaftar, belum pernah melapor' });
  });

  it('a revoked box says so in Indonesian', async () => {
    await revokeDevice(h.db, boxes.bali.id);
    await h.hub.fleet.sweep();
    const page = await text(national, '/fleet?region=5101');
    expect(page).toContain('dicabut di registri');
    for (const e of english) expect(page).not.toContain(e);
  });

  it('migration 18 turns the English sentences kept before into codes', async () => {
    await h.db.query(`UPDATE box_state SET reason = 'no report for 155 s' WHERE device_id = $1`, [boxes.kupang.id]);
    await h.db.query(`UPDATE box_state SET reason = 'revoked in the registry' WHERE device_id = $1`, [boxes.bali.id]);
    await h.db.query(`DELETE FROM hub_migrations WHERE id = 18`);
    expect(await migrateHub(h.db)).toEqual([18]);
    const { rows } = await h.db.query<{ device_id: string; reason: string }>(`SELECT device_id, reason FROM box_state ORDER BY device_id`);
    expect(Object.fromEntries(rows.map((r) => [r.device_id, r.reason]))).toEqual({ [boxes.bali.id]: 'revoked_in_registry', [boxes.kupang.id]: 'silent' });
    expect(await text(district, '/fleet')).toContain('tidak ada laporan selama 155 dtk');
  });
});
