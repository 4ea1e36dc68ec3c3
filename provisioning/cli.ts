/**
 * Enrols and revokes boxes at the hub's database.
 *
 *   npx tsx provisioning/cli.ts enrol --facility 0112P001 --name "Puskesmas Brebes" \
 *       --mqtt-url mqtts://hub.example:8883 [--ca hub-ca.pem] [--device-id id] --out box.config.json
 *   npx tsx provisioning/cli.ts revoke <deviceId>
 *   npx tsx provisioning/cli.ts list
 *   npx tsx provisioning/cli.ts mosquitto --out /etc/mosquitto/simpul [--hub-username simpul-hub]
 *       (password_file + acl_file for Mosquitto from the enrolled boxes: see provisioning/mosquitto.ts;
 *        run it after each enrol/revoke, then SIGHUP Mosquitto)
 *
 * The hub database is DATABASE_URL (PostgreSQL; DATABASE_SCHEMA optional) or the PGlite under
 * SIMPUL_HUB_DATA_DIR / --data-dir (default ./data/central). PGlite has one process at a time:
 * stop the hub first, or use PostgreSQL. The secret is printed nowhere but in the config file
 * (mode 0600); the hub keeps only its scrypt hash.
 */
import { writeFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { openHubDatabase } from '../central/storage/db.ts';
import { enrolDevice, listDevices, revokeDevice } from '../central/fleet/devices.ts';
import { DEFAULT_HUB_USERNAME, hubPasswordFor, writeMosquittoAuth } from './mosquitto.ts';

const usage = `usage:
  provisioning/cli.ts enrol --facility <kode faskes> --mqtt-url <mqtt(s)://host:port> --out <file> [--name <name>] [--ca <file>] [--device-id <id>] [--force]
  provisioning/cli.ts revoke <deviceId>
  provisioning/cli.ts list
  provisioning/cli.ts mosquitto --out <dir> [--hub-username <user>]   (hub password: MQTT_PASSWORD, else <dir>/hub.secret)
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

export async function main(argv: string[], env = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      facility: { type: 'string' }, 'mqtt-url': { type: 'string' }, out: { type: 'string' }, name: { type: 'string' }, ca: { type: 'string' },
      'device-id': { type: 'string' }, force: { type: 'boolean' }, 'data-dir': { type: 'string' },
      'hub-username': { type: 'string' },
    },
  });
  const [cmd, arg] = positionals;
  if (!cmd || !['enrol', 'revoke', 'list', 'mosquitto'].includes(cmd)) {
    console.error(usage);
    return 2;
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
  const db = await openHubDatabase({ dataDir: values['data-dir'] ?? env.SIMPUL_HUB_DATA_DIR ?? './data/central', databaseUrl: env.DATABASE_URL, databaseSchema: env.DATABASE_SCHEMA, log: () => {} });
  try {
    if (cmd === 'enrol' && input) {
      const { deviceId, secret } = await enrolDevice(db, { facilityCode: input.facility, name: input.name, deviceId: input['device-id'] });
      const boxConfig = { mqttUrl: input['mqtt-url'], deviceId, deviceSecret: secret, ...(input.ca ? { mqttCaFile: input.ca } : {}), facility: { code: input.facility, name: input.name ?? input.facility } };
      writeFileSync(input.out, JSON.stringify(boxConfig, null, 2) + '\n', { mode: 0o600 });
      console.log(`enrolled ${deviceId}; box settings written to ${input.out} (keep it secret)`);
    } else if (cmd === 'revoke') {
      if (!(await revokeDevice(db, arg))) {
        console.error(`no device ${arg}`);
        return 1;
      }
      console.log(`revoked ${arg}: the broker refuses it from its next connect (the embedded one within 10 s)`);
    } else if (cmd === 'mosquitto') {
      const outDir = values.out!;
      const hub = hubPasswordFor(outDir, env);
      const hubUsername = values['hub-username'] ?? env.MQTT_USERNAME ?? DEFAULT_HUB_USERNAME;
      const r = await writeMosquittoAuth(db, { outDir, hubUsername, hubPassword: hub.password });
      console.log(`wrote ${r.passwordFile} (${r.devices.length} boxes + ${hubUsername}) and ${r.aclFile}; reload Mosquitto (SIGHUP) to apply`);
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
