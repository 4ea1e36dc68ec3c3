/**
 * Revocation takes effect at once, on either broker:
 * - the box is marked revoked (the hub drops its messages from then on);
 * - the broker stops knowing it: the embedded broker checks the database at every connect; for
 *   Mosquitto the hub rewrites its password file, ACL (the box's lines are gone, so even a
 *   reconnect with a still-valid certificate may neither read nor write) and CRL, and reloads it
 *   (SIGHUP). Mosquitto's CRL handling has a history (eclipse-mosquitto #35: CRLs read only at
 *   start; #1402: SIGHUP dropped every certificate client; #1826: a CRL past its nextUpdate refuses
 *   everyone; #2916: after a reload with a crlfile every new connection failed; PR #3568: CA store
 *   not refreshed on SIGHUP), so nothing rests on the CRL alone: measured on Mosquitto 2.0.11
 *   (test/enrolment-mosquitto.test.ts), the SIGHUP rereads it and the revoked certificate is refused
 *   at the handshake, new connections still work, and after a restart it is refused too;
 * - its open session is closed: the embedded broker closes it; on Mosquitto a SIGHUP leaves a
 *   connected certificate client connected (measured on 2.0.11, same test: its ACL is gone, so it
 *   can do nothing, but it holds a connection), so the hub connects once with the box's client id on
 *   its own listener: Mosquitto's client ids are broker-wide, the new connection takes the session
 *   over and the box's is closed.
 * A revocation made elsewhere (provisioning/cli.ts revoke, another hub process) is noticed by the
 * watch within `everyMs` and treated the same.
 */
import type { Logger } from 'pino';
import type { HubQueryable } from '../storage/db.ts';
import { revokeDevice } from './devices.ts';

export interface BrokerControl {
  /** The set of boxes changed (enrolled, revoked): rewrite what the broker reads, and reload it. */
  refresh(): Promise<void>;
  /** Closes the box's open connection, if any. */
  disconnect(deviceId: string): Promise<void>;
}

/** `revoked`: told as soon as the registry says so, before the broker is (the hub's ingest refuses the box's messages from then on). */
export async function revokeBox(db: HubQueryable, control: BrokerControl, deviceId: string, log: Logger, revoked?: (deviceId: string) => void): Promise<boolean> {
  if (!(await revokeDevice(db, deviceId))) return false;
  revoked?.(deviceId);
  await applyRevocations(control, [deviceId], log);
  return true;
}

async function applyRevocations(control: BrokerControl, deviceIds: string[], log: Logger) {
  await control.refresh();
  for (const id of deviceIds) {
    log.warn({ deviceId: id }, 'revoked: the box is off the broker');
    await control.disconnect(id);
  }
}

/** Applies revocations made outside this process; returns a stop function. */
export function watchRevocations(db: HubQueryable, control: BrokerControl, log: Logger, everyMs = 10_000): () => void {
  let known: Set<string> | null = null;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const { rows } = await db.query<{ id: string }>(`SELECT id FROM devices WHERE revoked_at IS NOT NULL`);
      const now = new Set(rows.map((r) => r.id));
      // At start every revoked box is put off once (a restart must not let one back in).
      const fresh = [...now].filter((id) => !known?.has(id));
      known = now;
      if (fresh.length) await applyRevocations(control, fresh, log);
    } catch (err) {
      log.warn({ err }, 'revocation watch failed; trying again');
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
