/**
 * Builds the first-boot template (run at build/image time, not on the box):
 *   npx tsx appliance/storage/template-cli.ts build [outFile]
 * outFile defaults to appliance/storage/pgdata-template.tar.gz (DEFAULT_TEMPLATE), which
 * openDatabase uses when it exists.
 */
import { buildTemplate } from './template.ts';
import { DEFAULT_TEMPLATE } from './database.ts';

const [cmd, out = DEFAULT_TEMPLATE, ...rest] = process.argv.slice(2);
if (cmd !== 'build' || rest.length) {
  process.stderr.write('usage: template-cli.ts build [outFile]\n');
  process.exit(2);
}
const t = performance.now();
const m = await buildTemplate(out);
process.stdout.write(`template written to ${out}: ${m.files.length} files, PGlite ${m.meta.pglite}, ${(performance.now() - t).toFixed(0)} ms\n`);
