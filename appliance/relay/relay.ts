import {
  RTCPeerConnection, RTCRtpCodecParameters, ReceiverEstimatedMaxBitrate, RtcpPayloadSpecificFeedback,
  useFIR, useNACK, usePLI, useREMB, useOPUS, type RtpPacket,
  type MediaStreamTrack, type RTCRtpTransceiver, type RtcpPacket,
} from 'werift';
import type { Logger } from 'pino';
import type { ClientMessage, LinkQuality, Party, QualityLevel, ServerMessage, StopReason } from './protocol.ts';
import { capVideoBitrate } from './sdp.ts';
import { keyframeAskedOf, keyframeRequest } from './keyframe-request.ts';
import { CallStats, type CallRecord, type LegSample, type LegTotals } from './quality.ts';
import { installWeriftFastPath, streamFigures } from './werift-fast-path.ts';

/**
 * The consultation relay: one room per encounter, two participants (patient, doctor), each with
 * one peer connection to the box. RTP is forwarded as it comes (Opus, VP8: no transcoding); each
 * leg's RTCP is the relay's own (NACK/RTX answered per hop by werift; PLI/FIR passed back to the
 * sender; REMB caps each sender at the call's bitrate). No peer connection exists for an encounter
 * unless its consent is active at the moment the offer arrives, and a withdrawal closes them at once.
 */

export interface RelayConfig {
  /** UDP ports for media (firewall). Each peer connection takes one port per host address. */
  udpPortRange?: [number, number];
  /** Addresses advertised as host candidates; empty = every interface of the box. */
  hostAddresses: string[];
  /** Accept only candidate pairs whose remote address is one of `hostAddresses` (tests on loopback). */
  restrictRemoteToHostAddresses?: boolean;
  /** Video bitrate cap per direction (REMB and SDP b=AS), kbit/s. */
  bitrateKbps: number;
  /** Housekeeping period (REMB, keyframe retries). */
  tickMs?: number;
  /** How often rooms with media re-check consent in the database (withdrawals also arrive as events at once). */
  consentPollMs?: number;
  /** How often each participant gets its link quality. */
  qualityMs?: number;
}

export interface RelayDeps {
  log: Logger;
  /** Active consent on an open encounter: the only gate for creating media. */
  consentActive(encounterId: string): Promise<boolean>;
  /** Subscribe to consent changes (given/withdrawn); returns an unsubscribe. */
  onConsentChange?(listener: (encounterId: string, active: boolean) => void): () => void;
  /** Per-call quality, saved with the encounter when a call ends. */
  saveCall?(record: CallRecord): Promise<void>;
}

export interface RelaySession {
  readonly role: Party;
  readonly encounterId: string;
  handle(msg: ClientMessage): Promise<void>;
  close(): void;
}

/** What the relay holds right now and has done since it started. */
export interface RelayStats {
  rooms: number;
  peerConnections: number;
  timer: boolean;
  calls: number;
  peerConnectionsCreated: number;
  refusedNoConsent: number;
  keyframeRequests: number;
  packetsForwarded: number;
  bytesForwarded: number;
}

/**
 * The relay as the box's HTTP routes see it: the in-process `Relay` below (tests) or the relay's
 * own process (`RelayProcess` in relay-host.ts, what a box runs).
 */
export interface MediaRelay {
  /** A participant's signaling session joins the encounter's room (a second one for the same role replaces the first). */
  connect(encounterId: string, role: Party, sink: (msg: ServerMessage) => void): RelaySession;
  stats(): RelayStats;
  /** The figures /metrics shows (appliance/http/metrics.ts); `process` only for the relay's own process. */
  metricsFigures(): Promise<RelayMetricFigures>;
  close(): Promise<void>;
}

export const emptyRelayStats = (): RelayStats => ({ rooms: 0, peerConnections: 0, timer: false, calls: 0, peerConnectionsCreated: 0, refusedNoConsent: 0, keyframeRequests: 0, packetsForwarded: 0, bytesForwarded: 0 });

export interface RelayMetricFigures {
  relay: RelayStats;
  /** The relay's own process: restarts since the box started, and its figures when it answered. */
  process?: { restarts: number; figures: { rss: number; cpuUs: number; loopDelayP99: number } | null };
}

