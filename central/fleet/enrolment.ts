/**
 * A box joins the fleet with a claim code and a certificate signing request (its private key never
 * leaves it): the hub makes its device id, signs a client certificate for it (CN = device id), and
 * answers with the CA certificate and the broker's address. Later the box renews the certificate
 * itself over its authenticated MQTT link (renewCertificate), and a revoked box's certificates go
 * into the CRL.
 */
import { randomBytes } from 'node:crypto';
import { deviceCost, hashPassword } from '../../appliance/password-hash.ts';
import type { HubDb, HubQueryable } from '../storage/db.ts';
import { newDeviceId } from './credentials.ts';
import { useClaim, type ClaimRefusal } from './claims.ts';
import { CsrError, checkCsr, issueBoxCertificate, issueCrl, type HubCa, type IssuedCertificate } from './hub-ca.ts';

export type EnrolRefusal = ClaimRefusal | 'csr_invalid';

export class EnrolmentRefused extends Error {
  constructor(
    readonly reason: EnrolRefusal,
    message: string,
  ) {
    super(message);
  }
}

export interface Enrolled {
  deviceId: string;
  certificate: string;
  caCertificate: string;
  notAfter: string;
}

/** The whole enrolment, in one transaction: the claim is used only if the box is made. */
export async function enrolWithClaim(db: HubDb, ca: HubCa, o: { claimCode: string; facilityCode: string; csr: string; name?: string; now: Date }): Promise<Enrolled> {
  // The request is checked before the claim is touched: a bad CSR does not use up a good claim.
  try {
    await checkCsr(o.csr);
  } catch (e) {
    if (e instanceof CsrError) throw new EnrolmentRefused('csr_invalid', e.message);
    throw e;
  }
  // Nobody knows this secret: a box enrolled by claim logs in with its certificate only.
  const unusable = await hashPassword(randomBytes(24).toString('base64url'), deviceCost);
  return db.transaction(async (tx) => {
    const deviceId = newDeviceId(o.facilityCode);
    const refused = await useClaim(tx, { code: o.claimCode, facilityCode: o.facilityCode, deviceId, now: o.now });
    if (refused) throw new EnrolmentRefused(refused, refused);
    await tx.query(`INSERT INTO devices (id, secret_hash, facility_code, name) VALUES ($1, $2, $3, $4)`, [deviceId, unusable, o.facilityCode, o.name ?? '']);
    const cert = await issueAndRecord(tx, ca, o.csr, deviceId, o.now);
    return { deviceId, certificate: cert.pem, caCertificate: ca.certificatePem, notAfter: cert.notAfter.toISOString() };
  });
}

/** A new certificate for an enrolled, unrevoked box, on the key of its new CSR. */
export async function renewCertificate(db: HubQueryable, ca: HubCa, o: { deviceId: string; csr: string; now: Date }): Promise<Enrolled> {
  const { rows } = await db.query(`SELECT 1 FROM devices WHERE id = $1 AND revoked_at IS NULL`, [o.deviceId]);
  if (!rows.length) throw new EnrolmentRefused('claim_unknown', `no active device ${o.deviceId}`);
  try {
    await checkCsr(o.csr);
  } catch (e) {
    if (e instanceof CsrError) throw new EnrolmentRefused('csr_invalid', e.message);
    throw e;
  }
  const cert = await issueAndRecord(db, ca, o.csr, o.deviceId, o.now);
  return { deviceId: o.deviceId, certificate: cert.pem, caCertificate: ca.certificatePem, notAfter: cert.notAfter.toISOString() };
}

async function issueAndRecord(db: HubQueryable, ca: HubCa, csr: string, deviceId: string, now: Date): Promise<IssuedCertificate> {
  const cert = await issueBoxCertificate(ca, csr, deviceId, now);
  await db.query(`INSERT INTO device_certificates (serial, device_id, issued_at, not_after) VALUES ($1, $2, $3, $4)`, [
    cert.serial,
    deviceId,
    now.toISOString(),
    cert.notAfter.toISOString(),
  ]);
  return cert;
}

/** The CRL: every unexpired certificate of every revoked box. */
export async function revocationList(db: HubQueryable, ca: HubCa, now: Date): Promise<string> {
  const { rows } = await db.query<{ serial: string; revoked_at: unknown }>(
    `SELECT c.serial, d.revoked_at FROM device_certificates c JOIN devices d ON d.id = c.device_id
      WHERE d.revoked_at IS NOT NULL AND c.not_after > $1 ORDER BY c.serial`,
    [now.toISOString()],
  );
  return issueCrl(
    ca,
    rows.map((r) => ({ serial: r.serial, revokedAt: new Date(r.revoked_at as string) })),
    now,
  );
}
