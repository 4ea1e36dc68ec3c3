/**
 * The box renews its own certificate, with no technician and no restart: once two thirds of its
 * life have passed (day 60 of 90) it makes a new key and CSR and sends the CSR over its
 * authenticated MQTT link; the hub answers on the box's own downlink with a certificate for the
 * new key; the box stores key and certificate together (one rename) and reconnects with them at
 * once. Asked again at each connect and every `checkEveryMs` until it has one, so a hub that was
 * away or a lost answer only delays it; the old certificate still has 30 days.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { Logger } from 'pino';
import { certificateAnswer, certificateTopics } from '../../central/contract/enrolment.ts';
import { identityFrom, newKeyAndCsr, readIdentity, renewalDue, writeIdentity, type BoxIdentity } from './identity.ts';

export interface RenewalLink {
  publish(topic: string, frame: Buffer): Promise<void>;
  reconnectNow(): void;
}

export class CertificateRenewal {
  private current: BoxIdentity;
  /** Keys of CSRs sent and not yet answered (newest last, a few at most), and when the last was sent. */
  private pendingKeys: string[] = [];
  private lastAskedAt = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  renewals = 0;

  constructor(private readonly o: { dataDir: string; link: RenewalLink; now: () => Date; log: Logger; checkEveryMs?: number }) {
    const id = readIdentity(o.dataDir);
    if (!id) throw new Error('no identity.json: the box is not enrolled with a certificate');
    this.current = id;
  }

  identity(): BoxIdentity {
    return this.current;
  }

  start() {
    this.timer = setInterval(() => void this.check(), this.o.checkEveryMs ?? 3_600_000);
    this.timer.unref();
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
  }

  /** Sends a renewal request when one is due (called at each connect and on the timer). */
  async check(): Promise<boolean> {
    const now = this.o.now().getTime();
    if (!renewalDue(this.current, this.o.now())) return false;
    // One request a minute at most: the answer to an earlier one may still be on its way.
    if (now - this.lastAskedAt < 60_000) return false;
    this.lastAskedAt = now;
    const { key, csr } = await newKeyAndCsr(this.current.deviceId);
    this.pendingKeys = [...this.pendingKeys.slice(-4), key];
    try {
      await this.o.link.publish(certificateTopics.request(this.current.deviceId), Buffer.from(JSON.stringify({ v: 1, csr })));
      this.o.log.info({ notAfter: this.current.notAfter }, 'enrolment: asked the hub to renew the box certificate');
      return true;
    } catch (err) {
      this.o.log.debug({ err: (err as Error).message }, 'enrolment: renewal request not sent (asked again later)');
      return false;
    }
  }

  /** The hub's answer (topic certificateTopics.answer). */
  async onAnswer(payload: Buffer): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString('utf8'));
    } catch {
      return void this.o.log.warn('enrolment: a certificate answer that is not JSON was ignored');
    }
    const a = certificateAnswer.safeParse(parsed);
    if (!a.success) return void this.o.log.warn('enrolment: a malformed certificate answer was ignored');
    if (!a.data.ok) return void this.o.log.error({ reason: a.data.reason }, 'enrolment: the hub refused to renew the box certificate');
    // Only a certificate for a key this box made for it, from the CA the box already trusts.
    const cert = new X509Certificate(a.data.certificate);
    const key = this.pendingKeys.find((k) => cert.checkPrivateKey(createPrivateKey(k)));
    if (!key || !cert.verify(new X509Certificate(this.current.caCertificate).publicKey)) {
      return void this.o.log.error('enrolment: a renewed certificate not for a key we asked with, or not from the hub CA, was ignored');
    }
    const next = identityFrom(key, { deviceId: this.current.deviceId, certificate: a.data.certificate, caCertificate: a.data.caCertificate, mqttUrl: this.current.mqttUrl });
    writeIdentity(this.o.dataDir, next);
    this.current = next;
    this.pendingKeys = [];
    this.lastAskedAt = -Infinity;
    this.renewals++;
    this.o.log.info({ notAfter: next.notAfter }, 'enrolment: box certificate renewed; reconnecting with it');
    this.o.link.reconnectNow();
  }
}
