/**
 * One participant's media leg: its peer connection to the box, what it sends and receives, and the
 * counters the quality figures are made from. Creating the peer connection (LAN host candidates,
 * Opus and VP8 only) and forwarding one packet to the other leg are here too.
 */
import { RTCPeerConnection, RTCRtpCodecParameters, useFIR, useNACK, usePLI, useREMB, useOPUS, type MediaStreamTrack, type RTCRtpTransceiver, type RtpPacket } from 'werift';
import type { Party, QualityLevel } from './protocol.ts';
import type { RelayConfig } from './relay-api.ts';

export type Kind = 'audio' | 'video';
export const other = (p: Party): Party => (p === 'patient' ? 'doctor' : 'patient');
/** A send that fails because its leg is closing: nothing to do (one function, not one per packet). */
const ignoreClosing = () => {};

const rtxCodec = () => new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90000 });
const vp8 = () => new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: [useNACK(), usePLI(), useFIR(), useREMB()] });

export class Leg {
  readonly pc: RTCPeerConnection;
  readonly tx: Record<Kind, RTCRtpTransceiver>;
  inbound: Partial<Record<Kind, MediaStreamTrack>> = {};
  connected = false;
  closed = false;
  state = { muted: false, cameraOff: false, audioOnly: false };
  /** Sender continuity: a new source (reconnect) or a resume after audio-only rebases seq/timestamp. */
  sourceSsrc: Partial<Record<Kind, number>> = {};
  resync: Record<Kind, boolean> = { audio: false, video: false };
  lastKeyframeRequest = -Infinity;
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

  constructor(
    readonly role: Party,
    pc: RTCPeerConnection,
    capKbps: number,
  ) {
    this.pc = pc;
    this.capKbps = capKbps;
    this.tx = {
      audio: pc.addTransceiver('audio', { direction: 'sendrecv' }),
      video: pc.addTransceiver('video', { direction: 'sendrecv' }),
    };
  }
}

export function createPeerConnection(config: RelayConfig) {
  const { hostAddresses, udpPortRange, restrictRemoteToHostAddresses } = config;
  const onlyListed = hostAddresses.length > 0;
  const v4 = hostAddresses.find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a));
  return new RTCPeerConnection({
    iceServers: [], // LAN host candidates only: no STUN, no TURN (a remote doctor adds them later)
    icePortRange: udpPortRange,
    ...(onlyListed ? { iceUseIpv4: false, iceUseIpv6: false, iceAdditionalHostAddresses: hostAddresses, iceInterfaceAddresses: v4 ? { udp4: v4 } : undefined } : {}),
    ...(restrictRemoteToHostAddresses && onlyListed ? { iceFilterCandidatePair: (pair) => hostAddresses.includes(pair.remoteCandidate.host) } : {}),
    codecs: { audio: [useOPUS()], video: [vp8(), rtxCodec()] },
    headerExtensions: { audio: [], video: [] },
    bundlePolicy: 'max-bundle',
  });
}

export async function waitForGathering(pc: RTCPeerConnection, ms: number) {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    const sub = pc.iceGatheringStateChange.subscribe((s) => {
      if (s === 'complete') done();
    });
    function done() {
      clearTimeout(t);
      sub.unSubscribe();
      resolve();
    }
  });
}

/**
 * Counts one packet that arrived on `from` and sends it on to `to` (when that leg takes it).
 * Returns true when the video jumped further than NACK can repair (then the caller asks `from` for
 * a keyframe rather than wait for the receiver).
 */
export function forward(from: Leg, to: Leg | undefined, kind: Kind, rtp: RtpPacket, totals: { packetsForwarded: number; bytesForwarded: number }): boolean {
  const bytes = rtp.payload.length;
  from.c.inPackets++;
  from.c.inBytes += bytes;
  let lossBurst = false;
  if (kind === 'video') {
    from.c.videoIn++;
    if (rtp.header.marker) from.c.framesIn++;
    const seq = rtp.header.sequenceNumber;
    if (from.lastInVideoSeq !== undefined) {
      const gap = (seq - from.lastInVideoSeq + 65536) % 65536;
      if (gap > 50 && gap < 30000) lossBurst = true;
    }
    from.lastInVideoSeq = seq;
  } else {
    from.c.audioIn++;
  }
  if (!to?.connected || to.closed) return lossBurst;
  if (kind === 'video' && to.state.audioOnly) return lossBurst;
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
  totals.packetsForwarded++;
  totals.bytesForwarded += bytes;
  sender.sendRtp(rtp).catch(ignoreClosing);
  return lossBurst;
}
