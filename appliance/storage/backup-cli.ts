/**
 * Backups for the firmware scripts.
 *
 *   npx tsx appliance/storage/backup-cli.ts backup  <dataDir> <file>   online if the box is running
 *   npx tsx appliance/storage/backup-cli.ts restore <file> <dataDir>   dataDir must be absent or empty
 *   npx tsx appliance/storage/backup-cli.ts check   <dataDir>          amcheck the (stopped) database
 *
 * `backup` asks the running box (over <dataDir>/storage.sock) to write the backup; if no box is
 * running it opens the data dir itself. Exit codes: 0 ok, 1 failed, 2 usage.
 * Prints one JSON line with the result on stdout.
 */
import * as fs from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { backupDatabase, requestBackup, restoreBackup } from './backup.ts';
import { openDatabase } from './database.ts';
import { lockOwner } from './lock.ts';
import { checkConsistency } from './consistency.ts';

const USAGE = `usage:
  backup-cli.ts backup  <dataDir> <file>
  backup-cli.ts restore <file> <dataDir>
  backup-cli.ts check   <dataDir>
`;

function usage(msg?: string): never {
  if (msg) process.stderr.write(`backup-cli: ${msg}\n`);
  process.stderr.write(USAGE);
  process.exit(2);
}

export async function main(argv: string[]): Promise<unknown> {
  const [cmd, ...rest] = argv;
  const quiet = { log: (l: string) => process.stderr.write(l + '\n') };
  if (cmd === 'backup') {
    if (rest.length !== 2) usage('backup takes <dataDir> <file>');
    const [dataDir, file] = rest.map((p) => resolve(p));
    if (!fs.existsSync(`${dataDir}/pgdata/PG_VERSION`)) usage(`${dataDir} holds no database (no pgdata/PG_VERSION)`);
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) usage(`${file} is a directory`);
    if (lockOwner(dataDir)) return { mode: 'online', ...(await requestBackup(dataDir, file)) };
    const db = await openDatabase({ dataDir, migrate: false, controlSocket: false, ...quiet });
    try {
      return { mode: 'offline', ...(await backupDatabase(db, file)) };
    } finally {
      await db.close();
    }
  }
  if (cmd === 'restore') {
    if (rest.length !== 2) usage('restore takes <file> <dataDir>');
    const [file, dataDir] = rest.map((p) => resolve(p));
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) usage(`${file} is not a file`);
    if (fs.existsSync(dataDir) && (!fs.statSync(dataDir).isDirectory() || fs.readdirSync(dataDir).length > 0)) {
      usage(`refusing to restore over non-empty ${dataDir}`);
    }
    const manifest = await restoreBackup(file, dataDir);
    // Open once: runs crash recovery from the backup's WAL, then amcheck the result.
    const { amcheck } = await import('@electric-sql/pglite/contrib/amcheck');
    const db = await openDatabase({ dataDir, migrate: false, controlSocket: false, extensions: { amcheck }, ...quiet });
    try {
      const report = await checkConsistency(db);
      if (!report.ok) throw new Error(`restored database fails amcheck: ${report.problems.slice(0, 5).join('; ')}`);
      return { restored: dataDir, files: manifest.files.length, backupCreatedAt: manifest.createdAt, amcheck: report };
    } finally {
      await db.close();
    }
  }
  if (cmd === 'check') {
    if (rest.length !== 1) usage('check takes <dataDir>');
    const dataDir = resolve(rest[0]);
    const { amcheck } = await import('@electric-sql/pglite/contrib/amcheck');
    const db = await openDatabase({ dataDir, migrate: false, controlSocket: false, extensions: { amcheck }, ...quiet });
    try {
      const report = await checkConsistency(db);
      if (!report.ok) throw new Error(`amcheck found problems: ${report.problems.slice(0, 5).join('; ')}`);
      return report;
    } finally {
      await db.close();
    }
  }
  usage(cmd ? `unknown command ${cmd}` : undefined);
}

// Run directly (not imported by a test): compared by real path, as the firmware scripts call the
// release's bundle through the `current` link while import.meta.url names the linked-to file.
const runDirectly = (() => {
  try {
    return !!process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
})();
if (runDirectly || process.argv[1]?.endsWith('backup-cli.ts')) {
  main(process.argv.slice(2)).then(
    (r) => {
      process.stdout.write(JSON.stringify(r) + '\n');
      process.exit(0);
    },
    (e) => {
      process.stderr.write(`backup-cli: ${e?.message ?? e}\n`);
      process.exit(1);
    },
  );
}
