/**
 * What the relay process runs: relay-process.ts bundled by esbuild into one file for plain
 * `node`, once per box start. Run through tsx instead, its loader thread and caches would add
 * ~30 MB to a process that otherwise fits in ~80 MB, and its comments (some in other scripts) make
 * V8 keep the whole source as two-byte text. Without esbuild the process runs through tsx.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RelayEntry {
  file: string;
  execArgv: string[];
}

const source = fileURLToPath(new URL('./relay-process.ts', import.meta.url));

async function build(): Promise<RelayEntry> {
  try {
    const { build } = await import('esbuild');
    const dir = mkdtempSync(join(tmpdir(), 'simpul-relay-bundle-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'relay-process.mjs');
    await build({
      entryPoints: [source], outfile: file, bundle: true, platform: 'node', format: 'esm', target: 'node20',
      // Some dependencies are CommonJS and require() Node's own modules.
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      // Names stay as written, so a stack trace in the relay's log still reads.
      minifyWhitespace: true, minifySyntax: true, legalComments: 'none', charset: 'ascii',
      logLevel: 'silent',
    });
    return { file, execArgv: [] };
  } catch {
    return { file: source, execArgv: ['--import', 'tsx'] };
  }
}

let built: Promise<RelayEntry> | null = null;
/** The relay process's entry, built at the first call in this process and reused after. */
export function relayProcessEntry(): Promise<RelayEntry> {
  built ??= build();
  return built;
}