type Kind = 'audio' | 'video';
const other = (p: Party): Party => (p === 'patient' ? 'doctor' : 'patient');
/** A send that fails because its leg is closing: nothing to do (one function, not one per packet). */
const ignoreClosing = () => {};

const rtxCodec = () => new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90000 });
const vp8 = () => new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: [useNACK(), usePLI(), useFIR(), useREMB()] });

class Leg {
  readonly pc: RTCPeerConnection;
  readonly tx: Record<Kind, RTCRtpTransceiver>;
  inbound: Partial<Record<Kind, MediaStreamTrack>> = {};
  connected = false;
  closed = false;
  state = { muted: false, cameraOff: false, audioOnly: false };
  /** Sender continuity: a new source (reconnect) or a resume after audio-only rebases seq/timestamp. */
  sourceSsrc: Partial<Record<Kind, number>> = {};
  resync: Record<Kind, boolean> = { audio: false, video: false };
  lastKeyframeRequest = 0;
  keyframeRetries = 0;
  firSeq = 0;
  readonly feedbackSsrc = (Math.random() * 0xfffffff0 + 1) >>> 0;
  capKbps: number;
  lastInVideoSeq: number | undefined;
  readonly unsubs: (() => void)[] = [];
  /** Counters since the leg started (the quality tick takes deltas). */
  c = { inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0, framesIn: 0, framesOut: 0, videoIn: 0, audioIn: 0 };
  prev = { at: 0, inBytes: 0, outBytes: 0, inPackets: 0, inLost: 0 };
  poorTicks = 0;
  level: QualityLevel | null = null;
  client: { framesDecoded?: number; audioPacketsReceived?: number; fps?: number } = {};

  constructor(readonly role: Party, pc: RTCPeerConnection, capKbps: number) {
    this.pc = pc;
    this.capKbps = capKbps;
    this.tx = {
      audio: pc.addTransceiver('audio', { direction: 'sendrecv' }),
      video: pc.addTransceiver('video', { direction: 'sendrecv' }),
    };
  }
}

class Room {
  sessions: Partial<Record<Party, Session>> = {};
  legs: Partial<Record<Party, Leg>> = {};
  /** Bumped whenever media is torn down: an offer in flight from before is dropped. */
  epoch = 0;
  call: CallStats | null = null;
  constructor(readonly encounterId: string) {}
  send(role: Party, msg: ServerMessage) {
    this.sessions[role]?.send(msg);
  }
  sendAll(msg: ServerMessage) {
    for (const s of Object.values(this.sessions)) s?.send(msg);
  }
}

class Session implements RelaySession {
  closed = false;
  constructor(readonly relay: Relay, readonly room: Room, readonly role: Party, readonly sink: (msg: ServerMessage) => void) {}
  get encounterId() {
    return this.room.encounterId;
  }
  send(msg: ServerMessage) {
    if (this.closed) return;
    try { this.sink(msg); } catch { /* the socket is going away */ }
  }
  handle(msg: ClientMessage) {
    return this.closed ? Promise.resolve() : this.relay.onMessage(this, msg);
  }
  close() {
    if (this.closed) return;
    this.relay.leave(this);
    this.closed = true;
  }
}

export class Relay implements MediaRelay {
  private readonly rooms = new Map<string, Room>();
  private timer: NodeJS.Timeout | null = null;
  private ticks = 0;
  private closedRelay = false;
  private readonly offConsent: (() => void) | undefined;
  private readonly tickMs: number;
  private pcCount = 0;
  readonly totals = { calls: 0, peerConnectionsCreated: 0, refusedNoConsent: 0, keyframeRequests: 0, packetsForwarded: 0, bytesForwarded: 0 };

  constructor(readonly config: RelayConfig, private readonly deps: RelayDeps) {
    this.tickMs = config.tickMs ?? 1000;
    this.offConsent = deps.onConsentChange?.((encounterId, active) => this.consentChanged(encounterId, active));
  }

