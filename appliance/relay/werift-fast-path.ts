/**
 * Faster versions of the few werift methods every forwarded packet goes through, installed once
 * over werift's own (pinned: werift 0.24.4). A CPU profile of the relay at 10 calls showed werift
 * parsing each RTP header bit by bit through strings, twice per packet (`getBit`), building every
 * AES-GCM IV and header through generic writers, adding 32-bit numbers through BigInt and
 * formatting an NTP time through a string per packet sent. The replacements give the same results
 * (test/werift-fast-path.test.ts compares them with werift's on random packets) and hand anything
 * unusual (header extensions, CSRCs, padding, RED) to werift's own code.
 *
 * The sender's retransmission history is kept in memory allocated once per sender (see
 * `SendHistory`) instead of holding the last 128 packets themselves: held packets outlive the young
 * generation, and their promoted garbage was the relay's memory growth with each call.
 *
 * Kept in one module so that dropping it, once werift does the same upstream, is one line in
 * relay.ts.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { ntpTime, ProtectionProfileAeadAes128Gcm, RTCRtpSender, type RTCPeerConnection, RtpHeader, SrtpAuthenticationError, SrtpSession, type RtpPacket } from 'werift';

const RTP_HEADER_SIZE = 12;
const GCM_TAG = 16;
/** werift's sender keeps this many packets for retransmission (rtpSender.ts). */
const RTP_HISTORY_SIZE = 128;
/** Payload bytes a history slot holds in place; browsers packetise video below this. Larger payloads are copied on their own. */
const HISTORY_SLOT_BYTES = 1200;

type SsrcState = { rolloverCounter: number; lastSequenceNumber: number; rolloverHasProcessed?: boolean };
interface GcmCipher {
  srtpSessionKey: Buffer;
  srtpSessionSalt: Buffer;
  encryptRtp(header: RtpHeader, payload: Buffer, rolloverCounter: number): Buffer;
  decryptRtp(cipherText: Buffer, rolloverCounter: number, header?: RtpHeader): [Buffer, RtpHeader];
}
export interface SrtpContextLike {
  profile: number;
  cipher: GcmCipher;
  srtpSSRCStates: Record<number, SsrcState>;
  updateRolloverCount(sequenceNumber: number, s: SsrcState): void;
  decryptRtp(cipherText: Buffer): [Buffer, RtpHeader];
}
export interface SenderLike {
  dtlsTransport: { state: string; transportSequenceNumber: number; sendRtp(payload: Buffer, header: RtpHeader): Promise<number> };
  codec?: { payloadType: number; rtcpFeedback?: { type: string; parameter?: string }[] };
  headerExtensions: unknown[];
  redRedundantPayloadType?: number;
  ssrc: number;
  timestamp: number;
  sequenceNumber: number;
  timestampOffset: number;
  seqOffset: number;
  ntpTimestamp: bigint;
  rtpTimestamp: number;
  octetCount: number;
  headerBytesSent: number;
  packetCount: number;
  rtpCache: (RtpPacket | HistorySlot)[];
  runRtcp(): void;
  senderBWE: { rtpPacketSent(info: { wideSeq: number; size: number; sendingAtMs: number; sentAtMs: number }): void };
}

/** werift's originals, for the comparison test. */
export const weriftOriginal = {
  headerDeSerialize: RtpHeader.deSerialize.bind(RtpHeader),
  ...gcmPrototypes(),
  senderSendRtp: RTCRtpSender.prototype.sendRtp as (this: SenderLike, rtp: RtpPacket | Buffer) => Promise<void>,
};

/** The prototypes behind an SRTP session, reached through one made with throwaway keys (werift does not export them). */
function gcmPrototypes() {
  const session = new SrtpSession({
    keys: { localMasterKey: Buffer.alloc(16), localMasterSalt: Buffer.alloc(12), remoteMasterKey: Buffer.alloc(16), remoteMasterSalt: Buffer.alloc(12) },
    profile: ProtectionProfileAeadAes128Gcm,
  });
  const context = Object.getPrototypeOf(session.localContext) as SrtpContextLike;
  const cipher = Object.getPrototypeOf((session.localContext as unknown as SrtpContextLike).cipher) as GcmCipher;
  return { context, cipher, contextDecryptRtp: context.decryptRtp, cipherEncryptRtp: cipher.encryptRtp, cipherDecryptRtp: cipher.decryptRtp };
}

