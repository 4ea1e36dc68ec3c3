import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { RelayProcess } from './relay-host.ts';
import { Inbox, SyntheticPeer } from './synthetic-peer.ts';
import { sleep, until } from '../../test/support/wait.ts';
import type { CallRecord } from './quality.ts';
import type { Party } from './protocol.ts';
import type { RelaySession } from './relay.ts';
import { Registry } from 'prom-client';
import { registerRelayMetrics } from '../http/metrics.ts';

/** The relay's part of the box's /metrics. */
const relayMetrics = (relay: RelayProcess) => {
  const registry = new Registry();
  registerRelayMetrics(registry, relay);
  return registry.metrics();
};

/**
 * The relay in its own process, as the box runs it: consent asked of the box over IPC, media over
 * loopback UDP, and what happens when that process dies or the box does.
 */

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function world() {
  const consent = new Map<string, boolean>();
  /** Encounters whose consent the "database" cannot read right now. */
  const unreadable = new Set<string>();
  /** Consent questions that found the database unreadable (each consent poll of such an encounter asks once). */
  const refusedReads = { n: 0 };
  const listeners = new Set<(id: string, active: boolean) => void>();
  const calls: CallRecord[] = [];
  const relay = new RelayProcess(
    { hostAddresses: ['127.0.0.1'], restrictRemoteToHostAddresses: true, bitrateKbps: 600, tickMs: 250, qualityMs: 500, consentPollMs: 500 },
    {
      log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      consentActive: async (id) => {
        if (unreadable.has(id)) {
          refusedReads.n++;
          throw new Error('database busy');
        }
        return consent.get(id) ?? false;
      },
      onConsentChange: (l) => {
        listeners.add(l);
        return () => void listeners.delete(l);
      },
      saveCall: async (r) => {
        calls.push(r);
      },
    },
    { logLevel: process.env.TEST_LOG_LEVEL ?? 'silent' },
  );
  const setConsent = (id: string, active: boolean) => {
    consent.set(id, active);
    for (const l of listeners) l(id, active);
  };
  return { relay, setConsent, calls, unreadable, refusedReads };
}

interface Participant {
  inbox: Inbox;
  session: RelaySession;
  peer: SyntheticPeer;
}
const join_ = (relay: RelayProcess, encounterId: string, role: Party): Participant => {
  const inbox = new Inbox();
  return { inbox, session: relay.connect(encounterId, role, inbox.push), peer: new SyntheticPeer() };
};
async function startMedia(p: Participant, peer = p.peer) {
  await p.session.handle({ type: 'offer', sdp: await peer.offer() });
  await peer.answer((await p.inbox.next('answer', undefined, 15_000)).sdp);
  await peer.connected();
}

