/**
 * The hub's JSON API at its edges: bodies, path and query checked by zod before anything runs,
 * a refusal in the project's one error shape with the message in the request's language, and
 * every live answer (success and refusal) matching the response schemas in central/http/schemas.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../central/hub.ts';
import { answerResponse, devicesResponse, errorResponse, formularyResponse, healthResponse } from '../central/http/schemas.ts';
import { enrolDevice } from '../central/fleet/devices.ts';
import { openMemoryHubDatabase, type HubDb } from '../central/storage/db.ts';
import { quietLog } from '../central/testing/stack.ts';

const token = 'hub-api-test-token-91d0';
const referralId = randomUUID();
const medicine = { kfaCode: '93001234', name: 'Paracetamol', strength: '500 mg', form: 'tablet', unit: 'tablet', active: true };
let db: HubDb;
let hub: Hub;
let deviceId: string;

beforeAll(async () => {
  db = await openMemoryHubDatabase();
  hub = await startHub({ httpPort: 0, httpHost: '127.0.0.1', brokerPort: 0, brokerHost: '127.0.0.1', adminToken: token, logLevel: 'silent' }, { db, log: quietLog() });
  ({ deviceId } = await enrolDevice(db, { facilityCode: '0112P001', name: 'Puskesmas Uji' }));
  await db.query(`INSERT INTO records (device_id, type, schema_version, entity_id, entity_version, box_seq, payload, created_at) VALUES ($1,'referral',1,$2,1,1,$3,now())`, [
    deviceId,
    referralId,
    JSON.stringify({ id: referralId, version: 1, status: 'issued' }),
  ]);
  await db.query(`INSERT INTO entities (device_id, type, entity_id, version) VALUES ($1,'referral',$2,1)`, [deviceId, referralId]);
});
afterAll(async () => {
  await hub?.close();
  await db?.close();
});

const send = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${hub.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    redirect: 'manual',
  });

/** A refusal: its status, the error shape, and where zod found the problem. */
async function refused(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = errorResponse.parse(await res.json());
  expect(body.error.code).toBe(code);
  return body.error;
}
const paths = (e: { details: Record<string, unknown> }) => (e.details.issues as { path: string }[]).map((i) => i.path);

describe('hub API edges', () => {
  it('answers match their schemas: health, devices, a queued answer, a published formulary', async () => {
    healthResponse.parse(await (await send('/healthz', undefined)).json());
    const devices = devicesResponse.parse(await (await send('/api/devices', undefined)).json());
    expect(devices.find((x) => x.id === deviceId)).toMatchObject({ recordsByType: { referral: 1 }, downlinkPending: 0 });

    const answered = await send(`/admin/referrals/${referralId}/answer`, { status: 'accepted', note: '', ignored: 'as before' });
    expect(answered.status).toBe(201);
    expect(answerResponse.parse(await answered.json())).toMatchObject({ deviceId, referralVersion: 1 });

    const published = await send('/admin/formulary', { items: [medicine], devices: [deviceId] });
    expect(published.status).toBe(201);
    expect(formularyResponse.parse(await published.json()).devices).toEqual([deviceId]);
    expect(devicesResponse.parse(await (await send('/api/devices', undefined)).json()).find((x) => x.id === deviceId)?.downlinkPending).toBe(2);
  });

  it('a referral answer is checked at the edge: body, status, date, path id; in the request’s language', async () => {
    const path = `/admin/referrals/${referralId}/answer`;
    const notJson = await refused(await send(path, '{"status":'), 400, 'validation_failed');
    expect(notJson.message).toMatch(/^Permintaan tidak sesuai format\./);
    const inEnglish = await refused(await send(`${path}?lang=en`, '{"status":'), 400, 'validation_failed');
    expect(inEnglish.message).toMatch(/^The request is malformed\./);
    expect((await refused(await send(path, '[]', { 'accept-language': 'en' }), 400, 'validation_failed')).message).toMatch(/^The request is malformed\./);
    // zod's own words in the request's language too.
    const badStatus = await refused(await send(path, { status: 'maybe' }), 400, 'validation_failed');
    expect(paths(badStatus)).toEqual(['status']);
    expect(badStatus.message).toMatch(/status: Pilihan tidak valid/);
    expect((await refused(await send(`${path}?lang=en`, { status: 'maybe' }), 400, 'validation_failed')).message).toMatch(/status: Invalid option/);
    const noDate = await refused(await send(path, { status: 'scheduled' }), 400, 'validation_failed');
    expect(paths(noDate)).toEqual(['scheduledFor']);
    expect(noDate.message).toContain('scheduledFor: a scheduled answer needs scheduledFor');
    expect(paths(await refused(await send(path, { status: 'scheduled', scheduledFor: '15/01/2030' }), 400, 'validation_failed'))).toEqual(['scheduledFor']);
    expect(paths(await refused(await send('/admin/referrals/not-a-uuid/answer', { status: 'accepted' }), 400, 'validation_failed'))).toEqual(['id']);
    const unknown = await refused(await send(`/admin/referrals/${randomUUID()}/answer?lang=en`, { status: 'accepted' }), 404, 'not_found');
    expect(unknown.message).toBe('Not found.');
    expect(unknown.details.reason).toMatch(/^no referral/);
    const queued = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM downlink WHERE kind = 'referral_answer'`)).rows[0].n;
    expect(queued).toBe(1);
  });

  it('a formulary is checked at the edge; a duplicate code or an unknown box is refused and queues nothing', async () => {
    const before = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM downlink`)).rows[0].n;
    expect(paths(await refused(await send('/admin/formulary', 'not json'), 400, 'validation_failed'))).toEqual(['']);
    expect(paths(await refused(await send('/admin/formulary', {}), 400, 'validation_failed'))).toEqual(['items']);
    expect(paths(await refused(await send('/admin/formulary', { items: [] }), 400, 'validation_failed'))).toEqual(['items']);
    expect(paths(await refused(await send('/admin/formulary', { items: [medicine], devices: [7] }), 400, 'validation_failed'))).toEqual(['devices.0']);
    expect(paths(await refused(await send('/admin/formulary', { items: [{ ...medicine, name: '' }] }), 400, 'validation_failed'))).toEqual(['items.0.name']);
    const twice = await refused(await send('/admin/formulary', { items: [medicine, medicine] }), 400, 'invalid');
    expect(twice.message).toBe('Data tidak valid.');
    expect(twice.details.reason).toMatch(/93001234/);
    expect((await refused(await send('/admin/formulary', { items: [medicine], devices: ['no-such-box'] }), 404, 'not_found')).details.reason).toMatch(/no-such-box/);
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM downlink`)).rows[0].n).toBe(before);
  });

  it('every refusal, with or without credentials, has the one error shape', async () => {
    await refused(await fetch(`${hub.url}/api/devices`), 401, 'unauthenticated');
    await refused(await send('/no/such/route', undefined), 404, 'route_not_found');
    await refused(await send('/admin/formulary', {}, { origin: 'https://elsewhere.example' }), 403, 'csrf');
  });
});
