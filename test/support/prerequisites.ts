/**
 * What `npm test` needs of the machine besides node_modules, checked once before any test runs
 * (test/global-setup.ts): on a fresh machine one message names everything missing and the command
 * that sets it up, instead of many tests failing each in its own way.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { delimiter, join } from 'node:path';
import pg from 'pg';
import { chromiumMissing } from './chromium.ts';

const installAll = 'run `bash .ci/run` (it installs Chromium, strace and Mosquitto on Debian, then runs npm ci and npm test)';

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function reachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function postgresAnswers(url: string, timeoutMs: number): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (e) {
    return (e as Error).message || (e as { code?: string }).code || 'no answer';
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** One line per missing thing, each saying how to get it; empty when the machine has everything. */
export async function missingPrerequisites(env: NodeJS.ProcessEnv = process.env, timeoutMs = 3000): Promise<string[]> {
  const missing: string[] = [];
  const chromium = env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(chromium)) missing.push(chromiumMissing(chromium));
  if (!onPath('strace', env)) missing.push(`strace not on PATH (the storage durability tests watch the WAL's fsyncs with it): ${installAll}, or apt-get install strace`);
  // The firmware tests (test/firmware-*.test.ts) run the scripts and check their files with these.
  for (const [command, pkg] of [
    ['shellcheck', 'shellcheck'],
    ['minisign', 'minisign'],
    ['nft', 'nftables'],
    ['chronyd', 'chrony'],
    ['dnsmasq', 'dnsmasq-base'],
    ['systemd-analyze', 'systemd'],
    ['curl', 'curl'],
    ['flock', 'util-linux'],
  ]) {
    if (!onPath(command, { PATH: `${env.PATH ?? ''}${delimiter}/usr/sbin${delimiter}/sbin` }))
      missing.push(`${command} not on PATH (the firmware tests use it): ${installAll}, or apt-get install ${pkg}`);
  }
  const mosquitto = env.SIMPUL_MOSQUITTO_BIN || '/usr/sbin/mosquitto';
  if (!existsSync(mosquitto)) missing.push(`Mosquitto not found at ${mosquitto} (set SIMPUL_MOSQUITTO_BIN to use another): ${installAll}, or apt-get install mosquitto`);
  const mqtt = new URL(env.SIMPUL_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883');
  if (!(await reachable(mqtt.hostname, Number(mqtt.port || 1883), timeoutMs))) {
    missing.push(
      `no MQTT broker at ${mqtt.host} (the sync tests share one, anonymous): start one with \`mosquitto -d\` (apt-get install mosquitto starts it as a service), or set SIMPUL_TEST_MQTT_URL`,
    );
  }
  const postgresUrl = env.SIMPUL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const postgresError = await postgresAnswers(postgresUrl, timeoutMs);
  if (postgresError) {
    const shown = postgresUrl.replace(/\/\/[^@/]*@/, (m) => (m.includes(':') ? '//…@' : m));
    missing.push(
      `no PostgreSQL at ${shown} (${postgresError}): the hub tests need a database \`test\` user postgres reaches without a password (apt-get install postgresql; createdb test; trust for 127.0.0.1 in pg_hba.conf), or set SIMPUL_TEST_DATABASE_URL`,
    );
  }
  return missing;
}