describe('relay process', () => {
  const relays: RelayProcess[] = [];
  const peers: SyntheticPeer[] = [];
  afterEach(async () => {
    for (const p of peers.splice(0)) await p.close();
    for (const r of relays.splice(0)) await r.close();
  });

  /** A consented call with the patient's video reaching the doctor (both hellos taken). */
  async function consentedCall(encounterId: string) {
    const w = world();
    relays.push(w.relay);
    w.setConsent(encounterId, true);
    const patient = join_(w.relay, encounterId, 'patient'),
      doctor = join_(w.relay, encounterId, 'doctor');
    peers.push(patient.peer, doctor.peer);
    await patient.inbox.next('hello', undefined, 15_000);
    await doctor.inbox.next('hello', undefined, 15_000);
    await startMedia(patient);
    await startMedia(doctor);
    patient.peer.startSending();
    await until('video to the doctor', () => doctor.peer.received.video > 30);
    return { w, patient, doctor };
  }

  it('runs apart from the box, asks the box for consent, forwards, and stops media on withdrawal', { timeout: 30_000 }, async () => {
    const w = world();
    relays.push(w.relay);
    const patient = join_(w.relay, 'enc-1', 'patient'),
      doctor = join_(w.relay, 'enc-1', 'doctor');
    peers.push(patient.peer, doctor.peer);
    expect((await patient.inbox.next('hello', undefined, 15_000)).consent).toBe(false);
    await patient.session.handle({ type: 'offer', sdp: await patient.peer.offer() });
    expect((await patient.inbox.next('error')).code).toBe('consent_required');
    expect(w.relay.stats()).toMatchObject({ peerConnections: 0, refusedNoConsent: 1 });
    const pid = w.relay.pid!;
    expect(pid).toBeGreaterThan(0);
    expect(pid).not.toBe(process.pid);

    w.setConsent('enc-1', true);
    await patient.inbox.next('consent', (m) => m.active);
    await startMedia(patient, patient.peer);
    await startMedia(doctor);
    patient.peer.startSending();
    doctor.peer.startSending();
    await until('media both ways', () => patient.peer.received.video > 30 && doctor.peer.received.video > 30 && doctor.peer.received.audio > 10);
    expect(w.relay.stats().peerConnections).toBe(2);

    w.setConsent('enc-1', false);
    await doctor.inbox.next('media', (m) => m.state === 'stopped' && m.reason === 'withdrawn', 2000);
    // The figures came before the message that follows from them.
    expect(w.relay.stats().peerConnections).toBe(0);
    await sleep(300);
    const seen = doctor.peer.received.video;
    await sleep(500);
    expect(doctor.peer.received.video).toBe(seen);

    patient.session.close();
    doctor.session.close();
    await until('the call record saved by the box', () => w.calls.length === 1);
    expect(w.calls[0]).toMatchObject({ encounterId: 'enc-1', endReason: 'withdrawn' });
    await until('room gone', () => w.relay.stats().rooms === 0);
    const metrics = await relayMetrics(w.relay);
    expect(metrics).toContain('simpul_relay_process_up 1');
    expect(metrics).toMatch(/simpul_relay_process_resident_memory_bytes \d{7,}/);
    expect(metrics).toContain('simpul_relay_calls_total 1');

    await w.relay.close();
    await until('the relay process gone', () => !alive(pid), 3000);
  });

  it("starts the relay process again when it dies; sessions hear media stopped and can start it again; the cut call's figures are kept", { timeout: 40_000 }, async () => {
    const { w, patient, doctor } = await consentedCall('enc-2');
    await until(
      "the relay process's snapshot of the call, with media",
      () => w.relay.callsSnapshot().some((c) => c.legs.patient.packetsIn > 30 && c.legs.doctor.samples > 0),
      10_000,
    );
    const before = w.relay.stats();
    const pid = w.relay.pid!;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    await patient.inbox.next('media', (m) => m.state === 'stopped' && m.reason === 'failed', 3000);
    await doctor.inbox.next('media', (m) => m.state === 'stopped' && m.reason === 'failed', 3000);
    expect(w.relay.stats().peerConnections).toBe(0);
    // The cut call's figures, as of the last snapshot, are kept by the box.
    await until('the cut call saved', () => w.calls.some((c) => c.endReason === 'failed'), 3000);
    const cut = w.calls.find((c) => c.endReason === 'failed')!;
    expect(cut).toMatchObject({ encounterId: 'enc-2' });
    expect(cut.legs.patient.packetsIn).toBeGreaterThan(30);
    expect(cut.legs.doctor.samples).toBeGreaterThan(0);
    // The new process knows the room again: both get a fresh hello from it.
    await until('a new relay process', () => w.relay.pid !== undefined && w.relay.pid !== pid, 10_000);
    expect(alive(pid)).toBe(false);
    await patient.inbox.next('hello', undefined, 10_000);
    // The patient rejoined first, so the doctor's hello already names the patient as present.
    expect((await doctor.inbox.next('hello', undefined, 10_000)).peer).toBe(true);
    const p2 = new SyntheticPeer(),
      d2 = new SyntheticPeer();
    peers.push(p2, d2);
    await startMedia(patient, p2);
    await startMedia(doctor, d2);
    p2.startSending();
    await until('video again after the restart', () => d2.received.video > 30);
    // Counters go on across the restart.
    expect(w.relay.stats().calls).toBeGreaterThanOrEqual(before.calls + 1);
    expect(await relayMetrics(w.relay)).toContain('simpul_relay_process_restarts_total 1');
  });

  it('keeps a call going when the box cannot read consent for a while, and refuses new media meanwhile', { timeout: 30_000 }, async () => {
    const { w, doctor } = await consentedCall('enc-3');
    w.unreadable.add('enc-3');
    const asked = w.refusedReads.n;
    await until('three consent polls', () => w.refusedReads.n >= asked + 3, 5000);
    expect(doctor.inbox.all.some((m) => m.type === 'media' && m.state === 'stopped')).toBe(false);
    const seen = doctor.peer.received.video;
    await until('video still flowing', () => doctor.peer.received.video > seen + 30);
    // A new offer needs a consent the box can confirm.
    const again = new SyntheticPeer();
    peers.push(again);
    await doctor.session.handle({ type: 'offer', sdp: await again.offer() });
    expect((await doctor.inbox.next('error')).code).toBe('consent_required');
  });

  it('ends with the box: a box killed with SIGKILL leaves no relay process behind', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simpul-relay-host-'));
    try {
      const script = join(dir, 'box.ts');
      const host = fileURLToPath(new URL('./relay-host.ts', import.meta.url));
      // A box in miniature: the relay host and nothing else (a temp file resolves no packages, so no pino).
      writeFileSync(
        script,
        `import { RelayProcess } from ${JSON.stringify(host)};\nconst log = { info() {}, warn() {}, error() {} };\n` +
          `const r = new RelayProcess({ hostAddresses: ['127.0.0.1'], bitrateKbps: 600 }, { log, consentActive: async () => false }, { logLevel: 'silent' });\n` +
          `const t = setInterval(() => { if (r.pid && r.stats) { console.log('relay ' + r.pid); clearInterval(t); } }, 50);\n`,
      );
      const box = spawn(process.execPath, ['--import', 'tsx', script], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] });
      const relayPid = await new Promise<number>((resolve, reject) => {
        let out = '';
        box.stdout.on('data', (d) => {
          out += d;
          const m = out.match(/relay (\d+)/);
          if (m) resolve(Number(m[1]));
        });
        box.on('exit', () => reject(new Error(`box exited: ${out}`)));
      });
      expect(alive(relayPid)).toBe(true);
      box.kill('SIGKILL');
      await until('the relay process gone after its box', () => !alive(relayPid), 5000);
      // The killed box could not remove its relay bundle: this test does.
      rmSync(join(tmpdir(), `simpul-relay-bundle-${box.pid}`), { recursive: true, force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
