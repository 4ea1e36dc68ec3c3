/**
 * GET /releases/:version/bundle: only an enrolled, unrevoked box with its own secret, only the
 * release a rollout assigned to it, and with range requests (a download resumes with the rest).
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateDevice, enrolDevice, revokeDevice } from '../fleet/devices.ts';
import { registerRelease } from '../releases/registry.ts';
import { advanceRollouts, createRollout } from '../releases/rollouts.ts';
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
  await revokeDevice(db, 'box-revoked');
  app = createHubApp({
    db,
    adminToken: ADMIN,
    invalid: () => new Map(),
    storedHere: () => new Map(),
    onAnswered: () => {},
    authenticateBox: (id, secret) => authenticateDevice(db, id, secret),
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
