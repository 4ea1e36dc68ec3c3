/**
 * The hub's settings: defaults → environment. Every error names the setting.
 */
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
export const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

/** A list from the environment (comma-separated) or already a list (a parsed config parsed again). */
const urlList = (one: z.ZodString) =>
  z
    .union([
      z.string().transform((s) =>
        s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      ),
      z.array(z.string()),
    ])
    .pipe(z.array(one).max(50));

export const hubConfigSchema = z
  .object({
    /** PGlite lives in `<dataDir>/pgdata` unless databaseUrl is set. */
    dataDir: z.string().min(1).default('./data/central'),
    /** PostgreSQL, e.g. postgres://user@host:5432/simpul. */
    databaseUrl: z.string().url().optional(),
    /** A schema inside that database (created if missing); default: the connection's search_path. */
    databaseSchema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/)
      .optional(),
    /** An external broker (mqtt:// or mqtts://). When absent the hub runs its own (Aedes). */
    mqttUrl: z.string().url().optional(),
    mqttUsername: z.string().optional(),
    mqttPassword: z.string().optional(),
    /** CA that signed an external broker's certificate (mqtts). */
    mqttCaFile: z.string().optional(),
    /** `$share/<group>/…`: several hub processes split the uplink between them. */
    sharedGroup: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/)
      .optional(),
    /** The embedded broker's listener. */
    brokerHost: z.string().default('0.0.0.0'),
    brokerPort: port.default(1883),
    httpHost: z.string().default('127.0.0.1'),
    httpPort: port.default(8090),
    /**
     * The hub operator's token (Bearer, or the password of HTTP Basic with any user name): every
     * route but /healthz needs it. Without it those routes answer 401 to everyone, and the hub
     * does not start on an address other than loopback.
     */
    adminToken: z
      .string()
      .min(12)
      .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
      .optional(),
    /** Downlink not acknowledged after this long is sent again at the box's next status. */
    resendAfterMs: z.coerce.number().int().min(100).default(30_000),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** The broker address a box enrolled with a claim code is given (mqtts://host:8883): the boxes' listener. */
    boxMqttUrl: z
      .string()
      .regex(/^mqtts:\/\/[^\s/]+(:\d+)?\/?$/, 'expected mqtts://host:port')
      .optional(),
    /** PEM files: the hub serves HTTPS with them (boxes enrol over it); without them plain HTTP behind a TLS proxy. */
    httpTlsCertFile: z.string().optional(),
    httpTlsKeyFile: z.string().optional(),
    /** Claim attempts (POST /enrol) one client address may make per enrolWindowMs. */
    enrolAttemptsPerWindow: z.coerce.number().int().min(1).default(10),
    enrolWindowMs: z.coerce
      .number()
      .int()
      .min(1000)
      .default(10 * 60_000),
    /** The embedded broker's TLS listener for boxes with certificates (mqtts); its certificate comes from the hub CA. */
    brokerTlsPort: port.optional(),
    /** Names (DNS or IP) boxes reach the broker by: in its certificate; the first is in the address boxes are given. */
    brokerTlsHostnames: z.array(z.string().min(1)).default(['localhost', '127.0.0.1']),
    /** Alert notifications (Alertmanager webhook JSON), comma-separated http(s) URLs. */
    alertWebhooks: urlList(
      z
        .string()
        .url()
        .regex(/^https?:\/\//),
    ).optional(),
    /** The software version boxes should run (alert software_behind); unset: not checked. */
    targetVersion: z
      .string()
      .regex(/^[0-9A-Za-z.+_-]{1,40}$/)
      .optional(),
    /** The console's public address, for the links in notifications. */
    externalUrl: z.string().url().optional(),
    /** The address boxes reach the hub's HTTP by, for the release downloads a rollout assigns; unset: externalUrl, else the hub's own. */
    releaseUrl: z
      .string()
      .url()
      .regex(/^https?:\/\//)
      .optional(),
    /** More brokers (one per region shard), comma-separated: the hub subscribes to each and answers a box on its own. */
    extraMqttUrls: urlList(
      z
        .string()
        .url()
        .regex(/^mqtts?:\/\//),
    ).optional(),
    /** Operators' session cookies with Secure though the hub speaks plain HTTP (a TLS proxy in front); over HTTPS they have it anyway. */
    secureCookies: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(false),
    /**
     * The directory `provisioning/cli.ts mosquitto --out` wrote: the hub rewrites those files after
     * each enrolment and revocation and reloads Mosquitto (needs to run as root or as Mosquitto's user).
     */
    mosquittoDir: z.string().optional(),
    mosquittoPidFile: z.string().default('/run/mosquitto/mosquitto.pid'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.adminToken && !isLoopback(c.httpHost)) {
      ctx.addIssue({
        code: 'custom',
        path: ['adminToken'],
        message: `required (SIMPUL_HUB_ADMIN_TOKEN) when httpHost is ${c.httpHost}, not a loopback address: the hub's pages show every box and referral`,
      });
    }
  });
export type HubConfig = z.infer<typeof hubConfigSchema>;
export type HubConfigInput = z.input<typeof hubConfigSchema>;

const envMap: Record<string, keyof HubConfigInput> = {
  SIMPUL_HUB_DATA_DIR: 'dataDir',
  DATABASE_URL: 'databaseUrl',
  DATABASE_SCHEMA: 'databaseSchema',
  MQTT_URL: 'mqttUrl',
  MQTT_USERNAME: 'mqttUsername',
  MQTT_PASSWORD: 'mqttPassword',
  MQTT_CA_FILE: 'mqttCaFile',
  SIMPUL_HUB_SHARED_GROUP: 'sharedGroup',
  SIMPUL_HUB_BROKER_HOST: 'brokerHost',
  SIMPUL_HUB_BROKER_PORT: 'brokerPort',
  SIMPUL_HUB_HTTP_HOST: 'httpHost',
  SIMPUL_HUB_HTTP_PORT: 'httpPort',
  SIMPUL_HUB_ADMIN_TOKEN: 'adminToken',
  SIMPUL_HUB_LOG_LEVEL: 'logLevel',
  SIMPUL_HUB_RESEND_AFTER_MS: 'resendAfterMs',
  SIMPUL_HUB_BOX_MQTT_URL: 'boxMqttUrl',
  SIMPUL_HUB_HTTP_TLS_CERT: 'httpTlsCertFile',
  SIMPUL_HUB_HTTP_TLS_KEY: 'httpTlsKeyFile',
  SIMPUL_HUB_ENROL_ATTEMPTS: 'enrolAttemptsPerWindow',
  SIMPUL_HUB_BROKER_TLS_PORT: 'brokerTlsPort',
  SIMPUL_HUB_ALERT_WEBHOOKS: 'alertWebhooks',
  SIMPUL_HUB_TARGET_VERSION: 'targetVersion',
  SIMPUL_HUB_EXTERNAL_URL: 'externalUrl',
  SIMPUL_HUB_RELEASE_URL: 'releaseUrl',
  SIMPUL_HUB_EXTRA_MQTT_URLS: 'extraMqttUrls',
  SIMPUL_HUB_SECURE_COOKIES: 'secureCookies',
  SIMPUL_HUB_MOSQUITTO_DIR: 'mosquittoDir',
  SIMPUL_HUB_MOSQUITTO_PID_FILE: 'mosquittoPidFile',
};

export class HubConfigError extends Error {}

export function parseHubConfig(input: unknown): HubConfig {
  const r = hubConfigSchema.safeParse(input);
  if (r.success) return r.data;
  throw new HubConfigError(`Invalid hub configuration:\n${r.error.issues.map((i) => `  - ${i.path.join('.') || '(top level)'}: ${i.message}`).join('\n')}`);
}

export function loadHubConfig(env: NodeJS.ProcessEnv = process.env, overrides: HubConfigInput = {}): HubConfig {
  const fromEnv: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(envMap)) if (env[name]) fromEnv[key] = env[name];
  if (env.SIMPUL_HUB_BROKER_TLS_HOSTNAMES) fromEnv.brokerTlsHostnames = env.SIMPUL_HUB_BROKER_TLS_HOSTNAMES.split(',').map((s) => s.trim());
  return parseHubConfig({ ...fromEnv, ...overrides });
}
