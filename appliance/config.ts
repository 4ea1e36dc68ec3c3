import { readFileSync, existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { syncSettingsShape } from './sync/settings.ts';
import { relayEnv, relaySettingsShape } from './relay/settings.ts';
import { timeOfDaySetting } from './clinic/time-of-day.ts';

/**
 * The one schema of the box's settings. Sources, later wins: defaults → JSON file
 * (`SIMPUL_CONFIG`, default `./simpul.config.json` if present) → environment variables.
 * Technicians edit the file by hand on a Pi, so every error names the setting.
 */

// Indonesia's three zones. The clinic day (and daily queue numbers) turn at local midnight.
const zoneAliases: Record<string, string> = { WIB: 'Asia/Jakarta', WITA: 'Asia/Makassar', WIT: 'Asia/Jayapura' };
export const timeZones = ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'] as const;

export const poliSchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9-]{1,19}$/, 'expected a short lowercase code, e.g. "umum"'),
  name: z.string().min(1).max(60),
  prefix: z.string().regex(/^[A-Z]$/, 'expected one capital letter, e.g. "A"'),
  rooms: z.array(z.string().min(1).max(40)).min(1, 'expected at least one room'),
});
export type Poli = z.infer<typeof poliSchema>;

const port = z.coerce.number().int().min(0).max(65535);

export const configSchema = z
  .object({
    mode: z.enum(['demo', 'production']).default('production'),
    /**
     * true: a production box with no admin or no enrolment serves only its first-run page
     * (appliance/first-run). Off by default until the firmware scripts' install sets it (their
     * tests set boxes up by file: `npm run setup` and a sync password in this config).
     */
    firstRunPage: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(false),
    dataDir: z.string().min(1).default('./data'),
    host: z.string().min(1).default('0.0.0.0'),
    httpsPort: port.default(8443),
    /** Plain HTTP only redirects to HTTPS; 0 turns it off. */
    httpPort: port.default(8080),
    /** PEM files; when absent a self-signed certificate is made at first start under dataDir. */
    tlsCertFile: z.string().optional(),
    tlsKeyFile: z.string().optional(),
    /** Names the box puts in its self-signed certificate (the LAN name phones type or scan). */
    tlsHostnames: z.array(z.string().min(1)).default(['simpul.local', 'localhost']),
    timeZone: z
      .string()
      .transform((v) => zoneAliases[v.toUpperCase()] ?? v)
      .pipe(z.enum(timeZones, { message: 'expected WIB, WITA or WIT (or Asia/Jakarta, Asia/Makassar, Asia/Jayapura)' }))
      .default('Asia/Jakarta'),
    facility: z
      .object({
        code: z.string().regex(/^[0-9A-Z]{8}$/, 'expected an 8-character kode faskes, e.g. "0112P001"'),
        name: z.string().min(1).max(100),
      })
      .default({ code: '0112P001', name: 'Puskesmas Demo' }),
    polis: z
      .array(poliSchema)
      .min(1)
      .default([
        { code: 'umum', name: 'Poli Umum', prefix: 'A', rooms: ['Ruang 1', 'Ruang 2'] },
        { code: 'gigi', name: 'Poli Gigi', prefix: 'B', rooms: ['Ruang Gigi'] },
        { code: 'kia', name: 'Poli KIA', prefix: 'C', rooms: ['Ruang KIA'] },
      ]),
    /** Local time the day's service ends; patients' ticket links expire then. */
    serviceEndsAt: timeOfDaySetting.default('24:00'),
    referralValidDays: z.coerce.number().int().min(1).max(365).default(90),
    /** Minutes a patient is expected to take before the day has real service times. */
    defaultServiceMinutes: z.coerce.number().int().min(1).max(120).default(10),
    /**
     * Open live-update connections (the ticket page's and waiting-room screen's event streams, the
     * consultation sockets) one client address may hold: a phone has its ticket page, perhaps in
     * two or three tabs, and a call; a staff tablet its queue desk and a call. Beyond it: 429.
     */
    liveConnectionsPerAddress: z.coerce.number().int().min(1).max(1000).default(8),
    /**
     * Open live-update connections of all phones and screens together (staff are not refused by
     * it): a busy puskesmas has 100–200 patients waiting at the morning peak. Beyond it: 503.
     */
    liveConnectionsTotal: z.coerce.number().int().min(1).max(100_000).default(400),
    /**
     * Numbers one phone (client address) may take a day without an account: a mother for her
     * children, a second poli. Beyond it: 429, and the desk gives the number.
     */
    phoneTicketsPerAddress: z.coerce.number().int().min(1).max(100_000).default(10),
    /** Numbers all phones together may take a day; bounds the queue's memory. Beyond it: 503. */
    phoneTicketsPerDay: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    /** A Bearer token a monitor outside the box sends for /metrics (loopback needs none). */
    metricsToken: z.string().min(24, 'at least 24 characters, e.g. from `openssl rand -hex 16`').optional(),
    /** Addresses (e.g. the LAN monitor) that may read /metrics without the token. */
    metricsAllowFrom: z.array(z.string().refine((v) => isIP(v) !== 0, 'expected an IP address, e.g. "192.168.1.2"')).default([]),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Sync to the central hub (written by `provisioning enrol`); see appliance/sync/settings.ts. */
    ...syncSettingsShape,
    /** The consultation relay (UDP ports, bitrate cap, LAN addresses); see appliance/relay/settings.ts. */
    ...relaySettingsShape,
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    for (const [i, p] of c.polis.entries()) {
      for (const key of [`code:${p.code}`, `prefix:${p.prefix}`]) {
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['polis', i], message: `duplicate poli ${key}` });
        seen.add(key);
      }
    }
  });

