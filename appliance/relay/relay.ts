import type { ClientMessage, Party, ServerMessage, StopReason } from './protocol.ts';
import { capVideoBitrate } from './sdp.ts';
import { keyframeAskedOf } from './keyframe-request.ts';
import { CallStats, type CallRecord, type LegTotals } from './quality.ts';
import { installWeriftFastPath } from './werift-fast-path.ts';
import type { RtcpPacket, RtpPacket } from 'werift';
import { systemClock, type RelayClock } from './clock.ts';
import { requestKeyframe, type KeyframeReason } from './feedback.ts';
import { Housekeeping } from './housekeeping.ts';
import { roomQuality } from './link-quality.ts';
import { Leg, createPeerConnection, forward, other, waitForGathering, type Kind } from './media-leg.ts';
import { Room, Session, type SessionHost } from './room.ts';
import type { MediaRelay, RelayConfig, RelayDeps, RelayMetricFigures, RelaySession, RelayStats } from './relay-api.ts';

export { emptyRelayStats, type MediaRelay, type RelayConfig, type RelayDeps, type RelayMetricFigures, type RelaySession, type RelayStats } from './relay-api.ts';

/**
 * The consultation relay: one room per encounter, two participants (patient, doctor), each with
 * one peer connection to the box. RTP is forwarded as it comes (Opus, VP8: no transcoding); each
 * leg's RTCP is the relay's own (NACK/RTX answered per hop by werift; PLI/FIR passed back to the
 * sender; REMB caps each sender at the call's bitrate). No peer connection exists for an encounter
 * unless its consent is active at the moment the offer arrives, and a withdrawal closes them at once.
 *
 * This module holds the rooms and the signaling; its parts: media-leg.ts (a participant's peer
 * connection and forwarding), feedback.ts (keyframe requests, REMB), link-quality.ts (figures and
 * indicator), housekeeping.ts (the periodic work, on an injected clock), room.ts (room, session).
 */

export class Relay implements MediaRelay, SessionHost {
  private readonly rooms = new Map<string, Room>();
  private closedRelay = false;
  private readonly offConsent: (() => void) | undefined;
  private readonly clock: RelayClock;
  private readonly housekeeping: Housekeeping;
  private pcCount = 0;
  readonly totals = { calls: 0, peerConnectionsCreated: 0, refusedNoConsent: 0, keyframeRequests: 0, packetsForwarded: 0, bytesForwarded: 0 };

  constructor(
    readonly config: RelayConfig,
    private readonly deps: RelayDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.housekeeping = new Housekeeping(
      {
        rooms: () => this.rooms.values(),
        consentActive: (id) => this.deps.consentActive(id),
        stopMedia: (room, reason) => this.stopMedia(room, reason),
        requestKeyframe: (room, src, why) => this.requestKeyframe(room, src, why),
        quality: (room) => roomQuality(room, this.config.bitrateKbps, this.clock.now()),
        failed: (err) => this.deps.log.error({ err }, 'relay housekeeping failed'),
      },
      this.clock,
      config,
    );
    this.offConsent = deps.onConsentChange?.((encounterId, active) => this.consentChanged(encounterId, active));
  }

  /** Open peer connections and rooms right now (tests check that nothing is left behind). */
  stats(): RelayStats {
    return { rooms: this.rooms.size, peerConnections: this.pcCount, timer: this.housekeeping.running, ...this.totals };
  }

  async metricsFigures(): Promise<RelayMetricFigures> {
    return { relay: this.stats() };
  }

  /** Records of the calls going on now, as if they ended now with reason `failed`. */
  callsInProgress(): CallRecord[] {
    const out: CallRecord[] = [];
    for (const room of this.rooms.values()) {
      if (!room.call) continue;
      const open: Partial<Record<Party, LegTotals>> = {};
      for (const role of ['patient', 'doctor'] as Party[]) {
        const leg = room.legs[role];
        if (leg) open[role] = leg;
      }
      out.push(room.call.snapshot(open));
    }
    return out;
  }

  connect(encounterId: string, role: Party, sink: (msg: ServerMessage) => void): RelaySession {
    if (this.closedRelay) throw new Error('relay closed');
    let room = this.rooms.get(encounterId);
    if (!room) {
      room = new Room(encounterId);
      this.rooms.set(encounterId, room);
    }
    const old = room.sessions[role];
    if (old) {
      old.send({ type: 'media', state: 'stopped', reason: 'replaced' });
      this.leave(old);
      old.closed = true;
    }
    const session = new Session(this, room, role, sink);
    room.sessions[role] = session;
    const peer = room.sessions[other(role)];
    void this.deps.consentActive(encounterId).then(
      (consent) => {
        session.send({ type: 'hello', role, encounterId, consent, peer: !!peer, media: !!room.legs[other(role)]?.connected, bitrateKbps: this.config.bitrateKbps });
        if (peer) {
          const pl = room.legs[other(role)];
          session.send({ type: 'peer', role: other(role), present: true, media: !!pl?.connected, ...(pl ? pl.state : {}) });
        }
      },
      () => session.send({ type: 'hello', role, encounterId, consent: false, peer: !!peer, media: false, bitrateKbps: this.config.bitrateKbps }),
    );
    peer?.send({ type: 'peer', role, present: true, media: false });
    return session;
  }

