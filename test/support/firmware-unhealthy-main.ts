/**
 * The box's main entry in a release that never becomes healthy (test/firmware-update.test.ts builds
 * it with build-release.ts in place of appliance/main.ts). It opens the database as the real box
 * does; then, when a file `migrates` sits beside the bundle, it applies a migration of its own
 * (a table and a schema_migrations row, as a new release would) and exits without answering;
 * otherwise it answers /healthz with 503 and the unchanged migration level.
 */
import { existsSync } from 'node:fs';
import { loadConfig } from '../../appliance/config.ts';
import { openDatabase } from '../../appliance/storage/database.ts';
import { serveHttps } from '../../appliance/http/server.ts';
import { loadOrCreateCertificate } from '../../appliance/http/tls.ts';

const config = loadConfig();
const db = await openDatabase({ dataDir: config.dataDir });
if (existsSync(new URL('./migrates', import.meta.url))) {
  await db.exec(`CREATE TABLE firmware_test_migration (id int); INSERT INTO schema_migrations (id, name) VALUES (9999, 'firmware-test')`);
  await db.close();
  console.error('unhealthy release: migrated, now failing');
  process.exit(1);
}
const migration = (await db.query<{ id: number }>('SELECT max(id) AS id FROM schema_migrations')).rows[0]?.id;
const tls = await loadOrCreateCertificate({ dataDir: config.dataDir, hostnames: ['localhost'] });
await serveHttps(() => Response.json({ ok: false, checks: { database: 'ok', migration, release: 'unhealthy on purpose' } }, { status: 503 }), {
  port: config.httpsPort,
  host: config.host,
  key: tls.key,
  cert: tls.cert,
});
process.on('SIGTERM', () => void db.close().then(() => process.exit(0)));