  /** Open peer connections and rooms right now (tests check that nothing is left behind). */
  stats(): RelayStats {
    return { rooms: this.rooms.size, peerConnections: this.pcCount, timer: this.timer !== null, ...this.totals };
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
    void this.deps.consentActive(encounterId).then((consent) => {
      session.send({ type: 'hello', role, encounterId, consent, peer: !!peer, media: !!room.legs[other(role)]?.connected, bitrateKbps: this.config.bitrateKbps });
      if (peer) {
        const pl = room.legs[other(role)];
        session.send({ type: 'peer', role: other(role), present: true, media: !!pl?.connected, ...(pl ? pl.state : {}) });
      }
    }, () => session.send({ type: 'hello', role, encounterId, consent: false, peer: !!peer, media: false, bitrateKbps: this.config.bitrateKbps }));
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
    const { hostAddresses, udpPortRange, restrictRemoteToHostAddresses } = this.config;
    const onlyListed = hostAddresses.length > 0;
    const v4 = hostAddresses.find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a));
    const pc = new RTCPeerConnection({
      iceServers: [], // LAN host candidates only: no STUN, no TURN (a remote doctor adds them later)
      icePortRange: udpPortRange,
      ...(onlyListed ? { iceUseIpv4: false, iceUseIpv6: false, iceAdditionalHostAddresses: hostAddresses, iceInterfaceAddresses: v4 ? { udp4: v4 } : undefined } : {}),
      ...(restrictRemoteToHostAddresses && onlyListed ? { iceFilterCandidatePair: (pair) => hostAddresses.includes(pair.remoteCandidate.host) } : {}),
      codecs: { audio: [useOPUS()], video: [vp8(), rtxCodec()] },
      headerExtensions: { audio: [], video: [] },
      bundlePolicy: 'max-bundle',
    });
    this.pcCount++;
    this.totals.peerConnectionsCreated++;
    return pc;
  }

  private wireLeg(room: Room, leg: Leg) {
    const { pc } = leg;
    // Before setRemoteDescription: werift announces the remote tracks during it.
    leg.unsubs.push(pc.onTrack.subscribe((track) => {
      const kind = track.kind as Kind;
      leg.inbound[kind] = track;
      const { unSubscribe } = track.onReceiveRtp.subscribe((rtp) => this.forward(room, leg, kind, rtp));
      leg.unsubs.push(unSubscribe);
    }).unSubscribe);
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
    leg.unsubs.push(pc.connectionStateChange.subscribe((state) => {
      if (leg.closed) return;
      if (state === 'connected' && !leg.connected) {
        leg.connected = true;
        leg.prev.at = performance.now();
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
    }).unSubscribe);
  }

  private forward(room: Room, from: Leg, kind: Kind, rtp: RtpPacket) {
    if (from.closed) return;
    const bytes = rtp.payload.length;
    from.c.inPackets++;
    from.c.inBytes += bytes;
    if (kind === 'video') {
      from.c.videoIn++;
      if (rtp.header.marker) from.c.framesIn++;
      // A burst beyond what NACK can repair: ask for a keyframe rather than wait for the receiver.
      const seq = rtp.header.sequenceNumber;
      if (from.lastInVideoSeq !== undefined) {
        const gap = (seq - from.lastInVideoSeq + 65536) % 65536;
        if (gap > 50 && gap < 30000) this.requestKeyframe(room, from, 'loss');
      }
      from.lastInVideoSeq = seq;
    } else {
      from.c.audioIn++;
    }
    const to = room.legs[other(from.role)];
    if (!to || !to.connected || to.closed) return;
    if (kind === 'video' && to.state.audioOnly) return;
    const sender = to.tx[kind].sender;
    // werift hands each subscriber a copy of the packet, so it is ours to send on as it is: the
    // sender rewrites SSRC, payload type, sequence and timestamp in place. The sender's header
    // extensions (none negotiated) differ from the sending leg's, so its extensions are dropped.
    const header = rtp.header;
    header.extensions = [];
    header.extension = false;
    if (to.sourceSsrc[kind] !== header.ssrc || to.resync[kind]) {
      if (to.sourceSsrc[kind] !== undefined) sender.replaceRTP(header, true);
      to.sourceSsrc[kind] = header.ssrc;
      to.resync[kind] = false;
    }
    to.c.outPackets++;
    to.c.outBytes += bytes;
    if (kind === 'video' && header.marker) to.c.framesOut++;
    this.totals.packetsForwarded++;
    this.totals.bytesForwarded += bytes;
    sender.sendRtp(rtp).catch(ignoreClosing);
  }

  /** PLI (and FIR where negotiated) to the participant whose video another one needs to start or repair. */
  requestKeyframe(room: Room, src: Leg, why: 'join' | 'pli' | 'fir' | 'loss' | 'resume', retries = 0) {
    if (src.closed || !src.connected) return;
    if (retries) src.keyframeRetries = Math.max(src.keyframeRetries, retries);
    const now = performance.now();
    if (now - src.lastKeyframeRequest < 250) return;
    src.lastKeyframeRequest = now;
    const track = src.inbound.video;
    if (!track?.ssrc) return;
    const receiver = src.tx.video.receiver;
    this.totals.keyframeRequests++;
    room.call?.keyframe(why);
    const fir = why === 'join' || why === 'fir' ? { seq: src.firSeq++ } : undefined;
    receiver.dtlsTransport?.sendRtcp(keyframeRequest(src.feedbackSsrc, track.ssrc, fir)).catch(() => {});
  }

  private sendRemb(src: Leg) {
    const track = src.inbound.video;
    if (!track?.ssrc || !src.connected) return;
    const receiver = src.tx.video.receiver;
    const bps = BigInt(Math.round(src.capKbps * 1000));
    let exp = 0;
    while (bps >> BigInt(exp) > 0x3ffffn) exp++;
    const remb = new ReceiverEstimatedMaxBitrate({
      senderSsrc: src.feedbackSsrc, mediaSsrc: 0, ssrcNum: 1, brExp: exp, brMantissa: Number(bps >> BigInt(exp)), bitrate: bps, ssrcFeedbacks: [track.ssrc],
    });
    receiver.dtlsTransport?.sendRtcp([new RtcpPayloadSpecificFeedback({ feedback: remb })]).catch(() => {});
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
      try { u(); } catch { /* already gone */ }
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
    const busy = [...this.rooms.values()].some((r) => r.legs.patient || r.legs.doctor);
    if (busy && !this.timer && !this.closedRelay) {
      this.timer = setInterval(() => void this.tick().catch((err) => this.deps.log.error({ err }, 'relay housekeeping failed')), this.tickMs);
      this.timer.unref();
    } else if (!busy && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private async tick() {
    this.ticks++;
    const qualityEvery = Math.max(1, Math.round((this.config.qualityMs ?? 2000) / this.tickMs));
    const consentEvery = Math.max(1, Math.round((this.config.consentPollMs ?? 2000) / this.tickMs));
    for (const room of [...this.rooms.values()]) {
      const legs = [room.legs.patient, room.legs.doctor].filter((l): l is Leg => !!l);
      if (!legs.length) continue;
      for (const leg of legs) {
        this.sendRemb(leg);
        if (leg.keyframeRetries > 0) {
          leg.keyframeRetries--;
          leg.lastKeyframeRequest = 0;
          this.requestKeyframe(room, leg, 'join');
        } else if (this.ticks % 2 === 0) {
          // Until the other side reports a decoded frame, keep asking this sender for keyframes:
          // on a loaded box or a lossy Wi-Fi the ones asked for at join can arrive before the
          // receiver's decoder is ready, and a browser waits long before asking on its own.
          const receiver = room.legs[other(leg.role)];
          if (leg.connected && receiver?.connected && !receiver.state.audioOnly && !((receiver.client.framesDecoded ?? 0) > 0)) this.requestKeyframe(room, leg, 'join');
        }
      }
      if (this.ticks % consentEvery === 0) {
        const epoch = room.epoch;
        const ok = await this.deps.consentActive(room.encounterId).catch(() => true);
        if (!ok && room.epoch === epoch) this.stopMedia(room, 'withdrawn');
      }
      if (this.ticks % qualityEvery === 0) this.quality(room);
    }
  }

  /** Each participant's link figures, the indicator they see, and the audio-only suggestion. */
  private quality(room: Room) {
    const levels: Partial<Record<Party, QualityLevel>> = {};
    const samples: Partial<Record<Party, LinkQuality>> = {};
    for (const role of ['patient', 'doctor'] as Party[]) {
      const leg = room.legs[role];
      if (!leg?.connected || leg.closed) continue;
      const q = linkQuality(leg);
      samples[role] = q;
      levels[role] = q.level;
      leg.level = q.level;
      leg.poorTicks = q.level === 'poor' ? leg.poorTicks + 1 : 0;
      // Bitrate follows the receiver's loss: down on loss, back up to the call's cap when clean.
      const peer = room.legs[other(role)];
      if (peer) {
        if (q.down.lossPct > 5) peer.capKbps = Math.max(100, Math.round(peer.capKbps * 0.8));
        else if (q.down.lossPct < 2) peer.capKbps = Math.min(this.config.bitrateKbps, Math.round(peer.capKbps * 1.08));
      }
      room.call?.sample(role, q satisfies LegSample);
    }
    for (const role of ['patient', 'doctor'] as Party[]) {
      const q = samples[role];
      if (!q) continue;
      room.send(role, { type: 'quality', you: q, peer: levels[other(role)] ?? null });
      const leg = room.legs[role];
      if (leg && leg.poorTicks === 3 && !leg.state.audioOnly) {
        room.send(role, { type: 'suggest-audio-only', reason: `loss ${q.up.lossPct.toFixed(1)}%/${q.down.lossPct.toFixed(1)}%, ${q.up.kbps} kbit/s` });
      }
    }
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
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

async function waitForGathering(pc: RTCPeerConnection, ms: number) {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    const sub = pc.iceGatheringStateChange.subscribe((s) => { if (s === 'complete') done(); });
    function done() {
      clearTimeout(t);
      sub.unSubscribe();
      resolve();
    }
  });
}

/** One participant's link from the relay's peer connection figures, as deltas since the last look. */
function linkQuality(leg: Leg): LinkQuality {
  const figures = streamFigures(leg.pc);
  let inLost = 0, inPackets = 0, jitter = 0, fractionLost = 0, rtt: number | null = null, nRemote = 0;
  for (const s of figures.inbound) {
    inLost += s.packetsLost;
    inPackets += s.packetsReceived;
    if (s.kind === 'audio' && s.jitter !== undefined) jitter = Math.max(jitter, s.jitter);
    if (s.kind === 'video' && s.jitter !== undefined && jitter === 0) jitter = s.jitter;
  }
  for (const s of figures.remoteInbound) {
    if (s.fractionLost !== undefined) { fractionLost = Math.max(fractionLost, s.fractionLost); nRemote++; }
    if (s.roundTripTime !== undefined) rtt = Math.max(rtt ?? 0, s.roundTripTime);
  }
  const now = performance.now();
  const secs = Math.max(0.2, (now - leg.prev.at) / 1000);
  const dPackets = Math.max(0, inPackets - leg.prev.inPackets);
  const dLost = Math.max(0, inLost - leg.prev.inLost);
  const upKbps = Math.round(((leg.c.inBytes - leg.prev.inBytes) * 8) / secs / 1000);
  const downKbps = Math.round(((leg.c.outBytes - leg.prev.outBytes) * 8) / secs / 1000);
  leg.prev = { at: now, inBytes: leg.c.inBytes, outBytes: leg.c.outBytes, inPackets, inLost };
  const upLoss = dPackets + dLost > 0 ? (100 * dLost) / (dPackets + dLost) : 0;
  const downLoss = nRemote ? fractionLost * 100 : 0;
  const rttMs = rtt === null ? null : Math.round(rtt * 1000);
  const loss = Math.max(upLoss, downLoss);
  const expectsMedia = !leg.state.audioOnly && !leg.state.cameraOff;
  const starved = dPackets === 0; // nothing arrived from the participant in the whole period
  const level: QualityLevel =
    starved || loss >= 10 || (rttMs ?? 0) > 1000 || (expectsMedia && upKbps < 40) ? 'poor'
      : loss >= 3 || (rttMs ?? 0) > 400 || (expectsMedia && upKbps < 150) ? 'fair' : 'good';
  return {
    level,
    up: { kbps: upKbps, lossPct: Math.round(upLoss * 10) / 10, jitterMs: Math.round(jitter * 1000) },
    down: { kbps: downKbps, lossPct: Math.round(downLoss * 10) / 10, rttMs },
  };
}

export function createRelay(config: RelayConfig, deps: RelayDeps): Relay {
  installWeriftFastPath();
  return new Relay(config, deps);
}
