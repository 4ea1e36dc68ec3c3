/**
 * GET /releases/:version/bundle: only an enrolled, unrevoked box, by its own secret or by the
 * download key its assignment carried (a box enrolled with a claim code has no secret), only the
 * release a rollout assigned to it, and with range requests (a download resumes with the rest).
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateDevice, enrolDevice, revokeDevice } from '../fleet/devices.ts';
import { registerRelease } from '../releases/registry.ts';
import { advanceRollouts, boxOfDownloadKey, createRollout } from '../releases/rollouts.ts';
import { makeFakeBundle } from '../releases/testing/fake-bundle.ts';
import { openMemoryHubDatabase, type HubDb } from '../storage/db.ts';
import { createHubApp } from './app.ts';
import { parseRange } from './release-routes.ts';

const ADMIN = 'admin-token-for-tests';
let db: HubDb;
let dir: string;
let app: ReturnType<typeof createHubApp>;
let bundle: Buffer;
const creds: Record<string, { deviceId: string; secret: string }> = {};
/** The download key each assigned box got in its assignment (the downlink item). */
const keys: Record<string, string> = {};
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers });

beforeAll(async () => {
  db = await openMemoryHubDatabase();
  dir = mkdtempSync(join(tmpdir(), 'simpul-release-route-'));
  for (const name of ['assigned', 'other', 'revoked']) creds[name] = await enrolDevice(db, { facilityCode: '5301P001', deviceId: `box-${name}` });
  await db.query(`UPDATE devices SET region_code = '5301'`);
  const file = makeFakeBundle(dir, '0.2.0', 300_000);
  bundle = readFileSync(file);
  await registerRelease(db, join(dir, 'hub'), { file, version: '0.2.0' });
  await createRollout(db, { version: '0.2.0', waves: [{ devices: ['box-assigned', 'box-revoked'] }] }, 'test', new Date());
  await advanceRollouts(db, { now: new Date(), baseUrl: 'http://hub' });
  for (const r of (await db.query<{ device_id: string; body: { downloadKey: string } }>(`SELECT device_id, body FROM downlink WHERE kind = 'release'`)).rows)
    keys[r.device_id] = r.body.downloadKey;
  await revokeDevice(db, 'box-revoked');
  app = createHubApp({
    db,
    adminToken: ADMIN,
    invalid: () => new Map(),
    storedHere: () => new Map(),
    onAnswered: () => {},
    authenticateBox: (id, secret) => authenticateDevice(db, id, secret),
    boxOfDownloadKey: (key) => boxOfDownloadKey(db, key),
    readBundle: (f, start, end) => Readable.toWeb(createReadStream(f, { start, end })) as ReadableStream<Uint8Array>,
  });
}, 60_000);
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the release route', () => {
  it('serves the assigned box the whole bundle', async () => {
    const res = await get('/releases/0.2.0/bundle', { authorization: basic('box-assigned', creds.assigned.secret) });
    expect(res.status).toBe(200);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await res.arrayBuffer()).equals(bundle)).toBe(true);
  });

  it('resumes with a range request: the rest only, 206 with its Content-Range; a range past the end is 416', async () => {
    const from = 123_457;
    const res = await get('/releases/0.2.0/bundle', { authorization: basic('box-assigned', creds.assigned.secret), range: `bytes=${from}-` });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${from}-${bundle.length - 1}/${bundle.length}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(bundle.subarray(from))).toBe(true);
    const past = await get('/releases/0.2.0/bundle', { authorization: basic('box-assigned', creds.assigned.secret), range: `bytes=${bundle.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${bundle.length}`);
    expect(((await past.json()) as { error: { message: string } }).error.message).toMatch(/unduhan sebagian/);
  });

  it('refuses a box that is not enrolled, a wrong secret and a revoked box (401); nobody at all (401)', async () => {
    for (const auth of [basic('box-stranger', creds.assigned.secret), basic('box-assigned', 'not-the-secret'), basic('box-revoked', creds.revoked.secret)]) {
      const res = await get('/releases/0.2.0/bundle', { authorization: auth });
      expect(res.status, auth).toBe(401);
    }
    expect((await get('/releases/0.2.0/bundle')).status).toBe(401);
  });

  it('an operator or the admin token is not a box (403); another box is not served a release it was not assigned (404)', async () => {
    expect((await get('/releases/0.2.0/bundle', { authorization: `Bearer ${ADMIN}` })).status).toBe(403);
    const other = await get('/releases/0.2.0/bundle', { authorization: basic('box-other', creds.other.secret) });
    expect(other.status).toBe(404);
    expect((await get('/releases/9.9.9/bundle', { authorization: basic('box-assigned', creds.assigned.secret) })).status).toBe(404);
  });

  it('serves a box by the download key its assignment carried (its assignment row keeps only the hash); a wrong or revoked box’s key is no box', async () => {
    expect(keys['box-assigned']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(keys['box-assigned']).not.toBe(keys['box-revoked']);
    const res = await get('/releases/0.2.0/bundle', { authorization: `Bearer ${keys['box-assigned']}`, range: 'bytes=1000-' });
    expect(res.status).toBe(206);
    expect(Buffer.from(await res.arrayBuffer()).equals(bundle.subarray(1000))).toBe(true);
    expect(JSON.stringify((await db.query(`SELECT * FROM rollout_assignments`)).rows)).not.toContain(keys['box-assigned']);
    for (const key of [keys['box-revoked'], 'A'.repeat(43), `${keys['box-assigned']}x`]) {
      const refused = await get('/releases/0.2.0/bundle', { authorization: `Bearer ${key}` });
      expect([401, 403], key).toContain(refused.status);
    }
  });

  it('reads ranges as RFC 9110 says', () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-200', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-1', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
  });
});
