/**
 * Does what a box does to its data dir under `umask 000` and prints the mode of every entry it
 * made, as JSON on stdout: first boot from a template and from initdb, the self-signed certificate,
 * the lock and control socket (while open), an online backup, a restore, and a data dir made
 * before files were private (loosened by hand) opened again.
 *
 *   node --import tsx test/storage-support/umask-child.ts <workDir> <template>
 */
import * as fs from 'node:fs';
import { join, relative } from 'node:path';
import { openDatabase } from '../../appliance/storage/database.ts';
import { backupDatabase, restoreBackup } from '../../appliance/storage/backup.ts';
import { loadOrCreateCertificate } from '../../appliance/http/tls.ts';

process.umask(0);
const [work, template] = process.argv.slice(2);
const modes: Record<string, string> = {};

function record(root: string) {
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    const kind = st.isDirectory() ? 'dir' : st.isSocket() ? 'socket' : 'file';
    modes[relative(work, p) || '.'] = `${kind} ${(st.mode & 0o777).toString(8).padStart(4, '0')}`;
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) walk(join(p, n));
  };
  walk(root);
}

const quiet = { log: () => {} };

// First boot from the template, with a certificate, the socket and lock, and an online backup.
const fromTemplate = join(work, 'template-box');
let db = await openDatabase({ dataDir: fromTemplate, template, ...quiet });
await loadOrCreateCertificate({ dataDir: fromTemplate, hostnames: ['localhost'] });
await db.exec("CREATE TABLE probe (x text); INSERT INTO probe VALUES ('a record')");
const backupFile = join(fromTemplate, 'backups', 'box.tar.gz');
await backupDatabase(db, backupFile);
record(fromTemplate);
await db.close();
record(fromTemplate);

// Restore of that backup, and a box started on it.
const restored = join(work, 'restored-box');
await restoreBackup(backupFile, restored);
record(restored);
db = await openDatabase({ dataDir: restored, template, ...quiet });
record(restored);
await db.close();

// A data dir from before: everything loosened, then opened.
const loose = (p: string) => {
  const st = fs.lstatSync(p);
  fs.chmodSync(p, st.isDirectory() ? 0o777 : 0o666);
  if (st.isDirectory()) for (const n of fs.readdirSync(p)) loose(join(p, n));
};
loose(restored);
db = await openDatabase({ dataDir: restored, template, ...quiet });
record(restored);
await db.close();

// First boot through PGlite's initdb.
const fromInitdb = join(work, 'initdb-box');
db = await openDatabase({ dataDir: fromInitdb, template: false, ...quiet });
record(fromInitdb);
await db.close();
record(fromInitdb);

process.stdout.write(JSON.stringify(modes) + '\n');
