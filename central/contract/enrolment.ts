/**
 * Enrolment and certificate renewal between a box and the hub: what a new box sends to the hub's
 * `POST /enrol` with its claim code, what it gets back, and the two MQTT messages of a renewal
 * (the box asks over its authenticated link; the hub answers on the box's own downlink).
 */
import { z } from 'zod';
import { TOPIC_ROOT, isDeviceId } from './topics.ts';

const pem = (label: string) =>
  z
    .string()
    .max(16_384)
    .regex(new RegExp(`^-----BEGIN ${label}-----[\\s\\S]+-----END ${label}-----\\s*$`), `expected a PEM ${label}`);

export const enrolRequest = z.object({
  /** As printed: 16 letters and digits in groups of four (case, spaces and O/0, I/1 do not matter). */
  claimCode: z.string().trim().min(16).max(40),
  /** The kode faskes this box serves, e.g. 0112P001: the claim must be for it. */
  facilityCode: z.string().regex(/^[0-9A-Z]{8}$/, 'expected an 8-character kode faskes, e.g. 0112P001'),
  /** PKCS#10, ECDSA P-256, made by the box (its key stays on it). */
  csr: pem('CERTIFICATE REQUEST'),
  name: z.string().max(100).optional(),
});
export type EnrolRequest = z.infer<typeof enrolRequest>;

export const enrolResponse = z.object({
  deviceId: z.string().refine(isDeviceId, 'a device id'),
  certificate: pem('CERTIFICATE'),
  caCertificate: pem('CERTIFICATE'),
  /** The broker for boxes, mqtts://host:port. */
  mqttUrl: z.string().regex(/^mqtts:\/\/[^\s/]+(:\d+)?\/?$/),
  notAfter: z.string(),
});
export type EnrolResponse = z.infer<typeof enrolResponse>;

/** box → hub over MQTT: a new CSR, sent well before the certificate expires. */
export const certificateRequest = z.object({ v: z.literal(1), csr: pem('CERTIFICATE REQUEST') });
/** hub → box: the new certificate, or why not. */
export const certificateAnswer = z.union([
  z.object({ v: z.literal(1), ok: z.literal(true), certificate: pem('CERTIFICATE'), caCertificate: pem('CERTIFICATE'), notAfter: z.string() }),
  z.object({ v: z.literal(1), ok: z.literal(false), reason: z.string().max(200) }),
]);

export const certificateTopics = {
  request: (d: string) => `${TOPIC_ROOT}/${d}/up/certificate`,
  answer: (d: string) => `${TOPIC_ROOT}/${d}/down/certificate`,
};

/** The device of a renewal request's topic, or null for any other topic. */
export function certificateRequestDevice(topic: string): string | null {
  const m = /^simpul\/v1\/([^/]+)\/up\/certificate$/.exec(topic);
  return m && isDeviceId(m[1]) ? m[1] : null;
}
