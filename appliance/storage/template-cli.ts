/**
 * Builds the first-boot template (run at build/image time, not on the box):
 *   npx tsx appliance/storage/template-cli.ts build [outFile]
 * outFile defaults to appliance/storage/pgdata-template.tar.gz (DEFAULT_TEMPLATE), which
 * openDatabase uses when it exists.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { DEFAULT_TEMPLATE, PG_MAJOR, openDatabase } from './database.ts';
import { writeArchive, type ArchiveManifest } from './tarball.ts';
import { pgliteVersion } from './template.ts';

// Here and not in template.ts: the opener reads templates, so the builder (which opens a
// database) living beside the reader made database.ts and template.ts import each other.

/** Builds a template archive at outFile: initdb + migrations, cleanly shut down. */
async function buildTemplate(outFile: string): Promise<ArchiveManifest> {
  const work = fs.mkdtempSync(join(tmpdir(), 'simpul-template-'));
  try {
    const db = await openDatabase({ dataDir: work, template: false, log: () => {} });
    await db.exec('CHECKPOINT');
    await db.close();
    return await writeArchive(join(work, 'pgdata'), outFile, { purpose: 'template', pglite: pgliteVersion(), pgMajor: PG_MAJOR });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const [cmd, out = DEFAULT_TEMPLATE, ...rest] = process.argv.slice(2);
if (cmd !== 'build' || rest.length) {
  process.stderr.write('usage: template-cli.ts build [outFile]\n');
  process.exit(2);
}
const t = performance.now();
const m = await buildTemplate(out);
process.stdout.write(`template written to ${out}: ${m.files.length} files, PGlite ${m.meta.pglite}, ${(performance.now() - t).toFixed(0)} ms\n`);
