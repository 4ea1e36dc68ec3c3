/**
 * The hub's certificate authority: it signs each box's client certificate (CN = device id) from
 * the box's certificate signing request, and the list of revoked ones (CRL). Its key never leaves
 * the hub's data dir (`<dataDir>/ca/ca.key`, 0600, in a 0700 dir); the certificate (`ca.pem`) is
 * public: boxes and brokers check client and broker certificates against it.
 *
 * Library: @peculiar/x509 over Node's WebCrypto (pure JS, already in the tree through selfsigned
 * and werift): it reads and verifies PKCS#10 requests and writes certificates and CRLs with ECDSA
 * P-256 keys. node-forge was the other candidate; it does RSA only (no ECDSA), which means 2048-bit
 * keys made in JavaScript on a Raspberry Pi and larger handshakes over 2G for nothing.
 *
 * Keys are ECDSA P-256 (ES256), which OpenSSL (Mosquitto) and Node's TLS both take.
 */
import { webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

/** How long a box's certificate lives; the box renews it at two thirds of that (appliance/enrolment). */
export const BOX_CERT_DAYS = 90;
/** The CA's own lifetime: rotate it well before (central/README.md, "Rotating the hub CA"). */
export const CA_CERT_DAYS = 3650;
/**
 * How long a CRL says it is good for. Mosquitto (OpenSSL) refuses every client once the CRL it
 * holds is past its nextUpdate (eclipse-mosquitto issue #1826), and a hub that is down cannot renew it:
 * so a long one, rewritten at each revocation and reload; it is a backstop behind the ACL.
 */
export const CRL_DAYS = 3650;

export interface HubCa {
  certificate: x509.X509Certificate;
  /** The CA certificate as PEM, for boxes and brokers. */
  certificatePem: string;
  privateKey: CryptoKey;
}

/** Loads the hub's CA from `<dataDir>/ca`, making it on first use. */
export async function loadOrCreateHubCa(dataDir: string, now: () => Date = () => new Date(), name = 'Simpul Hub CA'): Promise<HubCa> {
  const dir = join(dataDir, 'ca');
  const keyFile = join(dir, 'ca.key');
  const certFile = join(dir, 'ca.pem');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (existsSync(keyFile) && existsSync(certFile)) {
    chmodSync(keyFile, 0o600);
    const pkcs8 = x509.PemConverter.decodeFirst(readFileSync(keyFile, 'utf8'));
    const privateKey = (await webcrypto.subtle.importKey('pkcs8', pkcs8, EC, false, ['sign'])) as unknown as CryptoKey;
    const certificatePem = readFileSync(certFile, 'utf8');
    return { certificate: new x509.X509Certificate(certificatePem), certificatePem, privateKey };
  }
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const at = now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: new x509.Name([{ CN: [name] }, { O: ['Simpul'] }]),
    notBefore: new Date(at.getTime() - 5 * 60_000),
    notAfter: new Date(at.getTime() + CA_CERT_DAYS * DAY),
    keys,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey);
  writePrivate(keyFile, x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'));
  const certificatePem = certificate.toString('pem') + '\n';
  writePrivate(certFile, certificatePem);
  const privateKey = (await webcrypto.subtle.importKey('pkcs8', pkcs8, EC, false, ['sign'])) as unknown as CryptoKey;
  return { certificate, certificatePem, privateKey };
}

function writePrivate(file: string, text: string) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** 16 random bytes, top bit clear (a positive DER integer). */
export function randomSerial(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] &= 0x7f;
  b[0] |= 0x01;
  return Buffer.from(b).toString('hex');
}

export class CsrError extends Error {}

/** A CSR's public key, after checking it is well formed, self-signed and an ECDSA P-256 key. */
export async function checkCsr(csrPem: string): Promise<x509.Pkcs10CertificateRequest> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch {
    throw new CsrError('not a PEM certificate signing request');
  }
  const alg = csr.publicKey.algorithm as EcKeyAlgorithm;
  if (alg.name !== 'ECDSA' || alg.namedCurve !== 'P-256') throw new CsrError('the key must be ECDSA P-256');
  if (!(await csr.verify())) throw new CsrError('the request is not signed by its own key');
  return csr;
}

export interface IssuedCertificate {
  pem: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
}

/** A client certificate for `deviceId` on the CSR's key (whatever subject the CSR asked for). */
export async function issueBoxCertificate(ca: HubCa, csrPem: string, deviceId: string, now: Date, days = BOX_CERT_DAYS): Promise<IssuedCertificate> {
  const csr = await checkCsr(csrPem);
  const serial = randomSerial();
  // A few minutes back: a box whose clock is slightly behind still accepts its new certificate.
  const notBefore = new Date(now.getTime() - 5 * 60_000);
  const notAfter = new Date(now.getTime() + days * DAY);
  const publicKey = await csr.publicKey.export();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: new x509.Name([{ CN: [deviceId] }]),
    issuer: ca.certificate.subjectName,
    notBefore,
    notAfter,
    publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
      await x509.AuthorityKeyIdentifierExtension.create(ca.certificate, false),
    ],
  });
  return { pem: cert.toString('pem') + '\n', serial, notBefore, notAfter };
}

/** The CRL listing `serials` (hex), signed by the CA. */
export async function issueCrl(ca: HubCa, revoked: { serial: string; revokedAt: Date }[], now: Date): Promise<string> {
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.certificate.subjectName,
    thisUpdate: new Date(now.getTime() - 5 * 60_000),
    nextUpdate: new Date(now.getTime() + CRL_DAYS * DAY),
    signingKey: ca.privateKey,
    signingAlgorithm: SIGN,
    entries: revoked.map((r) => ({ serialNumber: r.serial, revocationDate: r.revokedAt, reason: x509.X509CrlReason.keyCompromise })),
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(ca.certificate, false)],
  });
  // OpenSSL (Mosquitto) reads only the 'X509 CRL' label.
  return x509.PemConverter.encode(crl.rawData, 'X509 CRL') + '\n';
}

/**
 * A key and certificate for a broker's TLS listener, signed by the hub's CA, so that a box checks
 * the broker with the one CA certificate it got at enrolment. `names` are DNS names or IP addresses.
 */
export async function issueServerCertificate(ca: HubCa, names: string[], now: Date, days = BOX_CERT_DAYS): Promise<{ key: string; cert: string; notAfter: Date }> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const notAfter = new Date(now.getTime() + days * DAY);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: new x509.Name([{ CN: [names[0] ?? 'simpul-broker'] }]),
    issuer: ca.certificate.subjectName,
    notBefore: new Date(now.getTime() - 5 * 60_000),
    notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(names.map((n) => (/^[\d.]+$|:/.test(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n }))),
      await x509.AuthorityKeyIdentifierExtension.create(ca.certificate, false),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey);
  return { key: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'), cert: cert.toString('pem') + '\n', notAfter };
}
