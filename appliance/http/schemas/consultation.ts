import { z } from '@hono/zod-openapi';
import { dateTime } from './common.ts';

/** Answers of the consultation routes (routes/consultation.ts): call quality, figures only (relay/quality.ts `CallRecord`). */

const leg = z.object({
  samples: z.number().int(),
  upKbpsAvg: z.number().nullable(),
  downKbpsAvg: z.number().nullable(),
  upLossPctAvg: z.number().nullable(),
  upLossPctMax: z.number(),
  downLossPctAvg: z.number().nullable(),
  downLossPctMax: z.number(),
  jitterMsAvg: z.number().nullable(),
  rttMsAvg: z.number().nullable(),
  rttMsMax: z.number(),
  levels: z.object({ good: z.number().int(), fair: z.number().int(), poor: z.number().int() }),
  packetsIn: z.number().int(),
  packetsOut: z.number().int(),
  framesIn: z.number().int(),
  framesOut: z.number().int(),
  clientFramesDecoded: z.number().int().nullable(),
  clientAudioPackets: z.number().int().nullable(),
});

export const callRecord = z
  .object({
    encounterId: z.uuid(),
    startedAt: dateTime,
    endedAt: dateTime,
    seconds: z.number(),
    endReason: z.enum(['withdrawn', 'hangup', 'left', 'encounter_closed', 'failed', 'shutdown', 'replaced']),
    bitrateCapKbps: z.number(),
    keyframeRequests: z.record(z.string(), z.number().int()),
    legs: z.object({ patient: leg, doctor: leg }),
    events: z.array(z.object({ at: z.number().openapi({ description: 'seconds since the call started' }), what: z.string() })),
  })
  .openapi('CallRecord');
export const callsAnswer = z.object({ calls: z.array(callRecord) });
export type CallsAnswer = z.infer<typeof callsAnswer>;
