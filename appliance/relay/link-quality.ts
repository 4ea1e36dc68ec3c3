/**
 * Link quality: each participant's figures (kbit/s, loss, jitter, round trip) from the relay's peer
 * connection, the indicator each side sees, the bitrate cap that follows the receiver's loss, and
 * the suggestion to go audio only after three poor readings in a row.
 */
import type { LinkQuality, Party, QualityLevel } from './protocol.ts';
import type { LegSample } from './quality.ts';
import { other, type Leg } from './media-leg.ts';
import type { Room } from './room.ts';
import { streamFigures } from './werift-fast-path.ts';

/** Each participant's link figures, the indicator they see, and the audio-only suggestion. */
export function roomQuality(room: Room, bitrateKbps: number, now: number) {
  const levels: Partial<Record<Party, QualityLevel>> = {};
  const samples: Partial<Record<Party, LinkQuality>> = {};
  for (const role of ['patient', 'doctor'] as Party[]) {
    const leg = room.legs[role];
    if (!leg?.connected || leg.closed) continue;
    const q = linkQuality(leg, now);
    samples[role] = q;
    levels[role] = q.level;
    leg.level = q.level;
    leg.poorTicks = q.level === 'poor' ? leg.poorTicks + 1 : 0;
    // Bitrate follows the receiver's loss: down on loss, back up to the call's cap when clean.
    const peer = room.legs[other(role)];
    if (peer) {
      if (q.down.lossPct > 5) peer.capKbps = Math.max(100, Math.round(peer.capKbps * 0.8));
      else if (q.down.lossPct < 2) peer.capKbps = Math.min(bitrateKbps, Math.round(peer.capKbps * 1.08));
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

/** One participant's link from the relay's peer connection figures, as deltas since the last look. */
function linkQuality(leg: Leg, now: number): LinkQuality {
  const figures = streamFigures(leg.pc);
  let inLost = 0,
    inPackets = 0,
    jitter = 0,
    fractionLost = 0,
    rtt: number | null = null,
    nRemote = 0;
  for (const s of figures.inbound) {
    inLost += s.packetsLost;
    inPackets += s.packetsReceived;
    if (s.kind === 'audio' && s.jitter !== undefined) jitter = Math.max(jitter, s.jitter);
    if (s.kind === 'video' && s.jitter !== undefined && jitter === 0) jitter = s.jitter;
  }
  for (const s of figures.remoteInbound) {
    if (s.fractionLost !== undefined) {
      fractionLost = Math.max(fractionLost, s.fractionLost);
      nRemote++;
    }
    if (s.roundTripTime !== undefined) rtt = Math.max(rtt ?? 0, s.roundTripTime);
  }
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
    starved || loss >= 10 || (rttMs ?? 0) > 1000 || (expectsMedia && upKbps < 40) ? 'poor' : loss >= 3 || (rttMs ?? 0) > 400 || (expectsMedia && upKbps < 150) ? 'fair' : 'good';
  return {
    level,
    up: { kbps: upKbps, lossPct: Math.round(upLoss * 10) / 10, jitterMs: Math.round(jitter * 1000) },
    down: { kbps: downKbps, lossPct: Math.round(downLoss * 10) / 10, rttMs },
  };
}
