/**
 * Enrolment with a claim code at a running hub (POST /enrol): the box's key stays on the box (only
 * its CSR travels), the hub answers with the box's id and a certificate signed by its CA (CN = the
 * device id, 90 days) that OpenSSL verifies; a used, expired, wrong-facility or unknown claim is
 * refused with its reason, in Indonesian first; a bad CSR does not use up a claim; attempts are
 * throttled per address. Time comes from an injected clock.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../central/hub.ts';
import { enrolResponse } from '../central/contract/enrolment.ts';
import { errorResponse } from '../central/http/schemas.ts';
import { createClaim, normaliseClaimCode } from '../central/fleet/claims.ts';
import { openMemoryHubDatabase, type HubDb } from '../central/storage/db.ts';
import { quietLog } from '../central/testing/stack.ts';
import { newKeyAndCsr } from '../appliance/enrolment/identity.ts';
import { tempDir } from './mosquitto-support.ts';

let db: HubDb;
let hub: Hub;
let dataDir: string;
let clock = new Date('2026-03-02T01:00:00Z');
const DAY = 86_400_000;

beforeAll(async () => {
  db = await openMemoryHubDatabase();
  dataDir = tempDir('simpul-enrol-');
  hub = await startHub(
    { httpPort: 0, httpHost: '127.0.0.1', brokerPort: 0, brokerHost: '127.0.0.1', logLevel: 'silent', dataDir, boxMqttUrl: 'mqtts://hub.example:8883', enrolAttemptsPerWindow: 30 },
    { db, log: quietLog(), now: () => clock },
  );
});
afterAll(async () => {
  await hub?.close();
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const post = async (body: unknown, lang = 'id') => {
  const res = await fetch(`${hub.url}/enrol`, { method: 'POST', headers: { 'content-type': 'application/json', 'accept-language': lang }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after') };
};
const claim = (facilityCode = '0112P001', validForMs = 7 * DAY) => createClaim(db, { facilityCode, validForMs, now: clock });

describe('POST /enrol with a claim code', () => {
  it('a box sends its CSR and the claim; it gets its id and a 90-day certificate from the hub CA (CN = device id) that OpenSSL verifies', async () => {
    const { code } = await claim();
    const { key, csr } = await newKeyAndCsr('0112P001');
    const body = { claimCode: code, facilityCode: '0112P001', csr, name: 'Puskesmas Brebes' };
    expect(JSON.stringify(body)).not.toContain('PRIVATE KEY');
    const r = await post(body);
    expect(r.status).toBe(201);
    const answer = enrolResponse.parse(r.body);
    expect(answer.deviceId).toMatch(/^0112p001-[0-9a-f]{6}$/);
    expect(answer.mqttUrl).toBe('mqtts://hub.example:8883');
    const cert = new x509.X509Certificate(answer.certificate);
    expect(cert.subjectName.getField('CN')).toEqual([answer.deviceId]);
    expect(Math.round((cert.notAfter.getTime() - clock.getTime()) / DAY)).toBe(90);
    // The certificate is on the box's own key.
    const boxPublic = new x509.Pkcs10CertificateRequest(csr).publicKey.rawData;
    expect(Buffer.from(cert.publicKey.rawData).equals(Buffer.from(boxPublic))).toBe(true);
    // OpenSSL (what Mosquitto uses) takes it as a client certificate of this CA, at the test clock's time.
    const dir = tempDir('simpul-enrol-verify-');
    try {
      writeFileSync(join(dir, 'ca.pem'), answer.caCertificate);
      writeFileSync(join(dir, 'box.pem'), answer.certificate);
      writeFileSync(join(dir, 'box.key'), key);
      const out = execFileSync('openssl', [
        'verify',
        '-attime',
        String(Math.floor(clock.getTime() / 1000) + 60),
        '-purpose',
        'sslclient',
        '-CAfile',
        join(dir, 'ca.pem'),
        join(dir, 'box.pem'),
      ]).toString();
      expect(out).toContain(': OK');
      // The key matches the certificate.
      const pubOfKey = execFileSync('openssl', ['pkey', '-in', join(dir, 'box.key'), '-pubout']).toString();
      const pubOfCert = execFileSync('openssl', ['x509', '-in', join(dir, 'box.pem'), '-noout', '-pubkey']).toString();
      expect(pubOfKey).toBe(pubOfCert);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The CA's key stays in the hub's data dir, its alone.
    expect(statSync(join(dataDir, 'ca', 'ca.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'ca')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(dataDir, 'ca', 'ca.pem'), 'utf8')).toBe(answer.caCertificate);
    const stored = await db.query<{ facility_code: string; name: string }>(`SELECT facility_code, name FROM devices WHERE id = $1`, [answer.deviceId]);
    expect(stored.rows).toEqual([{ facility_code: '0112P001', name: 'Puskesmas Brebes' }]);
  });

  it('a claim is single use: the second box is refused (409 claim_used), in Indonesian, then English', async () => {
    const { code } = await claim();
    expect((await post({ claimCode: code, facilityCode: '0112P001', csr: (await newKeyAndCsr('x')).csr })).status).toBe(201);
    const again = await post({ claimCode: code, facilityCode: '0112P001', csr: (await newKeyAndCsr('x')).csr });
    expect(again.status).toBe(409);
    const e = errorResponse.parse(again.body);
    expect(e.error.code).toBe('claim_used');
    expect(e.error.message).toMatch(/sudah dipakai/);
    const en = await post({ claimCode: code, facilityCode: '0112P001', csr: (await newKeyAndCsr('x')).csr }, 'en');
    expect(errorResponse.parse(en.body).error.message).toMatch(/already been used/);
  });

  it('an expired claim is refused (410 claim_expired)', async () => {
    const { code } = await claim('0112P001', 60 * 60_000);
    clock = new Date(clock.getTime() + 2 * 60 * 60_000);
    const r = await post({ claimCode: code, facilityCode: '0112P001', csr: (await newKeyAndCsr('x')).csr });
    expect([r.status, errorResponse.parse(r.body).error.code]).toEqual([410, 'claim_expired']);
    expect(errorResponse.parse(r.body).error.message).toMatch(/kedaluwarsa/);
  });

  it('a claim for another facility is refused (403 claim_wrong_facility) and stays usable for its own', async () => {
    const { code } = await claim('0112P002');
    const wrong = await post({ claimCode: code, facilityCode: '0112P001', csr: (await newKeyAndCsr('x')).csr });
    expect([wrong.status, errorResponse.parse(wrong.body).error.code]).toEqual([403, 'claim_wrong_facility']);
    const right = await post({ claimCode: code, facilityCode: '0112P002', csr: (await newKeyAndCsr('x')).csr });
    expect(right.status).toBe(201);
  });

  it('an unknown claim is refused (403 claim_unknown); a claim typed in lower case with O for 0 is the same claim', async () => {
    const r = await post({ claimCode: 'ABCD-EFGH-JKMN-PQRS', facilityCode: '0112P001', csr: (await newKeyAndCsr('x')).csr });
    expect([r.status, errorResponse.parse(r.body).error.code]).toEqual([403, 'claim_unknown']);
    const { code } = await claim();
    const typed = code.toLowerCase().replace(/0/g, 'o').replace(/-/g, ' ');
    expect(normaliseClaimCode(typed)).toBe(code);
    expect((await post({ claimCode: typed, facilityCode: '0112P001', csr: (await newKeyAndCsr('x')).csr })).status).toBe(201);
  });

  it('a bad CSR is refused (400) without using up the claim; a request without a CSR is a validation failure', async () => {
    const { code } = await claim();
    const bad = '-----BEGIN CERTIFICATE REQUEST-----\nMIIBAAAA\n-----END CERTIFICATE REQUEST-----\n';
    const r = await post({ claimCode: code, facilityCode: '0112P001', csr: bad });
    expect([r.status, errorResponse.parse(r.body).error.code]).toEqual([400, 'csr_invalid']);
    const none = await post({ claimCode: code, facilityCode: '0112P001' });
    expect([none.status, errorResponse.parse(none.body).error.code]).toEqual([400, 'validation_failed']);
    expect((await post({ claimCode: code, facilityCode: '0112P001', csr: (await newKeyAndCsr('x')).csr })).status).toBe(201);
  });
});

describe('claim attempts are throttled per address', () => {
  it('past the limit in a window: 429 with Retry-After, whatever the claim; the next window is open again', async () => {
    clock = new Date(clock.getTime() + DAY); // a fresh window for this address
    const csr = (await newKeyAndCsr('x')).csr;
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await post({ claimCode: 'ABCD-EFGH-JKMN-PQRS', facilityCode: '0112P001', csr })).status);
    expect(new Set(statuses)).toEqual(new Set([403]));
    const { code } = await claim();
    const over = await post({ claimCode: code, facilityCode: '0112P001', csr });
    expect([over.status, errorResponse.parse(over.body).error.code]).toEqual([429, 'throttled']);
    expect(Number(over.retryAfter)).toBeGreaterThan(0);
    clock = new Date(clock.getTime() + 11 * 60_000);
    expect((await post({ claimCode: code, facilityCode: '0112P001', csr })).status).toBe(201);
  });
});