  leave(session: Session) {
    const room = session.room;
    if (room.sessions[session.role] !== session) return;
    delete room.sessions[session.role];
    this.closeLeg(room, session.role, 'left');
    room.send(other(session.role), { type: 'peer', role: session.role, present: false });
    if (!room.sessions.patient && !room.sessions.doctor) {
      this.endCall(room, 'left');
      this.rooms.delete(room.encounterId);
    }
    this.updateTimer();
  }

  async onMessage(session: Session, msg: ClientMessage): Promise<void> {
    const room = session.room;
    switch (msg.type) {
      case 'offer':
        return this.offer(session, msg.sdp);
      case 'chat':
        // Text goes through the box even when media cannot; it is not stored.
        room.sendAll({ type: 'chat', from: session.role, text: msg.text, at: new Date().toISOString() });
        return;
      case 'state': {
        const leg = room.legs[session.role];
        if (!leg) return;
        const wasAudioOnly = leg.state.audioOnly;
        if (msg.muted !== undefined) leg.state.muted = msg.muted;
        if (msg.cameraOff !== undefined) leg.state.cameraOff = msg.cameraOff;
        if (msg.audioOnly !== undefined) leg.state.audioOnly = msg.audioOnly;
        if (wasAudioOnly && !leg.state.audioOnly) {
          // Video resumes toward this participant: rebase the sender and ask the other side for a keyframe.
          leg.resync.video = true;
          const src = room.legs[other(session.role)];
          if (src) this.requestKeyframe(room, src, 'resume');
        }
        room.send(other(session.role), { type: 'peer', role: session.role, present: true, media: leg.connected, ...leg.state });
        room.call?.event(`${session.role}:${leg.state.audioOnly ? 'audio-only' : 'video'}`);
        return;
      }
      case 'stats': {
        const leg = room.legs[session.role];
        if (leg) leg.client = { framesDecoded: msg.framesDecoded, audioPacketsReceived: msg.audioPacketsReceived, fps: msg.fps };
        return;
      }
      case 'hangup':
        this.stopMedia(room, 'hangup', session.role);
        return;
      case 'ping':
        session.send({ type: 'pong' });
        return;
    }
  }