export type Config = z.infer<typeof configSchema>;

/** Environment variable → setting. Lists are comma-separated. */
const envMap: Record<string, keyof z.input<typeof configSchema>> = {
  SIMPUL_MODE: 'mode',
  SIMPUL_FIRST_RUN_PAGE: 'firstRunPage',
  SIMPUL_DATA_DIR: 'dataDir',
  SIMPUL_HOST: 'host',
  SIMPUL_HTTPS_PORT: 'httpsPort',
  SIMPUL_HTTP_PORT: 'httpPort',
  SIMPUL_TLS_CERT: 'tlsCertFile',
  SIMPUL_TLS_KEY: 'tlsKeyFile',
  SIMPUL_TIME_ZONE: 'timeZone',
  SIMPUL_SERVICE_ENDS_AT: 'serviceEndsAt',
  SIMPUL_REFERRAL_VALID_DAYS: 'referralValidDays',
  SIMPUL_LOG_LEVEL: 'logLevel',
  SIMPUL_LIVE_CONNECTIONS_PER_ADDRESS: 'liveConnectionsPerAddress',
  SIMPUL_LIVE_CONNECTIONS_TOTAL: 'liveConnectionsTotal',
  SIMPUL_PHONE_TICKETS_PER_ADDRESS: 'phoneTicketsPerAddress',
  SIMPUL_PHONE_TICKETS_PER_DAY: 'phoneTicketsPerDay',
  SIMPUL_METRICS_TOKEN: 'metricsToken',
  SIMPUL_MQTT_URL: 'mqttUrl',
  SIMPUL_DEVICE_ID: 'deviceId',
  SIMPUL_DEVICE_SECRET: 'deviceSecret',
  SIMPUL_MQTT_CA_FILE: 'mqttCaFile',
  SIMPUL_SYNC_BANDWIDTH_KBPS: 'syncBandwidthKbps',
  SIMPUL_SYNC_NIGHT_WINDOW: 'syncNightWindow',
  ...relayEnv,
};

export class ConfigError extends Error {}

export function parseConfig(input: unknown, source = 'configuration'): Config {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => {
    const name = i.path.length ? i.path.join('.') : '(top level)';
    return `  - ${name}: ${i.message}`;
  });
  throw new ConfigError(`Invalid ${source}:\n${lines.join('\n')}`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Record<string, unknown> = {}): Config {
  const file = env.SIMPUL_CONFIG ?? './simpul.config.json';
  let fromFile: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ConfigError(`Cannot read config file ${file}: ${(e as Error).message}`);
    }
  } else if (env.SIMPUL_CONFIG) {
    throw new ConfigError(`Config file ${file} (SIMPUL_CONFIG) does not exist`);
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(envMap)) {
    if (env[name] !== undefined) fromEnv[key] = env[name];
  }
  if (env.SIMPUL_METRICS_ALLOW_FROM) fromEnv.metricsAllowFrom = env.SIMPUL_METRICS_ALLOW_FROM.split(',').map((s) => s.trim());
  if (env.SIMPUL_TLS_HOSTNAMES) fromEnv.tlsHostnames = env.SIMPUL_TLS_HOSTNAMES.split(',').map((s) => s.trim());
  return parseConfig({ ...fromFile, ...fromEnv, ...overrides }, `configuration (file ${file} and SIMPUL_* environment)`);
}
