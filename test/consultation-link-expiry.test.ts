import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { Box } from '../appliance/box.ts';
import { demoIds } from '../appliance/clinic/demo-ids.ts';
import type { Inbox } from '../appliance/relay/synthetic-peer.ts';
import type { ClientMessage } from '../appliance/relay/protocol.ts';
import { https, loginDoctor, loopbackBox, socket } from './relay-support.ts';

/**
 * A consultation that runs into the end of the patient's ticket link (the end of the day's
 * service): the patient's socket ends with the link (media and chat stop for them), and the
 * patient can still withdraw consent for as long as it is active. The box's queue runs on a
 * clock the test moves.
 */

type Sock = { ws: WebSocket; inbox: Inbox; send: (m: ClientMessage) => void };
function open(s: Sock | { status: number }): Sock {
  if (!('ws' in s)) throw new Error(`socket refused: ${s.status}`);
  return s;
}
const closeOf = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

describe('a consultation at the end of the ticket link', () => {
  let box: Box;
  let doctor: { cookie: string };
  let offsetMs = 0;
  let expiresAt: number;
  const token = demoIds.ticketToken;
  const enc = demoIds.encounter;
  const patientSocket = () => socket(`${box.url}/api/v1/tickets/${token}/consultation/socket`, { origin: box.url });

  beforeAll(async () => {
    box = await loopbackBox({}, { now: () => new Date(Date.now() + offsetMs) });
    doctor = await loginDoctor(box.url);
    expiresAt = Date.parse((await https(`${box.url}/api/v1/tickets/${token}`)).json().expiresAt);
  });
  afterAll(async () => {
    await box?.close();
  });

  it('the patient’s socket ends at the link’s expiry by itself, with no message from either side', async () => {
    offsetMs = expiresAt - Date.now() - 3000; // 3 s before the end of service
    const p = open(await patientSocket());
    const code = await Promise.race([closeOf(p.ws), new Promise((r) => setTimeout(() => r('still open 10 s later'), 10_000))]);
    expect(code).toBe(4410);
  }, 20_000);

  it('after the expiry chat stops, the patient’s socket closes, and consent can still be withdrawn (once)', async () => {
    offsetMs = 0;
    const p = open(await patientSocket());
    const d = open(await socket(`${box.url}/api/v1/consultations/${enc}/socket`, { cookie: doctor.cookie, origin: box.url }));
    await p.inbox.next('hello');
    await d.inbox.next('hello');
    expect((await https(`${box.url}/api/v1/tickets/${token}/consent`, { method: 'POST' })).status).toBe(200);
    await d.inbox.next('consent', (m) => m.active);

    // The service ends mid-call.
    offsetMs = expiresAt - Date.now() + 60_000;
    const closed = closeOf(p.ws);
    p.send({ type: 'chat', text: 'Dok, masih di sana?' });
    expect(await closed).toBe(4410);
    await d.inbox.next('peer', (m) => m.role === 'patient' && !m.present);
    expect(d.inbox.all.filter((m) => m.type === 'chat')).toEqual([]);
    // The link opens no new socket.
    expect(await patientSocket()).toEqual({ status: 410 });

    // Withdrawal works while the consent is active, and the doctor's side hears it.
    const withdrawn = await https(`${box.url}/api/v1/tickets/${token}/consent/withdraw`, { method: 'POST' });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.json().consent).toBeNull();
    await d.inbox.next('consent', (m) => !m.active);
    // With no consent left to withdraw, the expired link answers 410 like every other use of it.
    const again = await https(`${box.url}/api/v1/tickets/${token}/consent/withdraw`, { method: 'POST' });
    expect(again.status).toBe(410);
    expect(again.json().error.code).toBe('expired');
    d.ws.close();
  });
});
