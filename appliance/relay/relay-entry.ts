/**
 * What the relay process runs: relay-process.ts bundled by esbuild into one file for plain
 * `node`, once per box process. Run through tsx instead, its loader thread and caches would add
 * ~30 MB to a process that otherwise fits in ~80 MB, and its comments (some in other scripts) make
 * V8 keep the whole source as two-byte text. Without esbuild the process runs through tsx.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RelayEntry {
  file: string;
  execArgv: string[];
  /** Why esbuild could not bundle it (then it runs through tsx). */
  bundleError?: string;
}

const source = fileURLToPath(new URL('./relay-process.ts', import.meta.url));

// A release (firmware-scripts/build-release.ts) ships the relay process built beside the box's
// bundle: a box never runs esbuild (it is not in the release).
const prebuilt = fileURLToPath(new URL('./relay-process.mjs', import.meta.url));

async function build(): Promise<RelayEntry> {
  if (existsSync(prebuilt)) return { file: prebuilt, execArgv: [] };
  try {
    const { build } = await import('esbuild');
    removeStaleBundles();
    const dir = join(tmpdir(), `${PREFIX}${process.pid}`);
    mkdirSync(dir, { recursive: true });
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    // A name of its own per build: test files run one after another in one process, each building.
    const file = join(dir, `relay-process-${randomUUID().slice(0, 8)}.mjs`);
    await build({
      entryPoints: [source],
      outfile: file,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Some dependencies are CommonJS and require() Node's own modules.
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      // Names stay as written, so a stack trace in the relay's log still reads.
      minifyWhitespace: true,
      minifySyntax: true,
      legalComments: 'none',
      charset: 'ascii',
      logLevel: 'silent',
    });
    return { file, execArgv: [] };
  } catch (err) {
    return { file: source, execArgv: ['--import', 'tsx'], bundleError: (err as Error).message };
  }
}

const PREFIX = 'simpul-relay-bundle-';

/** Bundles left by box processes that were killed (no exit handler ran): named by their pid. */
function removeStaleBundles() {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length));
    if (!Number.isInteger(pid) || pid === process.pid || running(pid)) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function running(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let built: Promise<RelayEntry> | null = null;
/** The relay process's entry, built at the first call in this process and reused after (`rebuild`: built again). */
export function relayProcessEntry(opts: { rebuild?: boolean } = {}): Promise<RelayEntry> {
  if (opts.rebuild) built = null;
  built ??= build();
  return built;
}
