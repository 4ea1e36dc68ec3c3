import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtectionProfileAeadAes128Gcm, RtpHeader, RtpPacket, SrtpAuthenticationError, SrtpSession } from 'werift';
import {
  contextDecryptRtp,
  gcmDecryptRtp,
  gcmEncryptRtp,
  parseRtpHeader,
  senderSendRtp,
  streamFigures,
  weriftOriginal,
  type SenderLike,
  type SrtpContextLike,
} from './werift-fast-path.ts';
import { SyntheticPeer } from './synthetic-peer.ts';
import { sleep } from '../../test/support/wait.ts';

/**
 * The fast path against werift's own methods on the same inputs. Nothing is installed here: each
 * side is called explicitly, so werift's side is werift's code alone.
 */

const headerFields = (h: RtpHeader) => ({ ...h });

const rtpPacket = fc
  .record({
    padding: fc.integer({ min: 0, max: 20 }),
    cc: fc.integer({ min: 0, max: 15 }),
    extension: fc.option(
      fc.uint8Array({ minLength: 4, maxLength: 12 }).map((b) => Buffer.from(b.subarray(0, b.length & ~3))),
      { nil: undefined },
    ),
    marker: fc.boolean(),
    payloadType: fc.integer({ min: 0, max: 127 }),
    sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
    timestamp: fc.nat({ max: 0xffffffff }),
    ssrc: fc.nat({ max: 0xffffffff }),
    payload: fc.uint8Array({ minLength: 1, maxLength: 1200 }),
  })
  .map((p) => {
    const fixed = Buffer.alloc(12 + 4 * p.cc);
    fixed[0] = 0x80 | (p.padding ? 0x20 : 0) | (p.extension ? 0x10 : 0) | p.cc;
    fixed[1] = (p.marker ? 0x80 : 0) | p.payloadType;
    fixed.writeUInt16BE(p.sequenceNumber, 2);
    fixed.writeUInt32BE(p.timestamp, 4);
    fixed.writeUInt32BE(p.ssrc, 8);
    for (let i = 0; i < p.cc; i++) fixed.writeUInt32BE((p.ssrc + i) >>> 0, 12 + 4 * i);
    const ext = p.extension ? Buffer.concat([Buffer.from([0xbe, 0xde, 0, p.extension.length / 4]), p.extension]) : Buffer.alloc(0);
    const padding = Buffer.alloc(p.padding);
    if (p.padding) padding[p.padding - 1] = p.padding;
    return { ...p, raw: Buffer.concat([fixed, ext, Buffer.from(p.payload), padding]) };
  });

function sessionPair() {
  const key = randomBytes(16),
    salt = randomBytes(12),
    other = randomBytes(16),
    otherSalt = randomBytes(12);
  const sender = new SrtpSession({
    keys: { localMasterKey: key, localMasterSalt: salt, remoteMasterKey: other, remoteMasterSalt: otherSalt },
    profile: ProtectionProfileAeadAes128Gcm,
  });
  const receiver = () =>
    new SrtpSession({ keys: { localMasterKey: other, localMasterSalt: otherSalt, remoteMasterKey: key, remoteMasterSalt: salt }, profile: ProtectionProfileAeadAes128Gcm });
  return { sender, werift: receiver(), fast: receiver() };
}

/** The receiving context with the fast methods on the instance itself. */
function withFastPath(session: SrtpSession) {
  const context = session.remoteContext as unknown as SrtpContextLike;
  context.decryptRtp = contextDecryptRtp;
  context.cipher.decryptRtp = gcmDecryptRtp as SrtpContextLike['cipher']['decryptRtp'];
  return context;
}

