/**
 * The box's sync settings. Flat keys, meant to be spread into appliance/config.ts's schema
 * (`...syncSettingsShape`); without mqttUrl, deviceId and deviceSecret the box does not sync.
 */
import { z } from 'zod';
import { DEVICE_ID } from '../../central/contract/index.ts';
import { timeWindowSetting } from '../clinic/time-of-day.ts';

export const syncSettingsShape = {
  /** The hub's broker: mqtt://host:1883, or mqtts://host:8883 (then the hub's certificate is verified). */
  mqttUrl: z
    .string()
    .regex(/^mqtts?:\/\/[^\s/]+(:\d+)?\/?$/, 'expected mqtt://host:port or mqtts://host:port')
    .optional(),
  /** Written by `provisioning enrol`. */
  deviceId: z.string().regex(DEVICE_ID, 'expected the device id from `provisioning enrol` (lowercase letters, digits, -)').optional(),
  deviceSecret: z.string().min(16, 'expected the secret from `provisioning enrol`').optional(),
  /** PEM of the CA that signed the hub broker's certificate (mqtts); default: the system's CAs. */
  mqttCaFile: z.string().optional(),
  /** Records per uplink batch at most (the box halves it after a timeout on a poor link, and grows it back). */
  syncBatchMaxRecords: z.coerce.number().int().min(1).max(1000).default(200),
  /** JSON bytes per batch at most, before compression (~5× smaller on the wire). */
  syncBatchMaxBytes: z.coerce
    .number()
    .int()
    .min(4096)
    .max(1024 * 1024)
    .default(128 * 1024),
  /** Upload cap in kbit/s (0: none); a 2G link shared with the clinic's other traffic wants ~16. */
  syncBandwidthKbps: z.coerce.number().min(0).default(0),
  /** Bulk records (daily figures) only in this local window, e.g. "22:00-05:00"; empty: any time. */
  syncNightWindow: timeWindowSetting.optional(),
  /** How long to wait for the hub's acknowledgement of a batch, counted from the broker's PUBACK, before sending it again. */
  syncAckTimeoutMs: z.coerce.number().int().min(100).default(30_000),
  /** Batches sent before the first is acknowledged: hides the round trip on a long link and overlaps box and hub work. */
  syncMaxInFlight: z.coerce.number().int().min(1).max(16).default(4),
  /**
   * Reconnect backoff: exponential from min to max, with jitter (sync/link.ts backoffDelay). The
   * max is what a link that comes back may cost: at most 60 s (a larger setting is taken as 60 s).
   */
  syncBackoffMinMs: z.coerce.number().int().min(10).default(1000),
  syncBackoffMaxMs: z.coerce
    .number()
    .int()
    .min(10)
    .default(30_000)
    .transform((ms) => Math.min(ms, 60_000)),
  /** How often an idle uplink looks at the outbox for new records. */
  syncPollMs: z.coerce.number().int().min(10).default(2000),
  /** After a connect, how soon the box asks the hub again when it has not answered (doubling to 30 s): a broker restart costs about this. */
  syncHubProbeMs: z.coerce.number().int().min(50).default(2000),
  /** How often the box reports its backlog to the hub (which also resends unacknowledged downlink then). */
  syncStatusIntervalMs: z.coerce.number().int().min(100).default(60_000),
};
export const syncSettingsSchema = z.object(syncSettingsShape);
export type SyncSettings = z.infer<typeof syncSettingsSchema>;
export type SyncSettingsInput = z.input<typeof syncSettingsSchema>;

/** What startSync needs of the box's configuration. */
export type SyncConfig = SyncSettingsInput & { facility: { code: string }; timeZone: string; dataDir?: string };
