import { PictureLossIndication, RtcpPayloadSpecificFeedback, type RtcpPacket } from 'werift';

/**
 * The RTCP the relay uses to ask a sender for a keyframe (PLI, RFC 4585 §6.3.1; FIR, RFC 5104
 * §4.3.1), and the recognition of such requests arriving from a receiver.
 *
 * Browsers act on a compound RTCP packet only when every block in it parses: Chromium counts the
 * PLI (pliCount) but encodes no keyframe when a block next to it is malformed. So each block's
 * length field must be exact.
 */

const PLI_FMT = 1;
const FIR_FMT = 4;

/** FIR with one FCI entry. werift parses FIR but does not export a class for it, and its own
 *  serialiser states a length one word short (which made Chromium drop the whole compound). */
class Fir {
  readonly count = FIR_FMT;
  constructor(
    readonly senderSsrc: number,
    readonly mediaSsrc: number,
    readonly seq: number,
  ) {}
  /** RTCP length field: the packet's size in 32-bit words minus one, the 4-byte common header included. */
  get length() {
    return (4 + 16) / 4 - 1;
  }
  serialize() {
    const b = Buffer.alloc(16);
    b.writeUInt32BE(this.senderSsrc >>> 0, 0);
    b.writeUInt32BE(0, 4); // media source SSRC: unused in FIR, the FCI names it
    b.writeUInt32BE(this.mediaSsrc >>> 0, 8);
    b[12] = this.seq & 0xff; // then 3 reserved bytes
    return b;
  }
}

/**
 * PLI for `mediaSsrc`, and a FIR as well when a receiver starts (FIR is the request for a new
 * receiver; PLI alone is the one for a loss). `senderSsrc` is an SSRC of the requester's own that
 * no stream uses: werift peers route feedback by the sender SSRC first.
 */
export function keyframeRequest(senderSsrc: number, mediaSsrc: number, fir?: { seq: number }): RtcpPacket[] {
  const packets: RtcpPacket[] = [new RtcpPayloadSpecificFeedback({ feedback: new PictureLossIndication({ senderSsrc, mediaSsrc }) })];
  if (fir) packets.push(new RtcpPayloadSpecificFeedback({ feedback: new Fir(senderSsrc, mediaSsrc, fir.seq) as never }));
  return packets;
}

/** Which keyframe request (as werift parsed it) the packet makes of the sender of `ssrc`, if any. */
export function keyframeAskedOf(packet: RtcpPacket, ssrc: number): 'pli' | 'fir' | null {
  if (!(packet instanceof RtcpPayloadSpecificFeedback)) return null;
  const fb = packet.feedback as { count?: number; mediaSsrc?: number; fir?: { ssrc: number }[] } | undefined;
  if (fb?.count === PLI_FMT && fb.mediaSsrc === ssrc) return 'pli';
  if (fb?.count === FIR_FMT && fb.fir?.some((e) => e.ssrc === ssrc)) return 'fir';
  return null;
}