/** RFC 3550 §5.1 header without extensions: 12 fixed bytes and the CSRC list. */
export function parseRtpHeader(raw: Buffer): RtpHeader {
  const b0 = raw[0];
  if (b0 & 0x10) return weriftOriginal.headerDeSerialize(raw); // header extension: werift's parser
  const h = new RtpHeader();
  h.version = b0 >> 6;
  h.padding = (b0 & 0x20) !== 0;
  h.extension = false;
  const cc = b0 & 0x0f;
  h.csrcLength = cc;
  const b1 = raw[1];
  h.marker = (b1 & 0x80) !== 0;
  h.payloadType = b1 & 0x7f;
  h.sequenceNumber = raw.readUInt16BE(2);
  h.timestamp = raw.readUInt32BE(4);
  h.ssrc = raw.readUInt32BE(8);
  const csrc: number[] = [];
  for (let i = 0; i < cc; i++) csrc.push(raw.readUInt32BE(RTP_HEADER_SIZE + 4 * i));
  h.csrc = csrc;
  h.payloadOffset = RTP_HEADER_SIZE + 4 * cc;
  if (h.padding) h.paddingSize = raw[raw.length - 1];
  return h;
}

/** RFC 7714 §8.1: 00 00 | SSRC | ROC | SEQ, XORed with the session salt. */
function rtpIv(salt: Buffer, ssrc: number, roc: number, seq: number) {
  const iv = Buffer.allocUnsafe(12);
  iv.writeUInt16BE(0, 0);
  iv.writeUInt32BE(ssrc, 2);
  iv.writeUInt32BE(roc >>> 0, 6);
  iv.writeUInt16BE(seq, 10);
  for (let i = 0; i < 12; i++) iv[i] ^= salt[i];
  return iv;
}

