import { z } from 'zod';
import { ConfigError, loadConfig } from './config.ts';
import { startBox } from './box.ts';
import { CorruptDataDirError } from './storage/database.ts';
import { DataDirLockedError } from './storage/lock.ts';
import { storageFailureApp } from './http/storage-failure.ts';
import { serveHttps } from './http/server.ts';
import { loadOrCreateCertificate } from './http/tls.ts';
import { closeOnSignals, printDemoAccess } from './lifecycle.ts';

const args = z.array(z.enum(['--demo']), { message: 'the only argument is --demo' }).safeParse(process.argv.slice(2));
if (!args.success) {
  console.error(`appliance: unknown argument(s) ${process.argv.slice(2).join(' ')}; the only argument is --demo`);
  process.exit(2);
}

let config;
try {
  config = loadConfig(process.env, args.data.includes('--demo') ? { mode: 'demo' } : {});
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}

let box;
try {
  box = await startBox(config, { keepContractBreaches: true, firstRun: config.firstRunPage });
} catch (e) {
  if (e instanceof DataDirLockedError) {
    console.error(`${e.message}. Is the box already running (systemctl status simpul)?`);
    process.exit(3);
  }
  if (!(e instanceof CorruptDataDirError)) throw e;
  // Never re-initialised over the clinic's records: stay up only to say so, on /healthz and every page.
  console.error(JSON.stringify({ level: 60, time: Date.now(), part: 'appliance', pgdata: e.pgdata, reason: e.reason, msg: e.message }));
  const tls = await loadOrCreateCertificate({ dataDir: config.dataDir, certFile: config.tlsCertFile, keyFile: config.tlsKeyFile, hostnames: config.tlsHostnames });
  const failed = await serveHttps(storageFailureApp({ reason: e.reason, message: e.message }).fetch, { port: config.httpsPort, host: config.host, key: tls.key, cert: tls.cert });
  console.log(`appliance: https://localhost:${failed.port} (storage failure: ${e.reason})`);
  await new Promise(() => {});
  throw e;
}
console.log(`appliance: ${box.url}`);
if (config.mode === 'demo') printDemoAccess(box.url);
closeOnSignals(box);
