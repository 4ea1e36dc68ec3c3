/**
 * First-boot template: a data dir made once (at build/image time) and extracted on the box's first
 * start instead of running initdb there. initdb inside PGlite boots a second, in-memory PGlite and
 * peaks near 850 MB RSS for ~6–10 s; extracting a ~4 MB archive takes well under a second.
 *
 * The template records the PGlite version and PG major it was made with; a template from another
 * version is ignored (with a log line) and initdb is used instead.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ArchiveManifest } from './tarball.ts';

// Set by the release build (firmware-scripts/build-release.ts): a bundled box has no node_modules
// to read PGlite's package.json from.
declare const SIMPUL_BUNDLED_PGLITE_VERSION: string | undefined;

export function pgliteVersion(): string {
  if (typeof SIMPUL_BUNDLED_PGLITE_VERSION === 'string') return SIMPUL_BUNDLED_PGLITE_VERSION;
  const req = createRequire(import.meta.url);
  const entry = req.resolve('@electric-sql/pglite');
  let dir = dirname(entry);
  for (let i = 0; i < 4; i++) {
    const p = join(dir, 'package.json');
    if (fs.existsSync(p)) {
      const pkg = JSON.parse(fs.readFileSync(p, 'utf8'));
      if (pkg.name === '@electric-sql/pglite') return String(pkg.version);
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

/** Does this template fit the running build? */
export function templateFits(manifest: ArchiveManifest | null): boolean {
  return !!manifest && manifest.meta.purpose === 'template' && manifest.meta.pglite === pgliteVersion();
}
