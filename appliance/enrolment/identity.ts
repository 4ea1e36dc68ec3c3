/**
 * The box's identity on the hub's broker: its private key (made here, never sent anywhere), the
 * client certificate the hub signed for it (CN = its device id), the hub's CA certificate, and
 * where the broker is. One file, `<dataDir>/identity.json`, mode 0600, replaced whole by a rename,
 * so a power cut during a renewal leaves either the old key and certificate or the new ones, never
 * a key with another key's certificate.
 */
import { webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { z } from 'zod';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export const boxIdentitySchema = z.object({
  deviceId: z.string().min(3).max(63),
  mqttUrl: z.string().regex(/^mqtts:\/\/[^\s/]+(:\d+)?\/?$/),
  /** PKCS#8 PEM. */
  key: z.string().startsWith('-----BEGIN PRIVATE KEY-----'),
  certificate: z.string().startsWith('-----BEGIN CERTIFICATE-----'),
  caCertificate: z.string().startsWith('-----BEGIN CERTIFICATE-----'),
  notAfter: z.string(),
  /** When this certificate was issued (from its notBefore): renewal is due at two thirds of its life. */
  notBefore: z.string(),
});
export type BoxIdentity = z.infer<typeof boxIdentitySchema>;

export const identityFile = (dataDir: string) => join(dataDir, 'identity.json');

export function readIdentity(dataDir: string): BoxIdentity | null {
  const file = identityFile(dataDir);
  if (!existsSync(file)) return null;
  return boxIdentitySchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function writeIdentity(dataDir: string, identity: BoxIdentity): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = identityFile(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(boxIdentitySchema.parse(identity), null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** A new key pair and a CSR for it (the hub sets the certificate's name itself). */
export async function newKeyAndCsr(subject: string): Promise<{ key: string; csr: string }> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: new x509.Name([{ CN: [subject] }]),
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey);
  return { key: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'), csr: csr.toString('pem') };
}

/** The identity a certificate answer makes, with the key the CSR was made from. */
export function identityFrom(key: string, answer: { deviceId: string; certificate: string; caCertificate: string; mqttUrl: string }): BoxIdentity {
  const cert = new x509.X509Certificate(answer.certificate);
  const cn = cert.subjectName.getField('CN')[0];
  if (cn !== answer.deviceId) throw new Error(`the certificate is for ${cn}, not ${answer.deviceId}`);
  return {
    deviceId: answer.deviceId,
    mqttUrl: answer.mqttUrl,
    key,
    certificate: answer.certificate,
    caCertificate: answer.caCertificate,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
  };
}

/** Renewal is due once two thirds of the certificate's life have passed (60 of 90 days). */
export function renewalDue(identity: Pick<BoxIdentity, 'notBefore' | 'notAfter'>, now: Date): boolean {
  const from = Date.parse(identity.notBefore);
  const to = Date.parse(identity.notAfter);
  return now.getTime() >= from + ((to - from) * 2) / 3;
}
