import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Box } from '../appliance/box.ts';
import { demoIds } from '../appliance/clinic/demo-ids.ts';
import { SyntheticPeer, type Inbox } from '../appliance/relay/synthetic-peer.ts';
import { sleep, until } from './support/wait.ts';
import type { ClientMessage } from '../appliance/relay/protocol.ts';
import { https, loginDoctor, loopbackBox, socket } from './relay-support.ts';
import { answerMismatches } from './answer-schema-check.ts';
import { callsAnswer } from '../appliance/http/schemas/consultation.ts';

/**
 * The consultation through a real box: HTTPS, WebSocket signaling authenticated by the doctor's
 * session or the patient's ticket link, consent given and withdrawn over the HTTP API, media
 * between two werift peers through the box's relay.
 */

type Sock = { ws: import('ws').WebSocket; inbox: Inbox; send: (m: ClientMessage) => void };
const isSock = (s: Sock | { status: number }): s is Sock => 'ws' in s;

describe('consultation signaling through the box', () => {
  let box: Box;
  let doctor: { cookie: string; csrf: string };
  const token = demoIds.ticketToken;
  const enc = demoIds.encounter;
  beforeAll(async () => {
    box = await loopbackBox();
    doctor = await loginDoctor(box.url);
  });
  afterAll(async () => {
    await box?.close();
  });

  it('refuses sockets without a session, with a wrong role, across origins, or without an open consultation', async () => {
    expect(await socket(`${box.url}/api/v1/consultations/${enc}/socket`)).toEqual({ status: 401 });
    expect(await socket(`${box.url}/api/v1/consultations/${enc}/socket`, { cookie: doctor.cookie, origin: 'https://evil.example' })).toEqual({ status: 403 });
    // The same host is another origin on another scheme or port (e.g. a page on the box's plain HTTP port).
    const { hostname, port } = new URL(box.url);
    expect(await socket(`${box.url}/api/v1/consultations/${enc}/socket`, { cookie: doctor.cookie, origin: `http://${hostname}:${port}` })).toEqual({ status: 403 });
    expect(await socket(`${box.url}/api/v1/consultations/${enc}/socket`, { cookie: doctor.cookie, origin: `https://${hostname}:${Number(port) + 1}` })).toEqual({ status: 403 });
    expect(await socket(`${box.url}/api/v1/tickets/${token}/consultation/socket`, { origin: `http://${hostname}:${port}` })).toEqual({ status: 403 });
    expect(await socket(`${box.url}/api/v1/tickets/no-such-ticket-aaaaaaaaaaaaaa/consultation/socket`)).toEqual({ status: 404 });
    const plain = await https(`${box.url}/api/v1/consultations/${enc}/socket`, { headers: { cookie: doctor.cookie } });
    expect(plain.status).toBe(426);
  });

  it('gates media on consent given and withdrawn through the HTTP API, and keeps the call’s quality', async () => {
    const p = await socket(`${box.url}/api/v1/tickets/${token}/consultation/socket`, { origin: box.url });
    const d = await socket(`${box.url}/api/v1/consultations/${enc}/socket`, { cookie: doctor.cookie, origin: box.url });
    if (!isSock(p) || !isSock(d)) throw new Error(`sockets refused: ${JSON.stringify([p, d])}`);
    expect(await p.inbox.next('hello')).toMatchObject({ role: 'patient', consent: false });
    expect(await d.inbox.next('hello')).toMatchObject({ role: 'doctor', consent: false });

    // Before consent: an offer gets no answer and no peer connection exists.
    const pp = new SyntheticPeer(),
      dp = new SyntheticPeer();
    p.send({ type: 'offer', sdp: await pp.offer() });
    expect((await p.inbox.next('error')).code).toBe('consent_required');
    expect(box.relay.stats().peerConnections).toBe(0);

    // Chat works already (and whatever happens to media).
    d.send({ type: 'chat', text: 'Halo Bu, saya dr. Andi' });
    expect((await p.inbox.next('chat')).text).toBe('Halo Bu, saya dr. Andi');

    // The patient taps "Saya setuju" on the ticket page: both sides hear it from the box.
    expect((await https(`${box.url}/api/v1/tickets/${token}/consent`, { method: 'POST' })).status).toBe(200);
    await p.inbox.next('consent', (m) => m.active);
    await d.inbox.next('consent', (m) => m.active);

    for (const [s, peer] of [
      [p, pp],
      [d, dp],
    ] as const) {
      s.send({ type: 'offer', sdp: await peer.offer() });
      await peer.answer((await s.inbox.next('answer')).sdp);
      await peer.connected();
      peer.startSending();
    }
    await until('media both ways', () => pp.received.video > 30 && dp.received.video > 30 && pp.received.audio > 10 && dp.received.audio > 10);
    expect(box.relay.stats().peerConnections).toBe(2);

    // Withdrawal over HTTP stops media at once.
    const t0 = performance.now();
    expect((await https(`${box.url}/api/v1/tickets/${token}/consent/withdraw`, { method: 'POST' })).status).toBe(200);
    await d.inbox.next('media', (m) => m.state === 'stopped' && m.reason === 'withdrawn', 2000);
    const stopMs = performance.now() - t0;
    expect(box.relay.stats().peerConnections).toBe(0);
    await sleep(150);
    const seen = [pp.received.video, dp.received.video];
    await sleep(500);
    expect([pp.received.video, dp.received.video]).toEqual(seen);
    console.log(`withdrawal over HTTP → media stopped in ${stopMs.toFixed(0)} ms (HTTP round trip included)`);

    await pp.close();
    await dp.close();
    p.ws.close();
    d.ws.close();
    await until('room gone', () => box.relay.stats().rooms === 0);
    const calls = await until('the call saved with the encounter', async () => {
      const res = await https(`${box.url}/api/v1/encounters/${enc}/calls`, { headers: { cookie: doctor.cookie } });
      return res.status !== 200 || res.json().calls.length > 0 ? res : null;
    });
    expect(calls.status).toBe(200);
    expect(answerMismatches(callsAnswer, calls.json())).toEqual([]);
    const rec = calls.json().calls.at(-1);
    expect(rec).toMatchObject({ encounterId: enc, endReason: 'withdrawn' });
    expect(rec.legs.patient.packetsIn).toBeGreaterThan(30);
    expect(JSON.stringify(rec)).not.toMatch(/sdp|payload/i); // figures only
  });

  it('serves the doctor’s consultation screen and the panel beside the encounter form', async () => {
    const full = await https(`${box.url}/staff/konsultasi/${enc}`, { headers: { cookie: doctor.cookie } });
    expect(full.status).toBe(200);
    expect(full.body).toContain(`data-encounter="${enc}"`);
    const exam = await https(`${box.url}/staff/pemeriksaan`, { headers: { cookie: doctor.cookie } });
    expect(exam.body).toContain('data-testid="consultation-panel"');
    // The panel's script travels in the examination page's own bundle.
    const src = exam.body.match(/src="(\/assets\/pemeriksaan\.js[^"]*)"/)?.[1];
    expect(src).toBeTruthy();
    // The call's code (browser/call.ts, minified): its socket address and its peer connection.
    const bundle = (await https(`${box.url}${src}`)).body;
    expect(bundle).toContain('/api/v1/consultations/');
    expect(bundle).toContain('new RTCPeerConnection(');
  });

  it('exposes relay figures on /metrics', async () => {
    const res = await https(`${box.url}/metrics`);
    if (res.status === 200) expect(res.body).toContain('simpul_relay_peer_connections 0');
  });
});
