/**
 * Enrols and revokes boxes at the hub's database.
 *
 *   npx tsx provisioning/cli.ts enrol --facility 0112P001 --name "Puskesmas Brebes" \
 *       --mqtt-url mqtts://hub.example:8883 [--ca hub-ca.pem] [--device-id id] --out box.config.json
 *   npx tsx provisioning/cli.ts claim --facility 0112P001 [--expires 7d]
 *       (a claim code for one new box of that facility, single use: printed with its QR code for the technician)
 *   npx tsx provisioning/cli.ts revoke <deviceId>
 *   npx tsx provisioning/cli.ts list
 *   npx tsx provisioning/cli.ts mosquitto --out /etc/mosquitto/simpul [--hub-username simpul-hub]
 *       [--box-port 8883] [--box-host <addr>] [--hub-port 1884] [--hub-host 127.0.0.1]
 *       [--cafile ca.pem --certfile cert.pem --keyfile key.pem] [--box-auth password|certificate]
 *       [--broker-user mosquitto] [--persistence-dir /var/lib/mosquitto | --persistence-dir none] [--log-dest stderr]
 *       (the whole mosquitto.conf, password files and acl_file for Mosquitto from the enrolled boxes,
 *        owned by the broker's user, 0600: see provisioning/mosquitto.ts; run it after each enrol/revoke, then SIGHUP Mosquitto)
 *
 * The hub database is DATABASE_URL (PostgreSQL; DATABASE_SCHEMA optional) or the PGlite under
 * SIMPUL_HUB_DATA_DIR / --data-dir (default ./data/central). PGlite has one process at a time:
 * stop the hub first, or use PostgreSQL. The secret is printed nowhere but in the config file
 * (mode 0600); the hub keeps only its scrypt hash.
 */
import { writeFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import QRCode from 'qrcode';
import { openHubDatabase } from '../central/storage/db.ts';
import { FACILITY_CODE, createClaim } from '../central/fleet/claims.ts';
import { loadOrCreateHubCa } from '../central/fleet/hub-ca.ts';
import { enrolDevice, listDevices, revokeDevice } from '../central/fleet/devices.ts';
import { cliActor, recordAudit } from '../central/audit/audit.ts';
import {
  DEFAULT_BROKER,
  DEFAULT_HUB_USERNAME,
  DEFAULT_LISTENERS,
  hubPasswordFor,
  writeMosquittoAuth,
  type BoxAuth,
  type MosquittoBroker,
  type MosquittoListeners,
} from './mosquitto.ts';

const usage = `usage:
  provisioning/cli.ts enrol --facility <kode faskes> --mqtt-url <mqtt(s)://host:port> --out <file> [--name <name>] [--ca <file>] [--device-id <id>] [--force]
  provisioning/cli.ts claim --facility <kode faskes> [--expires 7d|48h|30m]
  provisioning/cli.ts revoke <deviceId>
  provisioning/cli.ts list
  provisioning/cli.ts mosquitto --out <dir> [--hub-username <user>] [--box-port 8883] [--box-host <addr>] [--hub-port 1884] [--hub-host 127.0.0.1]
                                [--cafile <pem> --certfile <pem> --keyfile <pem>] [--box-auth password|certificate [--broker-name hub.example,10.0.0.5]]
                                [--broker-user mosquitto] [--persistence-dir <dir>|none] [--log-dest stderr|syslog|"file <path>"]   (hub password: MQTT_PASSWORD, else <dir>/hub.secret)
options for all: [--data-dir <dir>] (or DATABASE_URL)`;

const enrolArgs = z.object({
  facility: z.string().regex(/^[0-9A-Z]{8}$/, 'expected an 8-character kode faskes, e.g. 0112P001'),
  'mqtt-url': z.string().regex(/^mqtts?:\/\/[^\s/]+(:\d+)?\/?$/, 'expected mqtt://host:port or mqtts://host:port'),
  out: z.string().min(1),
  name: z.string().max(100).optional(),
  ca: z.string().optional(),
  'device-id': z.string().optional(),
  force: z.boolean().optional(),
});

/** 7d, 48h, 30m → milliseconds. */
const duration = z
  .string()
  .regex(/^\d{1,4}[dhm]$/, 'expected e.g. 7d, 48h or 30m')
  .transform((v) => Number(v.slice(0, -1)) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[v.slice(-1) as 'd' | 'h' | 'm']);
const claimArgs = z.object({
  facility: z.string().regex(FACILITY_CODE, 'expected an 8-character kode faskes, e.g. 0112P001'),
  expires: duration
    .optional()
    .transform((ms) => ms ?? 7 * 86_400_000)
    .refine((ms) => ms > 0 && ms <= 90 * 86_400_000, 'at most 90 days'),
});

const portArg = z.coerce.number().int().min(1).max(65535).optional();
const hostArg = z
  .string()
  .regex(/^[0-9A-Za-z.:-]{1,100}$/, 'expected an address')
  .optional();
const pemArg = z
  .string()
  .regex(/^[^\s]+$/, 'a path without spaces')
  .optional();
const listenerArgs = z
  .looseObject({
    'box-port': portArg,
    'box-host': hostArg,
    'hub-port': portArg,
    'hub-host': hostArg,
    cafile: pemArg,
    certfile: pemArg,
    keyfile: pemArg,
    'box-auth': z.enum(['password', 'certificate']).optional(),
    'broker-name': z
      .string()
      .regex(/^[0-9A-Za-z.:-]+(,[0-9A-Za-z.:-]+)*$/, 'DNS names or IP addresses, comma-separated')
      .optional(),
    'broker-user': z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'expected a user name, e.g. mosquitto')
      .optional(),
    'persistence-dir': z
      .string()
      .regex(/^(none|\/[^\s]*)$/, 'an absolute path without spaces, or none')
      .optional(),
    'log-dest': z
      .string()
      .regex(/^(stderr|stdout|syslog|file \/[^\s]+)$/, 'stderr, syslog or "file /path"')
      .optional(),
  })
  .refine((v) => [v.cafile, v.certfile, v.keyfile].every((x) => x === undefined) || [v.cafile, v.certfile, v.keyfile].every((x) => x !== undefined), {
    message: 'TLS needs all three of --cafile, --certfile, --keyfile',
    path: ['cafile'],
  });