  /** Creates (or re-creates) the participant's peer connection: only with active consent. */
  private async offer(session: Session, sdp: string) {
    const room = session.room;
    const epoch = room.epoch;
    const consent = await this.deps.consentActive(room.encounterId).catch(() => false);
    if (!consent) {
      this.totals.refusedNoConsent++;
      session.send({ type: 'error', code: 'consent_required', message: 'consent to the audio-visual consultation is not active' });
      return;
    }
    if (session.closed || room.epoch !== epoch || this.closedRelay) return;
    this.closeLeg(room, session.role, 'replaced');
    const pc = this.createPeerConnection();
    const leg = new Leg(session.role, pc, this.config.bitrateKbps);
    room.legs[session.role] = leg;
    this.wireLeg(room, leg);
    this.updateTimer();
    session.send({ type: 'media', state: 'connecting' });
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      await waitForGathering(pc, 3000);
      if (leg.closed || session.closed) return;
      const local = pc.localDescription;
      if (!local) throw new Error('no local description');
      session.send({ type: 'answer', sdp: capVideoBitrate(local.sdp, this.config.bitrateKbps) });
    } catch (err) {
      this.deps.log.warn({ err, encounterId: room.encounterId, role: session.role }, 'consultation offer failed');
      if (room.legs[session.role] === leg) this.closeLeg(room, session.role, 'failed');
      session.send({ type: 'error', code: 'media_failed', message: (err as Error).message });
    }
  }

  private createPeerConnection() {
    const pc = createPeerConnection(this.config);
    this.pcCount++;
    this.totals.peerConnectionsCreated++;
    return pc;
  }

  private wireLeg(room: Room, leg: Leg) {
    const { pc } = leg;
    // Before setRemoteDescription: werift announces the remote tracks during it.
    leg.unsubs.push(
      pc.onTrack.subscribe((track) => {
        const kind = track.kind as Kind;
        leg.inbound[kind] = track;
        const { unSubscribe } = track.onReceiveRtp.subscribe((rtp) => this.forward(room, leg, kind, rtp));
        leg.unsubs.push(unSubscribe);
      }).unSubscribe,
    );
    // The receiving participant lost a picture: ask the sending participant for a keyframe.
    // werift routes feedback by its sender SSRC first, and a browser signs its PLI with the SSRC of
    // its own outgoing video, which this leg knows as a receiver: so the PLI arrives on the
    // receiver as often as on the sender. Both are watched, and matched on our sender's SSRC.
    const { sender, receiver } = leg.tx.video;
    const onFeedback = (p: RtcpPacket) => {
      const asked = keyframeAskedOf(p, sender.ssrc);
      const src = room.legs[other(leg.role)];
      if (asked && src) this.requestKeyframe(room, src, asked);
    };
    leg.unsubs.push(sender.onRtcp.subscribe(onFeedback).unSubscribe, receiver.onRtcp.subscribe(onFeedback).unSubscribe);
    leg.unsubs.push(
      pc.connectionStateChange.subscribe((state) => {
        if (leg.closed) return;
        if (state === 'connected' && !leg.connected) {
          leg.connected = true;
          leg.prev.at = this.clock.now();
          if (!room.call) {
            room.call = new CallStats(room.encounterId, this.config.bitrateKbps);
            this.totals.calls++;
          }
          room.call.event(`${leg.role}:connected`);
          room.send(leg.role, { type: 'media', state: 'connected' });
          room.send(other(leg.role), { type: 'peer', role: leg.role, present: true, media: true, ...leg.state });
          // A receiver joined: the other side's next frames must start with a keyframe.
          const src = room.legs[other(leg.role)];
          if (src?.connected) this.requestKeyframe(room, src, 'join', 2);
          // And this side's video goes to a receiver that is already there.
          if (src?.connected) this.requestKeyframe(room, leg, 'join', 2);
        } else if (state === 'failed' || state === 'closed') {
          this.deps.log.info({ encounterId: room.encounterId, role: leg.role, state }, 'consultation media leg ended');
          this.closeLeg(room, leg.role, 'failed');
          room.send(leg.role, { type: 'media', state: 'stopped', reason: 'failed' });
        }
      }).unSubscribe,
    );
  }

  private forward(room: Room, from: Leg, kind: Kind, rtp: RtpPacket) {
    if (from.closed) return;
    // A burst beyond what NACK can repair: ask for a keyframe rather than wait for the receiver.
    if (forward(from, room.legs[other(from.role)], kind, rtp, this.totals)) this.requestKeyframe(room, from, 'loss');
  }

  /** PLI (and FIR where negotiated) to the participant whose video another one needs to start or repair. */
  requestKeyframe(room: Room, src: Leg, why: KeyframeReason, retries = 0) {
    if (requestKeyframe(src, why, this.clock.now(), room.call, retries)) this.totals.keyframeRequests++;
  }

  /** Tears down one participant's peer connection. */
  private closeLeg(room: Room, role: Party, reason: StopReason) {
    const leg = room.legs[role];
    if (!leg) return;
    delete room.legs[role];
    leg.closed = true;
    room.call?.addLegTotals(role, leg.c, leg.client);
    room.call?.event(`${role}:closed:${reason}`);
    for (const u of leg.unsubs.splice(0)) {
      try {
        u();
      } catch {
        /* already gone */
      }
    }
    this.pcCount--;
    leg.pc.close().catch((err) => this.deps.log.warn({ err }, 'peer connection close failed'));
    const src = room.legs[other(role)];
    if (src) {
      src.sourceSsrc = {};
      room.send(other(role), { type: 'peer', role, present: !!room.sessions[role], media: false });
    }
    if (!room.legs.patient && !room.legs.doctor) this.endCall(room, reason);
    this.updateTimer();
  }

  /** Stops all media of a room at once (withdrawal, hang-up, encounter closed). Sessions stay for chat. */
  stopMedia(room: Room, reason: StopReason, by?: Party) {
    room.epoch++;
    const had = !!(room.legs.patient || room.legs.doctor);
    this.closeLeg(room, 'patient', reason);
    this.closeLeg(room, 'doctor', reason);
    if (had || reason === 'withdrawn' || reason === 'hangup') room.sendAll({ type: 'media', state: 'stopped', reason, ...(by ? { by } : {}) });
    if (reason === 'withdrawn') room.sendAll({ type: 'consent', active: false });
  }

  private endCall(room: Room, reason: StopReason) {
    const call = room.call;
    if (!call) return;
    room.call = null;
    const record = call.finish(reason);
    this.deps.log.info({ call: record }, 'consultation call ended');
    this.deps.saveCall?.(record).catch((err) => this.deps.log.error({ err }, 'saving call quality failed'));
  }

  private consentChanged(encounterId: string, active: boolean) {
    const room = this.rooms.get(encounterId);
    if (!room) return;
    if (!active) this.stopMedia(room, 'withdrawn');
    else room.sendAll({ type: 'consent', active: true });
  }

  private updateTimer() {
    this.housekeeping.update(!this.closedRelay && [...this.rooms.values()].some((r) => r.legs.patient || r.legs.doctor));
  }

  async close() {
    if (this.closedRelay) return;
    for (const room of [...this.rooms.values()]) {
      this.stopMedia(room, 'shutdown');
      for (const s of Object.values(room.sessions)) {
        if (s) s.closed = true;
      }
      this.rooms.delete(room.encounterId);
    }
    this.closedRelay = true;
    this.offConsent?.();
    this.housekeeping.stop();
  }
}

export function createRelay(config: RelayConfig, deps: RelayDeps): Relay {
  installWeriftFastPath();
  return new Relay(config, deps);
}
