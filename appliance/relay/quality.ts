import type { LinkQuality, Party, QualityLevel, StopReason } from './protocol.ts';

/** One quality sample of a participant's link (every few seconds while connected). */
export type LegSample = LinkQuality;

interface Agg {
  n: number;
  sum: number;
  max: number;
}
const agg = (): Agg => ({ n: 0, sum: 0, max: 0 });
const add = (a: Agg, v: number) => {
  a.n++;
  a.sum += v;
  a.max = Math.max(a.max, v);
};
const avg = (a: Agg) => (a.n ? Math.round((a.sum / a.n) * 10) / 10 : null);

/** What is kept of a call: figures only (bitrate, loss, jitter, round trip, frames), never media. */
export interface CallRecord {
  encounterId: string;
  startedAt: string;
  endedAt: string;
  seconds: number;
  endReason: StopReason;
  bitrateCapKbps: number;
  keyframeRequests: Record<string, number>;
  legs: Record<
    Party,
    {
      samples: number;
      upKbpsAvg: number | null;
      downKbpsAvg: number | null;
      upLossPctAvg: number | null;
      upLossPctMax: number;
      downLossPctAvg: number | null;
      downLossPctMax: number;
      jitterMsAvg: number | null;
      rttMsAvg: number | null;
      rttMsMax: number;
      levels: Record<QualityLevel, number>;
      packetsIn: number;
      packetsOut: number;
      framesIn: number;
      framesOut: number;
      clientFramesDecoded: number | null;
      clientAudioPackets: number | null;
    }
  >;
  events: { at: number; what: string }[];
}

/** A leg's own counters and what its browser reported, added to the call when the leg closes. */
export interface LegTotals {
  c: { inPackets: number; outPackets: number; framesIn: number; framesOut: number };
  client: { framesDecoded?: number; audioPacketsReceived?: number };
}

export class CallStats {
  private readonly started = Date.now();
  private readonly keyframes: Record<string, number> = {};
  private readonly events: { at: number; what: string }[] = [];
  private readonly legs = {
    patient: this.emptyLeg(),
    doctor: this.emptyLeg(),
  };
  constructor(
    readonly encounterId: string,
    readonly bitrateCapKbps: number,
  ) {}

  private emptyLeg() {
    return {
      samples: 0,
      upKbps: agg(),
      downKbps: agg(),
      upLoss: agg(),
      downLoss: agg(),
      jitter: agg(),
      rtt: agg(),
      levels: { good: 0, fair: 0, poor: 0 } as Record<QualityLevel, number>,
      packetsIn: 0,
      packetsOut: 0,
      framesIn: 0,
      framesOut: 0,
      clientFramesDecoded: null as number | null,
      clientAudioPackets: null as number | null,
    };
  }

  event(what: string) {
    if (this.events.length < 200) this.events.push({ at: Math.round((Date.now() - this.started) / 100) / 10, what });
  }
  keyframe(why: string) {
    this.keyframes[why] = (this.keyframes[why] ?? 0) + 1;
  }
  sample(role: Party, q: LegSample) {
    const l = this.legs[role];
    l.samples++;
    add(l.upKbps, q.up.kbps);
    add(l.downKbps, q.down.kbps);
    add(l.upLoss, q.up.lossPct);
    add(l.downLoss, q.down.lossPct);
    add(l.jitter, q.up.jitterMs);
    if (q.down.rttMs !== null) add(l.rtt, q.down.rttMs);
    l.levels[q.level]++;
  }
  addLegTotals(role: Party, c: LegTotals['c'], client: LegTotals['client']) {
    const l = this.legs[role];
    l.packetsIn += c.inPackets;
    l.packetsOut += c.outPackets;
    l.framesIn += c.framesIn;
    l.framesOut += c.framesOut;
    if (client.framesDecoded !== undefined) l.clientFramesDecoded = (l.clientFramesDecoded ?? 0) + client.framesDecoded;
    if (client.audioPacketsReceived !== undefined) l.clientAudioPackets = (l.clientAudioPackets ?? 0) + client.audioPacketsReceived;
  }
  /**
   * The call's record as it stands, with the totals of legs still open, without ending it: kept by
   * the box while the call goes on, so that a relay process that dies mid-call loses no figures.
   */
  snapshot(open: Partial<Record<Party, LegTotals>>): CallRecord {
    const copy = new CallStats(this.encounterId, this.bitrateCapKbps);
    Object.assign(copy, { started: this.started, keyframes: { ...this.keyframes }, events: [...this.events] });
    for (const role of ['patient', 'doctor'] as Party[]) {
      const l = this.legs[role];
      copy.legs[role] = { ...l, levels: { ...l.levels } };
      const o = open[role];
      if (o) copy.addLegTotals(role, o.c, o.client);
    }
    return copy.finish('failed');
  }

  finish(reason: StopReason): CallRecord {
    const ended = Date.now();
    const leg = (l: ReturnType<CallStats['emptyLeg']>) => ({
      samples: l.samples,
      upKbpsAvg: avg(l.upKbps),
      downKbpsAvg: avg(l.downKbps),
      upLossPctAvg: avg(l.upLoss),
      upLossPctMax: l.upLoss.max,
      downLossPctAvg: avg(l.downLoss),
      downLossPctMax: l.downLoss.max,
      jitterMsAvg: avg(l.jitter),
      rttMsAvg: avg(l.rtt),
      rttMsMax: l.rtt.max,
      levels: l.levels,
      packetsIn: l.packetsIn,
      packetsOut: l.packetsOut,
      framesIn: l.framesIn,
      framesOut: l.framesOut,
      clientFramesDecoded: l.clientFramesDecoded,
      clientAudioPackets: l.clientAudioPackets,
    });
    return {
      encounterId: this.encounterId,
      startedAt: new Date(this.started).toISOString(),
      endedAt: new Date(ended).toISOString(),
      seconds: Math.round((ended - this.started) / 100) / 10,
      endReason: reason,
      bitrateCapKbps: this.bitrateCapKbps,
      keyframeRequests: { ...this.keyframes },
      legs: { patient: leg(this.legs.patient), doctor: leg(this.legs.doctor) },
      events: this.events,
    };
  }
}
