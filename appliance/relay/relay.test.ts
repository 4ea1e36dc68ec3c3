import { afterAll, afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { GenericNack, PictureLossIndication, RtcpPayloadSpecificFeedback, RtcpTransportLayerFeedback, type RtpPacket } from 'werift';
import { createRelay, type Relay, type RelaySession } from './relay.ts';
import { Inbox, SyntheticPeer } from './synthetic-peer.ts';
import { sleep, until } from '../../test/support/wait.ts';
import { videoBitrateOf } from './sdp.ts';
import type { CallRecord } from './quality.ts';
import type { Party } from './protocol.ts';
import { ManualClock } from './testing.ts';

/**
 * The relay with werift peers as patient and doctor, over loopback UDP: the consent gate, forwarding
 * both ways, keyframe requests, withdrawal, hang-up, and what is left after many calls.
 */

/** `clock`: housekeeping (consent polls, keyframe retries, quality) moves only when the test moves it. */
function world(bitrateKbps = 600, clock?: ManualClock) {
  const consent = new Map<string, boolean>();
  const listeners = new Set<(id: string, active: boolean) => void>();
  const calls: CallRecord[] = [];
  const relay = createRelay(
    { hostAddresses: ['127.0.0.1'], restrictRemoteToHostAddresses: true, bitrateKbps, tickMs: 250, qualityMs: 500, consentPollMs: 500 },
    {
      log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      consentActive: async (id) => consent.get(id) ?? false,
      onConsentChange: (l) => {
        listeners.add(l);
        return () => void listeners.delete(l);
      },
      saveCall: async (r) => {
        calls.push(r);
      },
      clock,
    },
  );
  const setConsent = (id: string, active: boolean) => {
    consent.set(id, active);
    for (const l of listeners) l(id, active);
  };
  return { relay, consent, setConsent, calls, listeners };
}

interface Participant {
  role: Party;
  inbox: Inbox;
  session: RelaySession;
  peer: SyntheticPeer;
}

function join(relay: Relay, encounterId: string, role: Party): Participant {
  const inbox = new Inbox();
  const session = relay.connect(encounterId, role, inbox.push);
  return { role, inbox, session, peer: new SyntheticPeer() };
}

/** Offer → answer → connected (only possible with consent). */
async function startMedia(p: Participant) {
  await p.session.handle({ type: 'offer', sdp: await p.peer.offer() });
  const answer = await p.inbox.next('answer');
  await p.peer.answer(answer.sdp);
  await p.peer.connected();
  return answer;
}

async function leave(...ps: Participant[]) {
  for (const p of ps) {
    p.session.close();
    await p.peer.close();
  }
}

describe('relay', () => {
  const relays: Relay[] = [];
  afterEach(async () => {
    for (const r of relays.splice(0)) await r.close();
  });
  afterAll(async () => {
    await sleep(50);
  });

  it('creates no peer connection and forwards nothing before consent', async () => {
    const w = world();
    relays.push(w.relay);
    const patient = join(w.relay, 'enc-1', 'patient');
    const doctor = join(w.relay, 'enc-1', 'doctor');
    expect((await patient.inbox.next('hello')).consent).toBe(false);
    await patient.session.handle({ type: 'offer', sdp: await patient.peer.offer() });
    await doctor.session.handle({ type: 'offer', sdp: await doctor.peer.offer() });
    expect((await patient.inbox.next('error')).code).toBe('consent_required');
    expect((await doctor.inbox.next('error')).code).toBe('consent_required');
    expect(patient.inbox.has('answer') || doctor.inbox.has('answer')).toBe(false);
    expect(w.relay.stats()).toMatchObject({ peerConnections: 0, peerConnectionsCreated: 0, refusedNoConsent: 2 });
    // Chat is text, not media: it works before consent (and when media fails).
    await doctor.session.handle({ type: 'chat', text: 'Selamat pagi, Bu' });
    expect((await patient.inbox.next('chat')).text).toBe('Selamat pagi, Bu');
    await leave(patient, doctor);
    expect(w.relay.stats()).toMatchObject({ rooms: 0, peerConnections: 0 });
  });

  it('forwards audio and video both ways, caps the bitrate, and asks for a keyframe when a receiver joins', async () => {
    const w = world(450);
    relays.push(w.relay);
    w.setConsent('enc-2', true);
    const patient = join(w.relay, 'enc-2', 'patient');
    const doctor = join(w.relay, 'enc-2', 'doctor');
    const answer = await startMedia(patient);
    expect(videoBitrateOf(answer.sdp)).toBe(450);
    expect(answer.sdp).not.toMatch(/typ (srflx|relay)/); // host candidates only, no STUN/TURN
    patient.peer.startSending();
    await sleep(300);
    // Nobody receives yet: the relay drops (never buffers) the patient's media.
    const plisBefore = patient.peer.plis;
    await startMedia(doctor);
    doctor.peer.startSending();
    await until('a PLI to the patient after the doctor joined', () => patient.peer.plis > plisBefore);
    await until(
      'media both ways',
      () => doctor.peer.received.video > 60 && patient.peer.received.video > 60 && doctor.peer.received.audio > 20 && patient.peer.received.audio > 20,
    );
    expect(doctor.peer.plis).toBeGreaterThan(0);
    // Payloads arrive as sent (no transcoding): sizes match what the synthetic encoder made.
    expect(doctor.peer.received.videoBytes / doctor.peer.received.video).toBeGreaterThan(500);
    await until('a quality report', () => patient.inbox.has('quality'));
    const q = patient.inbox.all.filter((m) => m.type === 'quality').pop()!;
    expect(q.type === 'quality' && q.you.up.kbps).toBeGreaterThan(200);
    await leave(patient, doctor);
    await until('the call record', () => w.calls.length === 1);
    expect(w.calls[0].legs.patient.packetsIn).toBeGreaterThan(100);
    expect(w.calls[0].keyframeRequests.join).toBeGreaterThan(0);
    expect(w.relay.stats()).toMatchObject({ rooms: 0, peerConnections: 0, timer: false });
  });

  it('stops media at once when consent is withdrawn, and refuses it again until consent is back', async () => {
    const w = world();
    relays.push(w.relay);
    w.setConsent('enc-3', true);
    const patient = join(w.relay, 'enc-3', 'patient');
    const doctor = join(w.relay, 'enc-3', 'doctor');
    await startMedia(patient);
    await startMedia(doctor);
    patient.peer.startSending();
    doctor.peer.startSending();
    await until('media flowing', () => doctor.peer.received.video > 30 && patient.peer.received.video > 30);
    const t0 = performance.now();
    w.setConsent('enc-3', false);
    const stopped = await patient.inbox.next('media', (m) => m.state === 'stopped');
    expect(stopped.reason).toBe('withdrawn');
    expect(performance.now() - t0).toBeLessThan(100);
    expect(w.relay.stats().peerConnections).toBe(0);
    await sleep(150); // packets already on the wire
    const seen = { p: patient.peer.received.video, d: doctor.peer.received.video };
    await sleep(600);
    expect(patient.peer.received.video).toBe(seen.p);
    expect(doctor.peer.received.video).toBe(seen.d);
    // A new offer without consent is refused; with consent back it works again.
    const again = new SyntheticPeer();
    await patient.session.handle({ type: 'offer', sdp: await again.offer() });
    expect((await patient.inbox.next('error')).code).toBe('consent_required');
    expect(w.relay.stats().peerConnections).toBe(0);
    await again.close();
    await leave(patient, doctor);
  });

  it('also stops media when the database says consent is gone (poll), and on hang-up', async () => {
    const clock = new ManualClock();
    const w = world(600, clock);
    relays.push(w.relay);
    w.consent.set('enc-4', true);
    const patient = join(w.relay, 'enc-4', 'patient');
    const doctor = join(w.relay, 'enc-4', 'doctor');
    await startMedia(patient);
    await startMedia(doctor);
    w.consent.set('enc-4', false); // changed behind the relay's back: no event
    await clock.advance(250); // one housekeeping tick: not yet a consent poll (every 500 ms)
    expect(doctor.inbox.all.some((m) => m.type === 'media' && m.state === 'stopped')).toBe(false);
    await clock.advance(250);
    expect((await doctor.inbox.next('media', (m) => m.state === 'stopped', 3000)).reason).toBe('withdrawn');
    await leave(patient, doctor);

    w.consent.set('enc-5', true);
    const p2 = join(w.relay, 'enc-5', 'patient');
    const d2 = join(w.relay, 'enc-5', 'doctor');
    await startMedia(p2);
    await startMedia(d2);
    await p2.session.handle({ type: 'hangup' });
    const m = await d2.inbox.next('media', (x) => x.state === 'stopped');
    expect(m).toMatchObject({ reason: 'hangup', by: 'patient' });
    expect(w.relay.stats().peerConnections).toBe(0);
    await leave(p2, d2);
  });

  it('stops sending video to a participant who switched to audio only, and resumes with a keyframe', async () => {
    const w = world();
    relays.push(w.relay);
    w.setConsent('enc-6', true);
    const patient = join(w.relay, 'enc-6', 'patient');
    const doctor = join(w.relay, 'enc-6', 'doctor');
    await startMedia(patient);
    await startMedia(doctor);
    patient.peer.startSending();
    doctor.peer.startSending();
    await until('media', () => patient.peer.received.video > 30);
    await patient.session.handle({ type: 'state', audioOnly: true });
    expect(await doctor.inbox.next('peer', (m) => m.audioOnly === true)).toMatchObject({ role: 'patient' });
    await sleep(200);
    const v = patient.peer.received.video,
      a = patient.peer.received.audio;
    await sleep(500);
    expect(patient.peer.received.video).toBe(v);
    expect(patient.peer.received.audio).toBeGreaterThan(a + 10);
    const plis = doctor.peer.plis;
    await patient.session.handle({ type: 'state', audioOnly: false });
    await until('video again', () => patient.peer.received.video > v + 20);
    expect(doctor.peer.plis).toBeGreaterThan(plis);
    await leave(patient, doctor);
  });

  it("passes a receiver's PLI on to the sender when the receiver signs it as a browser does", async () => {
    const clock = new ManualClock();
    const w = world(600, clock);
    relays.push(w.relay);
    w.setConsent('enc-7', true);
    const patient = join(w.relay, 'enc-7', 'patient');
    const doctor = join(w.relay, 'enc-7', 'doctor');
    await startMedia(patient);
    const answer = await startMedia(doctor);
    patient.peer.startSending();
    await until('video to the doctor', () => doctor.peer.received.video > 30);
    // Chromium puts the SSRC of its own outgoing video as the PLI's sender SSRC; the relay knows
    // that SSRC as its receiver's, which is where werift delivers the packet.
    const relayVideoSsrc = Number(
      answer.sdp
        .split(/\r?\nm=/)
        .find((s) => s.startsWith('video'))!
        .match(/a=ssrc:(\d+)/)![1],
    );
    expect(relayVideoSsrc).toBeGreaterThan(0);
    const pli = new RtcpPayloadSpecificFeedback({ feedback: new PictureLossIndication({ senderSsrc: doctor.peer.video.sender.ssrc, mediaSsrc: relayVideoSsrc }) });
    // The doctor decodes: the relay's own join-time and until-decoded requests stop (and with them
    // its 250 ms spacing of requests to one sender), so the next one can only be the doctor's.
    await doctor.session.handle({ type: 'stats', framesDecoded: 30, audioPacketsReceived: 30, fps: 30 });
    await clock.advance(1000);
    const plis = patient.peer.plis;
    await doctor.peer.video.receiver.dtlsTransport.sendRtcp([pli]);
    await until("the doctor's PLI passed on to the patient", () => patient.peer.plis > plis);
    await leave(doctor, patient);
    await until('the call record', () => w.calls.length === 1);
    expect(w.calls[0].keyframeRequests.pli).toBeGreaterThan(0);
  });

  it.each([
    ['plain', false],
    ['RTX', true],
  ])("answers a receiver's NACK from its own history with the packet as it was sent (%s)", async (_, rtx) => {
    const w = world();
    relays.push(w.relay);
    const enc = `enc-8-${rtx}`;
    w.setConsent(enc, true);
    const patient = join(w.relay, enc, 'patient');
    const doctor = { ...join(w.relay, enc, 'doctor'), peer: new SyntheticPeer({ rtx }) };
    await startMedia(patient);
    const answer = await startMedia(doctor);
    const videoSection = answer.sdp.split(/\r?\nm=/).find((s) => s.startsWith('video'))!;
    expect(/a=rtpmap:\d+ rtx\/90000/.test(videoSection)).toBe(rtx);
    const got: RtpPacket[] = [];
    doctor.peer.pc
      .getTransceivers()
      .find((t) => t.kind === 'video')!
      .receiver.tracks[0]?.onReceiveRtp.subscribe((p) => {
        got.push(p);
      });
    patient.peer.startSending();
    await until('video to the doctor', () => got.length > 200);
    patient.peer.stopSending();
    await sleep(200);
    const relayVideoSsrc = Number(
      answer.sdp
        .split(/\r?\nm=/)
        .find((s) => s.startsWith('video'))!
        .match(/a=ssrc:(\d+)/)![1],
    );
    // Two packets well inside the last 128, and one long gone from the history.
    const wanted = [got[got.length - 10], got[got.length - 100]];
    const gone = got[0].header.sequenceNumber;
    const before = got.length;
    const nack = new GenericNack({ senderSsrc: doctor.peer.video.sender.ssrc, mediaSourceSsrc: relayVideoSsrc, lost: [...wanted.map((p) => p.header.sequenceNumber), gone] });
    await doctor.peer.video.receiver.dtlsTransport.sendRtcp([new RtcpTransportLayerFeedback({ feedback: nack })]);
    await until('the retransmissions', () => got.length >= before + 2, 3000);
    await sleep(200);
    const again = got.slice(before);
    expect(again.map((p) => p.header.sequenceNumber).sort()).toEqual(wanted.map((p) => p.header.sequenceNumber).sort());
    for (const p of again) expect(p.payload.equals(wanted.find((q) => q.header.sequenceNumber === p.header.sequenceNumber)!.payload)).toBe(true);
    await leave(doctor, patient);
  });

  const N = Math.min(500, Number(process.env.RELAY_CLEANUP_CALLS ?? 100));
  it(`leaves no peer connection, UDP socket, timer or memory behind after ${N} calls`, { timeout: 60_000 + N * 2_000 }, async () => {
    const resources = () => {
      const r = process.getActiveResourcesInfo();
      return { udp: r.filter((x) => x === 'UDPWRAP' || x === 'UDPWrap').length, timers: r.filter((x) => x === 'Timeout').length };
    };
    const w = world();
    const gc = (globalThis as { gc?: () => void }).gc;
    // One call first: werift and the JIT warm up their lazily made singletons.
    w.setConsent('warm', true);
    {
      const p = join(w.relay, 'warm', 'patient'),
        d = join(w.relay, 'warm', 'doctor');
      await startMedia(p);
      await startMedia(d);
      await leave(p, d);
    }
    await sleep(300);
    gc?.();
    const before = { ...resources(), heap: process.memoryUsage().heapUsed };
    const parallel = 5;
    let started = 0;
    const t0 = performance.now();
    for (let batch = 0; batch < N; batch += parallel) {
      await Promise.all(
        Array.from({ length: Math.min(parallel, N - batch) }, async (_, i) => {
          const id = `call-${batch + i}`;
          w.setConsent(id, true);
          const p = join(w.relay, id, 'patient'),
            d = join(w.relay, id, 'doctor');
          await startMedia(p);
          await startMedia(d);
          p.peer.startSending();
          d.peer.startSending();
          await until('media', () => d.peer.received.audio > 2 && p.peer.received.audio > 2);
          started++;
          // Every other call ends by withdrawal, the rest by hang-up then leaving.
          if ((batch + i) % 2) w.setConsent(id, false);
          else await p.session.handle({ type: 'hangup' });
          await leave(p, d);
        }),
      );
    }
    const perCallMs = (performance.now() - t0) / N;
    await sleep(1500); // werift's sockets close asynchronously
    gc?.();
    await sleep(100);
    gc?.();
    const after = { ...resources(), heap: process.memoryUsage().heapUsed };
    await w.relay.close();
    console.log(
      `relay cleanup: ${N} calls (${parallel} at a time, ${perCallMs.toFixed(0)} ms/call); before ${JSON.stringify(before)}; after ${JSON.stringify(after)}; relay ${JSON.stringify(w.relay.stats())}`,
    );
    expect(started).toBe(N);
    expect(w.relay.stats()).toMatchObject({ rooms: 0, peerConnections: 0, timer: false, peerConnectionsCreated: 2 * N + 2 });
    expect(after.udp).toBeLessThanOrEqual(before.udp);
    expect(after.timers).toBeLessThanOrEqual(before.timers + 2);
    // Memory: bounded, not growing with the number of calls (werift keeps some caches per module).
    expect(after.heap - before.heap).toBeLessThan(gc ? 15 * 1024 * 1024 : 60 * 1024 * 1024);
  });
});