export function gcmEncryptRtp(this: GcmCipher, header: RtpHeader, payload: Buffer, rolloverCounter: number): Buffer {
  if (header.extension || header.extensions.length || header.csrc.length || header.padding) {
    return weriftOriginal.cipherEncryptRtp.call(this, header, payload, rolloverCounter);
  }
  const out = Buffer.allocUnsafe(RTP_HEADER_SIZE + payload.length + GCM_TAG);
  out[0] = (header.version << 6) & 0xc0;
  out[1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  out.writeUInt16BE(header.sequenceNumber, 2);
  out.writeUInt32BE(header.timestamp, 4);
  out.writeUInt32BE(header.ssrc, 8);
  header.payloadOffset = RTP_HEADER_SIZE; // as werift's serialize leaves it
  const cipher = createCipheriv('aes-128-gcm', this.srtpSessionKey, rtpIv(this.srtpSessionSalt, header.ssrc, rolloverCounter, header.sequenceNumber));
  cipher.setAAD(out.subarray(0, RTP_HEADER_SIZE));
  const enc = cipher.update(payload);
  cipher.final();
  enc.copy(out, RTP_HEADER_SIZE);
  cipher.getAuthTag().copy(out, RTP_HEADER_SIZE + enc.length);
  return out;
}

export function gcmDecryptRtp(this: GcmCipher, cipherText: Buffer, rolloverCounter: number, header: RtpHeader): [Buffer, RtpHeader] {
  const offset = header.payloadOffset;
  const tagAt = cipherText.length - GCM_TAG;
  const decipher = createDecipheriv('aes-128-gcm', this.srtpSessionKey, rtpIv(this.srtpSessionSalt, header.ssrc, rolloverCounter, header.sequenceNumber));
  decipher.setAAD(cipherText.subarray(0, offset));
  decipher.setAuthTag(cipherText.subarray(tagAt));
  const dec = decipher.update(cipherText.subarray(offset, tagAt));
  try {
    decipher.final();
  } catch {
    throw new SrtpAuthenticationError('Failed to authenticate SRTP packet');
  }
  // From Node's shared pool: nothing keeps a received packet past its forwarding (the sender's
  // history copies it), so a slice never holds a pool slab alive.
  const dst = Buffer.allocUnsafe(tagAt);
  cipherText.copy(dst, 0, 0, offset);
  dec.copy(dst, offset);
  if (header.padding) {
    const padding = dst[dst.length - 1];
    if (!(padding > 0 && padding <= dst.length - offset)) throw new SrtpAuthenticationError('Failed to authenticate SRTP packet');
    header.paddingSize = padding;
  } else {
    header.paddingSize = 0;
  }
  return [dst, header];
}

/** werift's SrtpContext.decryptRtp without copying the SSRC state per packet: updated in place, put back if the packet fails. */
export function contextDecryptRtp(this: SrtpContextLike, cipherText: Buffer): [Buffer, RtpHeader] {
  if (this.profile !== ProtectionProfileAeadAes128Gcm || cipherText.length < RTP_HEADER_SIZE + GCM_TAG) return weriftOriginal.contextDecryptRtp.call(this, cipherText);
  let header: RtpHeader;
  try {
    header = parseRtpHeader(cipherText.subarray(0, cipherText.length - GCM_TAG));
  } catch {
    throw new SrtpAuthenticationError('Failed to authenticate SRTP packet');
  }
  header.paddingSize = 0;
  if (header.payloadOffset > cipherText.length - GCM_TAG) throw new SrtpAuthenticationError('Failed to authenticate SRTP packet');
  let s = this.srtpSSRCStates[header.ssrc];
  const fresh = !s;
  if (!s) s = { rolloverCounter: 0, lastSequenceNumber: 0 };
  const { rolloverCounter, lastSequenceNumber, rolloverHasProcessed } = s;
  this.updateRolloverCount(header.sequenceNumber, s);
  try {
    const dec = this.cipher.decryptRtp(cipherText, s.rolloverCounter, header);
    if (fresh) this.srtpSSRCStates[header.ssrc] = Object.assign(s, { ssrc: header.ssrc });
    return dec;
  } catch (e) {
    Object.assign(s, { rolloverCounter, lastSequenceNumber, rolloverHasProcessed });
    throw e;
  }
}

/**
 * werift's NTP time for sender reports, at most once a millisecond: werift formats it through a
 * string, and a report pairs it with an RTP timestamp where a millisecond is far below what
 * lip-sync can notice.
 */
/**
 * One packet of a sender's retransmission history. What werift's NACK handler reads of it is
 * `header` and `payload`; both live in memory the slot owns, so storing a packet allocates nothing.
 */
export class HistorySlot {
  readonly header = new RtpHeader();
  private length = 0;
  /** A payload too large for the slab: its own memory, kept and grown, never a slice of Node's shared pool (which would hold 8 KB). */
  private large: Buffer | null = null;
  private inLarge = false;
  constructor(
    private readonly slab: Buffer,
    private readonly offset: number,
  ) {}
  store(h: RtpHeader, payload: Buffer) {
    const d = this.header;
    d.version = h.version;
    d.padding = h.padding;
    d.paddingSize = h.paddingSize;
    d.marker = h.marker;
    d.payloadType = h.payloadType;
    d.sequenceNumber = h.sequenceNumber;
    d.timestamp = h.timestamp;
    d.ssrc = h.ssrc;
    d.payloadOffset = h.payloadOffset;
    this.length = payload.length;
    this.inLarge = payload.length > HISTORY_SLOT_BYTES;
    if (!this.inLarge) {
      payload.copy(this.slab, this.offset);
    } else {
      if (!this.large || this.large.length < payload.length) this.large = Buffer.allocUnsafeSlow(payload.length);
      payload.copy(this.large);
    }
  }
  get payload(): Buffer {
    return this.inLarge ? this.large!.subarray(0, this.length) : this.slab.subarray(this.offset, this.offset + this.length);
  }
}

/** A sender's last 128 packets, in one buffer allocated at its first packet; none for a codec without NACK. */
export class SendHistory {
  readonly slots: HistorySlot[] = [];
  constructor() {
    const slab = Buffer.alloc(RTP_HISTORY_SIZE * HISTORY_SLOT_BYTES);
    for (let i = 0; i < RTP_HISTORY_SIZE; i++) this.slots.push(new HistorySlot(slab, i * HISTORY_SLOT_BYTES));
  }
  /** Stores the packet and puts its slot where werift's NACK handler looks (its array is replaced on replaceRTP). */
  keep(sender: SenderLike, header: RtpHeader, payload: Buffer) {
    const i = header.sequenceNumber % RTP_HISTORY_SIZE;
    const slot = this.slots[i];
    slot.store(header, payload);
    sender.rtpCache[i] = slot;
  }
}

const historyOf = Symbol('simpul.sendHistory');
type WithHistory = SenderLike & { [historyOf]?: SendHistory | null };
/** The sender's history, made at its first packet: a receiver that never NACKs (Opus, as browsers negotiate it) gets none. */
function sendHistory(sender: WithHistory): SendHistory | null {
  let h = sender[historyOf];
  if (h === undefined) {
    const nack = sender.codec?.rtcpFeedback?.some((f) => f.type === 'nack' && !f.parameter) ?? false;
    h = sender[historyOf] = nack ? new SendHistory() : null;
  }
  return h;
}

let ntpAtMs = -1;
let ntpCached = 0n;
function ntpNow() {
  const ms = Math.floor(performance.now());
  if (ms !== ntpAtMs) {
    ntpAtMs = ms;
    ntpCached = ntpTime();
  }
  return ntpCached;
}

/** RTCRtpSender.sendRtp for a plain packet on a sender without header extensions or RED; werift's own otherwise. */
export async function senderSendRtp(this: SenderLike, rtp: RtpPacket | Buffer): Promise<void> {
  if (Buffer.isBuffer(rtp) || this.headerExtensions.length || this.redRedundantPayloadType || rtp.header.extensions.length || rtp.header.csrc.length) {
    return weriftOriginal.senderSendRtp.call(this, rtp);
  }
  if (this.dtlsTransport.state !== 'connected' || !this.codec) return;
  const { header, payload } = rtp;
  header.ssrc = this.ssrc;
  header.payloadType = this.codec.payloadType;
  header.timestamp = (header.timestamp + this.timestampOffset) >>> 0;
  header.sequenceNumber = (header.sequenceNumber + this.seqOffset) & 0xffff;
  this.timestamp = header.timestamp;
  this.sequenceNumber = header.sequenceNumber;
  this.ntpTimestamp = ntpNow();
  this.rtpTimestamp = header.timestamp;
  this.octetCount += payload.length;
  this.headerBytesSent += RTP_HEADER_SIZE;
  this.packetCount = (this.packetCount + 1) >>> 0;
  sendHistory(this)?.keep(this, header, payload);
  const size = await this.dtlsTransport.sendRtp(payload, header);
  this.runRtcp();
  const now = Date.now();
  this.senderBWE.rtpPacketSent({ wideSeq: this.dtlsTransport.transportSequenceNumber, size, sendingAtMs: now, sentAtMs: now });
}

/** What werift 0.24.4 keeps per stream and per sender for its statistics (private fields there). */
interface ReceiverFigures {
  tracks: { ssrc?: number; kind: string }[];
  remoteStreams: Record<number, { packets_received: number; packets_lost: number; jitter: number; clockRate: number } | undefined>;
}
interface SenderFigures {
  rtt?: number;
  remoteFractionLost?: number;
}
export interface StreamFigures {
  inbound: { kind: string; packetsReceived: number; packetsLost: number; jitter: number | undefined }[];
  remoteInbound: { kind: string; fractionLost: number | undefined; roundTripTime: number | undefined }[];
}

/**
 * The figures of `pc.getStats()` that the quality check uses, read straight from werift's
 * counters: getStats builds the whole report, transport and certificates included, and for every
 * leg at once that stalled the relay for tens of milliseconds every quality tick.
 */
export function streamFigures(pc: RTCPeerConnection): StreamFigures {
  const out: StreamFigures = { inbound: [], remoteInbound: [] };
  for (const t of pc.getTransceivers()) {
    const r = t.receiver as unknown as ReceiverFigures;
    for (const track of r.tracks) {
      if (!track.ssrc) continue;
      const s = r.remoteStreams[track.ssrc];
      out.inbound.push({ kind: t.kind, packetsReceived: s?.packets_received ?? 0, packetsLost: s?.packets_lost ?? 0, jitter: s?.clockRate ? s.jitter / s.clockRate : undefined });
    }
    const snd = t.sender as unknown as SenderFigures;
    if (snd.rtt !== undefined || snd.remoteFractionLost !== undefined) out.remoteInbound.push({ kind: t.kind, fractionLost: snd.remoteFractionLost, roundTripTime: snd.rtt });
  }
  return out;
}

let installed = false;
/** Installs the faster methods over werift's, once per process. */
export function installWeriftFastPath() {
  if (installed) return;
  installed = true;
  const { context, cipher } = weriftOriginal;
  RtpHeader.deSerialize = parseRtpHeader;
  cipher.encryptRtp = gcmEncryptRtp;
  cipher.decryptRtp = gcmDecryptRtp as GcmCipher['decryptRtp'];
  context.decryptRtp = contextDecryptRtp;
  (RTCRtpSender.prototype as unknown as SenderLike & { sendRtp: typeof senderSendRtp }).sendRtp = senderSendRtp;
}