export async function main(argv: string[], env = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      facility: { type: 'string' },
      'mqtt-url': { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
      ca: { type: 'string' },
      'device-id': { type: 'string' },
      force: { type: 'boolean' },
      'data-dir': { type: 'string' },
      expires: { type: 'string' },
      'hub-username': { type: 'string' },
      'box-port': { type: 'string' },
      'box-host': { type: 'string' },
      'hub-port': { type: 'string' },
      'hub-host': { type: 'string' },
      cafile: { type: 'string' },
      certfile: { type: 'string' },
      keyfile: { type: 'string' },
      'box-auth': { type: 'string' },
      'broker-name': { type: 'string' },
      'broker-user': { type: 'string' },
      'persistence-dir': { type: 'string' },
      'log-dest': { type: 'string' },
    },
  });
  const [cmd, arg] = positionals;
  if (!cmd || !['enrol', 'claim', 'revoke', 'list', 'mosquitto'].includes(cmd)) {
    console.error(usage);
    return 2;
  }
  let claim: z.infer<typeof claimArgs> | undefined;
  if (cmd === 'claim') {
    const p = claimArgs.safeParse(values);
    if (!p.success) {
      console.error(p.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n') + '\n' + usage);
      return 2;
    }
    claim = p.data;
  }
  let input: z.infer<typeof enrolArgs> | undefined;
  if (cmd === 'enrol') {
    const p = enrolArgs.safeParse(values);
    if (!p.success) {
      console.error(p.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n') + '\n' + usage);
      return 2;
    }
    input = p.data;
    if (existsSync(input.out) && !input.force) {
      console.error(`${input.out} exists; pass --force to overwrite it`);
      return 2;
    }
  }
  if ((cmd === 'revoke' && !arg) || (cmd === 'mosquitto' && !values.out)) {
    console.error(usage);
    return 2;
  }
  let listeners: MosquittoListeners = DEFAULT_LISTENERS;
  let broker: MosquittoBroker = DEFAULT_BROKER;
  let boxAuth: BoxAuth = 'password';
  let brokerNames: string[] | undefined;
  if (cmd === 'mosquitto') {
    const p = listenerArgs.safeParse(values);
    if (!p.success) {
      console.error(p.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n') + '\n' + usage);
      return 2;
    }
    const v = p.data;
    listeners = {
      boxPort: v['box-port'] ?? DEFAULT_LISTENERS.boxPort,
      boxHost: v['box-host'],
      hubPort: v['hub-port'] ?? DEFAULT_LISTENERS.hubPort,
      hubHost: v['hub-host'] ?? DEFAULT_LISTENERS.hubHost,
      tls: v.cafile && v.certfile && v.keyfile ? { cafile: v.cafile, certfile: v.certfile, keyfile: v.keyfile } : undefined,
    };
    const persistence = v['persistence-dir'];
    broker = {
      user: v['broker-user'] ?? DEFAULT_BROKER.user,
      persistenceDir: persistence === 'none' ? null : (persistence ?? DEFAULT_BROKER.persistenceDir),
      logDest: v['log-dest'] ?? DEFAULT_BROKER.logDest,
    };
    boxAuth = v['box-auth'] ?? 'password';
    brokerNames = v['broker-name']?.split(',');
  }
  const db = await openHubDatabase({
    dataDir: values['data-dir'] ?? env.SIMPUL_HUB_DATA_DIR ?? './data/central',
    databaseUrl: env.DATABASE_URL,
    databaseSchema: env.DATABASE_SCHEMA,
    log: () => {},
  });
  try {
    if (cmd === 'enrol' && input) {
      const { deviceId, secret } = await enrolDevice(db, { facilityCode: input.facility, name: input.name, deviceId: input['device-id'] });
      const boxConfig = {
        mqttUrl: input['mqtt-url'],
        deviceId,
        deviceSecret: secret,
        ...(input.ca ? { mqttCaFile: input.ca } : {}),
        facility: { code: input.facility, name: input.name ?? input.facility },
      };
      writeFileSync(input.out, JSON.stringify(boxConfig, null, 2) + '\n', { mode: 0o600 });
      await recordAudit(db, {
        actor: cliActor(),
        role: 'cli',
        address: 'local',
        action: 'device_enrol',
        target: `box ${deviceId}`,
        result: 'ok',
        detail: { facility: input.facility },
      });
      console.log(`enrolled ${deviceId}; box settings written to ${input.out} (keep it secret)`);
    } else if (cmd === 'claim' && claim) {
      const { code, expiresAt } = await createClaim(db, { facilityCode: claim.facility, validForMs: claim.expires, now: new Date() });
      console.log(await QRCode.toString(code, { type: 'terminal', small: true }));
      console.log(`kode klaim / claim code: ${code}`);
      console.log(`fasilitas / facility: ${claim.facility}; sekali pakai, berlaku sampai / single use, valid until ${expiresAt.toISOString()}`);
    } else if (cmd === 'revoke') {
      const revoked = await revokeDevice(db, arg);
      const region = (await db.query<{ region_code: string | null }>(`SELECT region_code FROM devices WHERE id = $1`, [arg])).rows[0]?.region_code ?? '';
      await recordAudit(db, {
        actor: cliActor(),
        role: 'cli',
        address: 'local',
        action: 'device_revoke',
        target: `box ${arg.slice(0, 63)}`,
        region,
        result: revoked ? 'ok' : 'refused',
      });
      if (!revoked) {
        console.error(`no device ${arg}`);
        return 1;
      }
      console.log(
        `revoked ${arg}: a running hub puts it off its broker within 10 s (embedded, or Mosquitto with SIMPUL_HUB_MOSQUITTO_DIR); POST /admin/devices/${arg}/revoke does it at once`,
      );
    } else if (cmd === 'mosquitto') {
      const outDir = values.out!;
      const hub = hubPasswordFor(outDir, env);
      const hubUsername = values['hub-username'] ?? env.MQTT_USERNAME ?? DEFAULT_HUB_USERNAME;
      // Boxes with certificates: the hub CA (in the hub's data dir) signs the broker's certificate and the CRL.
      const certificates =
        boxAuth === 'certificate' ? { ca: await loadOrCreateHubCa(values['data-dir'] ?? env.SIMPUL_HUB_DATA_DIR ?? './data/central'), now: new Date(), brokerNames } : undefined;
      const r = await writeMosquittoAuth(db, { outDir, hubUsername, hubPassword: hub.password, listeners, broker, boxAuth, certificates });
      console.log(
        `wrote ${r.confFile} (boxes on ${listeners.boxHost ?? '*'}:${listeners.boxPort} by ${boxAuth}, hubs on ${listeners.hubHost}:${listeners.hubPort}), ${r.passwordFile}, ${r.hubPasswordFile} (${hubUsername}) and ${r.aclFile} (${r.devices.length} boxes), owned by ${broker.user}, 0600; reload Mosquitto (SIGHUP) to apply`,
      );
      if (r.warning) console.error(r.warning);
      if (!listeners.tls && boxAuth === 'password') console.error("no --cafile/--certfile/--keyfile: the boxes' listener is plain MQTT (a test, or behind a TLS terminator)");
      if (hub.created) console.log(`a new hub password is in ${outDir}/hub.secret: give it to the hub as MQTT_PASSWORD (MQTT_USERNAME=${hubUsername})`);
      if (r.skipped.length) console.error(`left out (no broker hash: enrolled before it was kept, or named like the hub user): ${r.skipped.join(', ')}; re-enrol them`);
    } else {
      for (const d of await listDevices(db)) console.log(`${d.id}\t${d.facilityCode}\t${d.revokedAt ? 'REVOKED' : 'active'}\tlast seen ${d.lastSeenAt ?? 'never'}\t${d.name}`);
    }
    return 0;
  } finally {
    await db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
