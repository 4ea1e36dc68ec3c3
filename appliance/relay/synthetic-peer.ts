import { RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket, useNACK, useOPUS, usePLI, useREMB, type RTCRtpTransceiver } from 'werift';
import type { ServerMessage } from './protocol.ts';
import { installWeriftFastPath } from './werift-fast-path.ts';

/**
 * A werift participant for tests and the benchmark: it negotiates like a browser (offer with
 * audio and video, sendrecv) and sends synthetic RTP instead of encoded media: VP8-sized packets
 * (a frame of several packets, marker on the last) and Opus-sized ones. Each payload carries its
 * send time, so a receiver in the same process measures the relay's added latency.
 */
export interface SyntheticPeerOptions {
  /** Address used for host candidates (loopback in tests). */
  host?: string;
  videoKbps?: number;
  audioKbps?: number;
  fps?: number;
  /** Offer RTX (RFC 4588) for video as browsers do: retransmissions then come on their own SSRC. */
  rtx?: boolean;
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

export class SyntheticPeer {
  readonly pc: RTCPeerConnection;
  readonly audio: RTCRtpTransceiver;
  readonly video: RTCRtpTransceiver;
  readonly received = { audio: 0, video: 0, videoBytes: 0, audioBytes: 0, frames: 0 };
  /** Keyframe requests (PLI) the relay sent to this peer. */
  plis = 0;
  /** Latency samples (ms) of packets received, send → receive. */
  readonly latencies: number[] = [];
  recordLatency = false;
  readonly sent = { audio: 0, video: 0 };
  private timers: NodeJS.Timeout[] = [];
  private seq = { audio: 1000, video: 5000 };
  private ts = { audio: 0, video: 0 };
  private closed = false;

  constructor(readonly opts: SyntheticPeerOptions = {}) {
    // The relay's faster werift methods here too: a load generator that spends less per packet
    // (and holds no packets for GC to move) bunches its packets less after its own pauses.
    installWeriftFastPath();
    const host = opts.host ?? '127.0.0.1';
    this.pc = new RTCPeerConnection({
      iceServers: [],
      iceUseIpv4: false,
      iceUseIpv6: false,
      iceAdditionalHostAddresses: [host],
      iceInterfaceAddresses: { udp4: host },
      codecs: {
        audio: [useOPUS()],
        video: [
          new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: [useNACK(), usePLI(), useREMB()] }),
          ...(opts.rtx ? [new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90000 })] : []),
        ],
      },
      headerExtensions: { audio: [], video: [] },
      bundlePolicy: 'max-bundle',
    });
    this.audio = this.pc.addTransceiver('audio', { direction: 'sendrecv' });
    this.video = this.pc.addTransceiver('video', { direction: 'sendrecv' });
    this.pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => {
        const kind = track.kind as 'audio' | 'video';
        this.received[kind]++;
        this.received[`${kind}Bytes`] += rtp.payload.length;
        if (kind === 'video' && rtp.header.marker) this.received.frames++;
        if (this.recordLatency && rtp.payload.length >= 9 && rtp.payload[0] === 0x10) {
          const sentAt = rtp.payload.readDoubleBE(1);
          this.latencies.push(now() - sentAt);
        }
      });
    });
    this.video.sender.onPictureLossIndication.subscribe(() => {
      this.plis++;
    });
  }

  async offer(): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await gathered(this.pc);
    return this.pc.localDescription!.sdp;
  }

  async answer(sdp: string) {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  async connected(ms = 10_000) {
    if (this.pc.connectionState === 'connected') return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        sub.unSubscribe();
        reject(new Error(`not connected in ${ms} ms (${this.pc.connectionState})`));
      }, ms);
      const sub = this.pc.connectionStateChange.subscribe((s) => {
        if (s === 'connected') {
          clearTimeout(t);
          sub.unSubscribe();
          resolve();
        }
      });
    });
  }

  /** Sends video (fps frames/s at videoKbps, ~1100-byte packets) and audio (50 packets/s). */
  startSending() {
    const fps = this.opts.fps ?? 30;
    const videoBytesPerFrame = Math.round(((this.opts.videoKbps ?? 600) * 1000) / 8 / fps);
    const audioBytes = Math.max(20, Math.round(((this.opts.audioKbps ?? 32) * 1000) / 8 / 50));
    const sendVideo = () => {
      let left = videoBytesPerFrame;
      this.ts.video = (this.ts.video + Math.round(90000 / fps)) >>> 0;
      while (left > 0) {
        const size = Math.min(1100, left);
        left -= size;
        this.send('video', Math.max(size, 12), left <= 0);
      }
    };
    const sendAudio = () => {
      this.ts.audio = (this.ts.audio + 960) >>> 0;
      this.send('audio', audioBytes, true);
    };
    this.timers.push(setInterval(sendVideo, 1000 / fps), setInterval(sendAudio, 20));
  }

  private send(kind: 'audio' | 'video', size: number, marker: boolean) {
    if (this.closed) return;
    const payload = Buffer.alloc(Math.max(size, 9));
    payload[0] = 0x10; // VP8 descriptor S bit; audio does not care
    payload.writeDoubleBE(now(), 1);
    this.seq[kind] = (this.seq[kind] + 1) & 0xffff;
    const t = kind === 'audio' ? this.audio : this.video;
    const header = new RtpHeader({ sequenceNumber: this.seq[kind], timestamp: this.ts[kind], marker, payloadType: 96, ssrc: t.sender.ssrc });
    this.sent[kind]++;
    t.sender.sendRtp(new RtpPacket(header, payload)).catch(() => {});
  }

  stopSending() {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  async close() {
    this.closed = true;
    this.stopSending();
    await this.pc.close();
  }
}

/** Resolves when ICE gathering is complete (at most 3 s): the SDP then carries every candidate. */
export function gathered(pc: RTCPeerConnection) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      sub.unSubscribe();
      resolve();
    }, 3000);
    const sub = pc.iceGatheringStateChange.subscribe((s) => {
      if (s === 'complete') {
        clearTimeout(t);
        sub.unSubscribe();
        resolve();
      }
    });
  });
}

/** Collects a participant's signaling messages and waits for one of a type. */
export class Inbox {
  readonly all: ServerMessage[] = [];
  private readonly taken = new Set<ServerMessage>();
  private waiters: { type: string; pred: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  push = (m: ServerMessage) => {
    this.all.push(m);
    for (const w of [...this.waiters]) {
      if (w.type === m.type && w.pred(m)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        this.taken.add(m);
        w.resolve(m);
        return;
      }
    }
  };
  next<T extends ServerMessage['type']>(
    type: T,
    pred: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true,
    ms = 10_000,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    // A message that already came and was not taken yet counts.
    const ready = this.all.find((m) => m.type === type && !this.taken.has(m) && pred(m as never));
    if (ready) {
      this.taken.add(ready);
      return Promise.resolve(ready as never);
    }
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no ${type} message in ${ms} ms; got ${this.all.map((m) => m.type).join(',')}`));
      }, ms);
      const waiter = {
        type,
        pred: pred as (m: ServerMessage) => boolean,
        resolve: (m: ServerMessage) => {
          clearTimeout(t);
          resolve(m as never);
        },
      };
      this.waiters.push(waiter);
    });
  }
  has(type: ServerMessage['type']) {
    return this.all.some((m) => m.type === type);
  }
}
