/**
 * Faster versions of the few werift methods every forwarded packet goes through, installed once
 * over werift's own (pinned: werift 0.24.4). A CPU profile of the relay at 10 calls showed werift
 * parsing each RTP header bit by bit through strings, twice per packet (`getBit`), building every
 * AES-GCM IV and header through generic writers, adding 32-bit numbers through BigInt and
 * formatting an NTP time through a string per packet sent. The replacements give the same results
 * (test/werift-fast-path.test.ts compares them with werift's on random packets) and hand anything
 * unusual (header extensions, CSRCs, padding, RED) to werift's own code.
 *
 * Kept in one module so that dropping it, once werift does the same upstream, is one line in
 * relay.ts.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { ntpTime, ProtectionProfileAeadAes128Gcm, RTCRtpSender, RtpHeader, SrtpAuthenticationError, SrtpSession, type RtpPacket } from 'werift';

const RTP_HEADER_SIZE = 12;
const GCM_TAG = 16;
/** werift's sender keeps this many packets for retransmission (rtpSender.ts). */
const RTP_HISTORY_SIZE = 128;

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
  codec?: { payloadType: number };
  headerExtensions: unknown[];
  redRedundantPayloadType?: number;
  ssrc: number; timestamp: number; sequenceNumber: number; timestampOffset: number; seqOffset: number;
  ntpTimestamp: bigint; rtpTimestamp: number; octetCount: number; headerBytesSent: number; packetCount: number;
  rtpCache: RtpPacket[];
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
  // Its own memory, not a slice of Node's shared pool: the sender keeps the last 128 packets for
  // retransmission, and a slice would keep a whole 8 KB pool slab alive with it.
  const dst = Buffer.allocUnsafeSlow(tagAt);
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
  this.rtpCache[header.sequenceNumber % RTP_HISTORY_SIZE] = rtp;
  const size = await this.dtlsTransport.sendRtp(payload, header);
  this.runRtcp();
  const now = Date.now();
  this.senderBWE.rtpPacketSent({ wideSeq: this.dtlsTransport.transportSequenceNumber, size, sendingAtMs: now, sentAtMs: now });
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
