/** `tsx central/main.ts`: the hub on its own (settings from the environment, see config.ts). */
import { HubConfigError, loadHubConfig } from './config.ts';
import { startHub } from './hub.ts';

let config;
try {
  config = loadHubConfig();
} catch (e) {
  if (e instanceof HubConfigError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}
const hub = await startHub(config);
console.log(`central: ${hub.url}`);
console.log(`central mqtt: ${hub.mqttUrl}`);
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    void hub.close().then(() => process.exit(0));
  });
}
