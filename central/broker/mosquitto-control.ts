/**
 * The hub's hand on a Mosquitto it shares a machine with: it rewrites the broker's files from the
 * database (central/broker/mosquitto-files.ts, with the settings `provisioning/cli.ts mosquitto`
 * left beside them) and reloads Mosquitto with SIGHUP; and it closes a box's session by taking its
 * client id over on the hub's own listener (see central/fleet/revocation.ts for why).
 */
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import type { HubQueryable } from '../storage/db.ts';
import type { BrokerControl } from '../fleet/revocation.ts';
import type { HubCa } from '../fleet/hub-ca.ts';
import { regenerateMosquittoFiles } from './mosquitto-files.ts';

export function mosquittoControl(o: {
  db: HubQueryable;
  dir: string;
  ca: () => Promise<HubCa>;
  now: () => Date;
  /** SIGHUP to Mosquitto: from its pid file, or given (tests). */
  reload: () => void;
  hub: { url: string; username?: string; password?: string; ca?: Buffer };
}): BrokerControl {
  let chain: Promise<void> = Promise.resolve();
  return {
    // One regeneration at a time, each from the database as it is when it runs.
    refresh() {
      chain = chain
        .catch(() => {})
        .then(async () => {
          await regenerateMosquittoFiles(o.db, o.dir, { ca: await o.ca(), now: o.now() });
          o.reload();
        });
      return chain;
    },
    async disconnect(deviceId) {
      const c = await mqtt.connectAsync(o.hub.url, {
        clientId: deviceId,
        username: o.hub.username,
        password: o.hub.password,
        ca: o.hub.ca,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 10_000,
        protocolVersion: 4,
      });
      await c.endAsync();
    },
  };
}

/** SIGHUP to the process whose id is in `pidFile`. */
export const reloadFromPidFile = (pidFile: string) => () => void process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGHUP');
