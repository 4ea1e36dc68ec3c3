import { describe, expect, it } from 'vitest';
import { PictureLossIndication, RtcpPacketConverter, RtcpPayloadSpecificFeedback, type RtcpPacket } from 'werift';
import { keyframeAskedOf, keyframeRequest } from './keyframe-request.ts';

/**
 * The keyframe request on the wire, block by block, with the checks a browser makes before it acts
 * on a compound RTCP packet (RFC 3550 §6.4 length, RFC 4585 §6.3.1 PLI, RFC 5104 §4.3.1 FIR).
 * werift's own parser is lenient (it read the relay's earlier, one-word-short FIR fine), so the
 * blocks are walked here by their length fields as Chromium does.
 */
function blocks(wire: Buffer) {
  const out: { fmt: number; pt: number; body: Buffer }[] = [];
  let at = 0;
  while (at < wire.length) {
    expect(wire.length - at).toBeGreaterThanOrEqual(4);
    expect(wire[at] >> 6).toBe(2); // version
    const size = (wire.readUInt16BE(at + 2) + 1) * 4;
    expect(at + size).toBeLessThanOrEqual(wire.length);
    out.push({ fmt: wire[at] & 0x1f, pt: wire[at + 1], body: wire.subarray(at + 4, at + size) });
    at += size;
  }
  expect(at).toBe(wire.length);
  return out;
}
const serialize = (packets: RtcpPacket[]) => Buffer.concat(packets.map((p) => p.serialize()));

describe('keyframe request', () => {
  it('is a well-formed compound packet: a PLI, and a FIR with one whole FCI entry for a new receiver', () => {
    const wire = serialize(keyframeRequest(0x11111111, 0x22222222, { seq: 7 }));
    const [pli, fir, ...rest] = blocks(wire);
    expect(rest).toEqual([]);
    expect(pli).toMatchObject({ pt: 206, fmt: 1 });
    expect(pli.body.length).toBe(8);
    expect(pli.body.readUInt32BE(4)).toBe(0x22222222);
    expect(fir).toMatchObject({ pt: 206, fmt: 4 });
    const fci = fir.body.subarray(8);
    expect(fci.length).toBe(8);
    expect(fir.body.readUInt32BE(4)).toBe(0); // media source: unused in FIR
    expect(fci.readUInt32BE(0)).toBe(0x22222222);
    expect(fci[4]).toBe(7);
    const parsed = RtcpPacketConverter.deSerialize(wire);
    expect(parsed.map((p) => keyframeAskedOf(p, 0x22222222))).toEqual(['pli', 'fir']);
  });

  it('is a PLI alone for a loss', () => {
    const wire = serialize(keyframeRequest(1, 0x22222222));
    expect(blocks(wire).map((b) => b.fmt)).toEqual([1]);
  });

  it('recognises requests for our SSRC only', () => {
    const pli = (media: number) => new RtcpPayloadSpecificFeedback({ feedback: new PictureLossIndication({ senderSsrc: 5, mediaSsrc: media }) });
    expect(keyframeAskedOf(pli(9), 9)).toBe('pli');
    expect(keyframeAskedOf(pli(8), 9)).toBeNull();
    const [, fir] = RtcpPacketConverter.deSerialize(serialize(keyframeRequest(5, 8, { seq: 1 })));
    expect(keyframeAskedOf(fir, 9)).toBeNull();
  });
});