describe('werift fast path', () => {
  it('parses every RTP header as werift does', () => {
    fc.assert(
      fc.property(rtpPacket, ({ raw }) => {
        expect(headerFields(parseRtpHeader(raw))).toEqual(headerFields(weriftOriginal.headerDeSerialize(raw)));
      }),
      { numRuns: 500 },
    );
  });

  it('encrypts to the same bytes as werift', () => {
    const { sender } = sessionPair();
    const cipher = (sender.localContext as unknown as SrtpContextLike).cipher;
    fc.assert(
      fc.property(rtpPacket, fc.nat({ max: 0xffffffff }), ({ raw }, roc) => {
        const a = weriftOriginal.headerDeSerialize(raw),
          b = weriftOriginal.headerDeSerialize(raw);
        const payload = raw.subarray(a.payloadOffset, raw.length - a.paddingSize);
        const expected = weriftOriginal.cipherEncryptRtp.call(cipher, a, payload, roc);
        expect(gcmEncryptRtp.call(cipher, b, payload, roc).equals(expected)).toBe(true);
        expect(b.payloadOffset).toBe(a.payloadOffset);
      }),
      { numRuns: 300 },
    );
  });

  it('decrypts a stream across a sequence-number wrap as werift does, and refuses a forged packet without moving the rollover counter', () => {
    const { sender, werift, fast } = sessionPair();
    const fastContext = withFastPath(fast);
    let seq = 65_400;
    for (let i = 0; i < 400; i++) {
      seq = (seq + 1 + (i % 7 === 0 ? 3 : 0)) & 0xffff; // small gaps, as lost packets leave
      const header = new RtpHeader({ sequenceNumber: seq, timestamp: i * 3000, ssrc: 0x1234abcd, payloadType: 96, marker: i % 3 === 0, padding: false });
      const packet = sender.encrypt(randomBytes(100 + (i % 900)), header);
      const forged = i % 50 === 25;
      if (forged) packet[packet.length - 1] ^= 1;
      const expected = (() => {
        try {
          return werift.decrypt(packet);
        } catch (e) {
          return e;
        }
      })();
      const actual = (() => {
        try {
          return fastContext.decryptRtp(packet)[0];
        } catch (e) {
          return e;
        }
      })();
      if (forged) {
        expect(expected).toBeInstanceOf(SrtpAuthenticationError);
        expect(actual).toBeInstanceOf(SrtpAuthenticationError);
      } else {
        expect((actual as Buffer).equals(expected as Buffer)).toBe(true);
      }
      const state = (s: SrtpSession) => {
        const { rolloverCounter, lastSequenceNumber } = (s.remoteContext as unknown as SrtpContextLike).srtpSSRCStates[0x1234abcd] ?? {};
        return { rolloverCounter, lastSequenceNumber };
      };
      expect(state(fast)).toEqual(state(werift));
    }
    expect((fast.remoteContext as unknown as SrtpContextLike).srtpSSRCStates[0x1234abcd].rolloverCounter).toBe(1);
  });

  it('sends a forwarded packet with the same header and sender state as werift', async () => {
    const fakeSender = (rtcpFeedback = [{ type: 'nack' }]) => {
      const sent: { payload: Buffer; header: Record<string, unknown> }[] = [];
      const bwe: number[] = [];
      let rtcpRuns = 0;
      const s: SenderLike = {
        dtlsTransport: {
          state: 'connected',
          transportSequenceNumber: 9,
          sendRtp: async (payload, header) => {
            sent.push({ payload: Buffer.from(payload), header: { ...header } });
            return payload.length + 28;
          },
        },
        codec: { payloadType: 96, rtcpFeedback },
        headerExtensions: [],
        ssrc: 0xabcdef01,
        timestamp: 0,
        sequenceNumber: 0,
        timestampOffset: -123_456,
        seqOffset: 65_000,
        ntpTimestamp: 0n,
        rtpTimestamp: 0,
        octetCount: 0,
        headerBytesSent: 0,
        packetCount: 0xffff_fffe,
        rtpCache: [],
        runRtcp: () => {
          rtcpRuns++;
        },
        senderBWE: {
          rtpPacketSent: (i) => {
            bwe.push(i.wideSeq, i.size);
          },
        },
      };
      return { s, sent, bwe, runs: () => rtcpRuns };
    };
    const a = fakeSender(),
      b = fakeSender();
    for (let i = 0; i < 600; i++) {
      const header = () => new RtpHeader({ sequenceNumber: (i * 7) & 0xffff, timestamp: (i * 90_000) >>> 0, ssrc: 42, payloadType: 100, marker: i % 2 === 0 });
      const payload = randomBytes(50 + i);
      await weriftOriginal.senderSendRtp.call(a.s, new RtpPacket(header(), payload));
      await senderSendRtp.call(b.s, new RtpPacket(header(), payload));
    }
    const { ntpTimestamp: ntpA, rtpCache: cacheA, ...stateA } = a.s;
    const { ntpTimestamp: ntpB, rtpCache: cacheB, ...stateB } = b.s;
    expect(JSON.stringify(stateB, (_, v) => (typeof v === 'function' ? undefined : v))).toBe(JSON.stringify(stateA, (_, v) => (typeof v === 'function' ? undefined : v)));
    expect(typeof ntpB).toBe(typeof ntpA);
    expect(Number(ntpB >> 32n)).toBeCloseTo(Number(ntpA >> 32n), -1);
    // The history werift's NACK handler reads: the same packets, header and payload, by sequence number.
    expect(cacheB.map((p) => p?.header.sequenceNumber)).toEqual(cacheA.map((p) => p?.header.sequenceNumber));
    expect(cacheB.map((p) => p && { ...p.header })).toEqual(cacheA.map((p) => p && { ...p.header }));
    expect(cacheB.every((p, i) => p.payload.equals(cacheA[i].payload))).toBe(true);
    expect(b.sent.map((x) => x.header)).toEqual(a.sent.map((x) => x.header));
    expect(b.sent.every((x, i) => x.payload.equals(a.sent[i].payload))).toBe(true);
    expect(b.bwe).toEqual(a.bwe);
    expect(b.runs()).toBe(600);
  });

  it('keeps a history only for a codec the receiver can NACK, and copies payloads too large for a slot', async () => {
    const sender = (rtcpFeedback: { type: string; parameter?: string }[]): SenderLike => ({
      dtlsTransport: { state: 'connected', transportSequenceNumber: 0, sendRtp: async (p: Buffer) => p.length },
      codec: { payloadType: 111, rtcpFeedback },
      headerExtensions: [],
      ssrc: 7,
      timestamp: 0,
      sequenceNumber: 0,
      timestampOffset: 0,
      seqOffset: 0,
      ntpTimestamp: 0n,
      rtpTimestamp: 0,
      octetCount: 0,
      headerBytesSent: 0,
      packetCount: 0,
      rtpCache: [],
      runRtcp: () => {},
      senderBWE: { rtpPacketSent: () => {} },
    });
    const opus = sender([{ type: 'transport-cc' }]);
    const vp8 = sender([{ type: 'nack' }, { type: 'nack', parameter: 'pli' }]);
    const big = randomBytes(1400),
      small = randomBytes(300);
    for (const [i, payload] of [big, small].entries()) {
      await senderSendRtp.call(opus, new RtpPacket(new RtpHeader({ sequenceNumber: i, ssrc: 1 }), payload));
      await senderSendRtp.call(vp8, new RtpPacket(new RtpHeader({ sequenceNumber: i, ssrc: 1 }), payload));
    }
    expect(opus.rtpCache).toEqual([]);
    expect(vp8.rtpCache[0].payload.equals(big)).toBe(true);
    expect(vp8.rtpCache[1].payload.equals(small)).toBe(true);
    // The same slot 128 packets later, with a large payload shorter than the one before it.
    const later = randomBytes(1300);
    await senderSendRtp.call(vp8, new RtpPacket(new RtpHeader({ sequenceNumber: 128, ssrc: 1 }), later));
    expect(vp8.rtpCache[0].header.sequenceNumber).toBe(128);
    expect(vp8.rtpCache[0].payload.equals(later)).toBe(true);
    // The slot owns its bytes: a sender's buffer reused afterwards does not change the history.
    small.fill(0);
    expect(vp8.rtpCache[1].payload.equals(small)).toBe(false);
  });

  it("reads the link figures werift's getStats reports, on a live connection", { timeout: 20_000 }, async () => {
    const a = new SyntheticPeer(),
      b = new SyntheticPeer();
    try {
      await b.pc.setRemoteDescription({ type: 'offer', sdp: await a.offer() });
      await b.pc.setLocalDescription(await b.pc.createAnswer());
      await sleep(300);
      await a.answer(b.pc.localDescription!.sdp);
      await a.connected();
      await b.connected();
      a.startSending();
      b.startSending();
      // Sender and receiver reports go every few seconds: wait for a round trip to be known.
      const deadline = Date.now() + 12_000;
      while (!streamFigures(a.pc).remoteInbound.some((r) => r.roundTripTime !== undefined) && Date.now() < deadline) await sleep(200);
      a.stopSending();
      b.stopSending();
      await sleep(300);
      const fromStats = async () => {
        const figures = { inbound: [] as unknown[], remoteInbound: [] as unknown[] };
        for (const s of (await a.pc.getStats()).values() as Iterable<Record<string, unknown>>) {
          if (s.type === 'inbound-rtp') figures.inbound.push({ kind: s.kind, packetsReceived: s.packetsReceived, packetsLost: s.packetsLost, jitter: s.jitter });
          if (s.type === 'remote-inbound-rtp') figures.remoteInbound.push({ kind: s.kind, fractionLost: s.fractionLost, roundTripTime: s.roundTripTime });
        }
        return figures;
      };
      const ours = streamFigures(a.pc);
      expect(ours.inbound.map((s) => s.kind).sort()).toEqual(['audio', 'video']);
      expect(ours.inbound.every((s) => s.packetsReceived > 20)).toBe(true);
      expect(ours.remoteInbound.some((r) => typeof r.roundTripTime === 'number')).toBe(true);
      const sortByKind = <T extends { kind: string }>(xs: T[]) => [...xs].sort((x, y) => x.kind.localeCompare(y.kind));
      const theirs = await fromStats();
      expect(sortByKind(ours.inbound)).toEqual(sortByKind(theirs.inbound as { kind: string }[]));
      expect(sortByKind(ours.remoteInbound)).toEqual(sortByKind(theirs.remoteInbound as { kind: string }[]));
    } finally {
      await a.close();
      await b.close();
    }
  });
});
