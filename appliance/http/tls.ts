import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdirPrivate } from '../storage/private-files.ts';
import { join } from 'node:path';
import selfsigned from 'selfsigned';

/**
 * The box's certificate: the configured PEM files, or a self-signed one made once at first start
 * and kept under the data dir (so phones that accepted it once keep trusting it).
 */
export async function loadOrCreateCertificate(opts: { dataDir: string; certFile?: string; keyFile?: string; hostnames: string[] }) {
  if (opts.certFile || opts.keyFile) {
    if (!opts.certFile || !opts.keyFile) throw new Error('tlsCertFile and tlsKeyFile must be set together');
    return { cert: readFileSync(opts.certFile, 'utf8'), key: readFileSync(opts.keyFile, 'utf8'), selfSigned: false };
  }
  const dir = join(opts.dataDir, 'tls');
  const certPath = join(dir, 'box-cert.pem');
  const keyPath = join(dir, 'box-key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) {
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), selfSigned: true };
  }
  mkdirPrivate(dir);
  const pems = await selfsigned.generate([{ name: 'commonName', value: opts.hostnames[0] }], {
    keySize: 2048,
    days: 3650,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'subjectAltName', altNames: [...opts.hostnames.map((h) => ({ type: 2, value: h })), { type: 7, ip: '127.0.0.1' }] },
    ],
  } as never);
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  writeFileSync(certPath, pems.cert, { mode: 0o600 });
  return { cert: pems.cert, key: pems.private, selfSigned: true };
}
