/**
 * `npm start`: the whole stack on embedded defaults, in one process — the hub (embedded MQTT
 * broker, PGlite under data/central) and a demo puskesmas box enrolled to it and syncing.
 * The demo box's credentials are kept in data/demo-device.json so a restart reuses them.
 * The hub's pages need its admin token: a new one each start (or SIMPUL_HUB_ADMIN_TOKEN),
 * printed with the demo accounts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../appliance/config.ts';
import { startBox } from '../appliance/box.ts';
import { closeOnSignals, printDemoAccess } from '../appliance/lifecycle.ts';
import { HubConfigError, loadHubConfig } from '../central/config.ts';
import { startHub } from '../central/hub.ts';
import { authenticateDevice, enrolDevice } from '../central/fleet/devices.ts';
import { publishFormulary, publishHospitals } from '../central/downlink/downlink.ts';
import { demoFormularyList, demoHospitals } from '../appliance/clinic/demo.ts';

const credentialsSchema = z.object({ deviceId: z.string(), deviceSecret: z.string() });

async function main() {
  const config = loadConfig(process.env, { mode: 'demo' });
  // The hub's embedded broker takes 1884 here: 1883 is often a local Mosquitto already.
  const hubConfig = loadHubConfig(process.env, {
    dataDir: process.env.SIMPUL_HUB_DATA_DIR ?? join(config.dataDir, 'central'),
    brokerPort: Number(process.env.SIMPUL_HUB_BROKER_PORT ?? 1884),
    brokerHost: process.env.SIMPUL_HUB_BROKER_HOST ?? '127.0.0.1',
    adminToken: process.env.SIMPUL_HUB_ADMIN_TOKEN ?? randomBytes(18).toString('base64url'),
  });
  const hub = await startHub(hubConfig);

  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'demo-device.json');
  let credentials: z.infer<typeof credentialsSchema> | null = null;
  if (existsSync(file)) {
    const parsed = credentialsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success && (await authenticateDevice(hub.db, parsed.data.deviceId, parsed.data.deviceSecret))) credentials = parsed.data;
  }
  if (!credentials) {
    const suffix = Math.random().toString(36).slice(2, 6);
    const enrolled = await enrolDevice(hub.db, {
      facilityCode: config.facility.code,
      name: config.facility.name,
      deviceId: `demo-${config.facility.code.toLowerCase()}-${suffix}`,
    });
    credentials = { deviceId: enrolled.deviceId, deviceSecret: enrolled.secret };
    writeFileSync(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  }

  // The demo district's lists reach the box the way a production box gets them: queued at the hub,
  // sent down the durable downlink, applied once (once per demo box: a restart does not queue them again).
  const sent = await hub.db.query(`SELECT 1 FROM downlink WHERE device_id = $1 AND kind = 'hospitals' LIMIT 1`, [credentials.deviceId]);
  if (!sent.rows.length) {
    await publishHospitals(hub.db, demoHospitals, [credentials.deviceId]);
    await publishFormulary(hub.db, demoFormularyList, [credentials.deviceId]);
  }

  const box = await startBox({ ...config, mqttUrl: hub.mqttUrl, ...credentials }, { demoHospitalsFromCentre: true });
  console.log(`central: ${hub.url}`);
  console.log(`appliance: ${box.url}`);
  printDemoAccess(box.url);
  console.log(`  hub admin token (demo): ${hubConfig.adminToken}   (${hub.url}: any user name, this as the password; or Authorization: Bearer)`);
  closeOnSignals(box, hub);
}

main().catch((e) => {
  if (e instanceof ConfigError || e instanceof HubConfigError) {
    console.error(e.message);
    process.exit(2);
  }
  console.error(e);
  process.exit(1);
});
