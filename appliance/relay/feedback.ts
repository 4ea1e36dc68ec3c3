/**
 * The relay's RTCP toward a sender: keyframe requests (PLI, and FIR where negotiated) when a
 * receiver needs a picture to start or repair, spaced at least 250 ms apart per sender, and REMB
 * holding the sender at its leg's bitrate cap.
 */
import { ReceiverEstimatedMaxBitrate, RtcpPayloadSpecificFeedback } from 'werift';
import { keyframeRequest } from './keyframe-request.ts';
import type { Leg } from './media-leg.ts';
import type { CallStats } from './quality.ts';

export type KeyframeReason = 'join' | 'pli' | 'fir' | 'loss' | 'resume';

/** Asks `src` for a keyframe; `retries` more follow on the next housekeeping ticks. False when not sent. */
export function requestKeyframe(src: Leg, why: KeyframeReason, now: number, call: CallStats | null, retries = 0): boolean {
  if (src.closed || !src.connected) return false;
  if (retries) src.keyframeRetries = Math.max(src.keyframeRetries, retries);
  if (now - src.lastKeyframeRequest < 250) return false;
  src.lastKeyframeRequest = now;
  const track = src.inbound.video;
  if (!track?.ssrc) return false;
  const receiver = src.tx.video.receiver;
  call?.keyframe(why);
  const fir = why === 'join' || why === 'fir' ? { seq: src.firSeq++ } : undefined;
  receiver.dtlsTransport?.sendRtcp(keyframeRequest(src.feedbackSsrc, track.ssrc, fir)).catch(() => {});
  return true;
}

export function sendRemb(src: Leg) {
  const track = src.inbound.video;
  if (!track?.ssrc || !src.connected) return;
  const receiver = src.tx.video.receiver;
  const bps = BigInt(Math.round(src.capKbps * 1000));
  let exp = 0;
  while (bps >> BigInt(exp) > 0x3ffffn) exp++;
  const remb = new ReceiverEstimatedMaxBitrate({
    senderSsrc: src.feedbackSsrc,
    mediaSsrc: 0,
    ssrcNum: 1,
    brExp: exp,
    brMantissa: Number(bps >> BigInt(exp)),
    bitrate: bps,
    ssrcFeedbacks: [track.ssrc],
  });
  receiver.dtlsTransport?.sendRtcp([new RtcpPayloadSpecificFeedback({ feedback: remb })]).catch(() => {});
}
