/**
 * The hub's page assets, served by the hub itself (never a CDN: a district office's network may
 * reach only the hub): uPlot's script and stylesheet straight from node_modules, and the fleet
 * console's browser code (./browser, TypeScript) bundled by esbuild. Each is read or built at its
 * first use and kept; a page links it with its content hash, so a browser may cache it for good.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Esbuild from 'esbuild';

export interface HubAsset {
  body: string;
  /** Made once at first use: uPlot is 51 KB, 22 KB gzipped (measured), on an office's slow link. */
  gzip: Uint8Array<ArrayBuffer>;
  type: string;
  version: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const browserDir = join(here, 'browser');
/** What the browser bundle may contain: its own folder only (the live schema is imported as types). */
const allowedInputs = /^central\/http\/pages\/browser\//;

function bundle(entry: string): string {
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof Esbuild;
  const result = esbuild.buildSync({
    bundle: true,
    write: false,
    format: 'iife',
    // An operator's laptop or phone of the last few years; EventSource and fetch are older than this.
    target: 'es2017',
    platform: 'browser',
    minify: true,
    charset: 'utf8',
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: root,
    outdir: join(root, '.bundles'),
    entryPoints: [join(browserDir, entry)],
  });
  const stray = Object.keys(result.metafile!.inputs).filter((p) => !allowedInputs.test(p));
  if (stray.length) throw new Error(`the hub's browser bundle may not include ${stray.join(', ')} (import server modules as types only)`);
  return result.outputFiles![0].text;
}

const sources: Record<string, { type: string; load: () => string }> = {
  'uplot.js': { type: 'text/javascript; charset=utf-8', load: () => readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'), 'utf8') },
  'uplot.css': { type: 'text/css; charset=utf-8', load: () => readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), 'utf8') },
  'fleet.js': { type: 'text/javascript; charset=utf-8', load: () => bundle('fleet-live.ts') },
  'rollouts.js': { type: 'text/javascript; charset=utf-8', load: () => bundle('rollouts-live.ts') },
};

const loaded = new Map<string, HubAsset>();

/** The asset called `name` (`uplot.js`, `uplot.css`, `fleet.js`), or null when there is none. */
export function hubAsset(name: string): HubAsset | null {
  const src = Object.hasOwn(sources, name) ? sources[name] : undefined;
  if (!src) return null;
  let a = loaded.get(name);
  if (!a) {
    const body = src.load();
    a = { body, gzip: new Uint8Array(gzipSync(body, { level: 9 })), type: src.type, version: createHash('sha256').update(body).digest('base64url').slice(0, 10) };
    loaded.set(name, a);
  }
  return a;
}

/** The versioned address of an asset, for a page's <script> or <link>. */
export function hubAssetUrl(name: string): string {
  const a = hubAsset(name);
  if (!a) throw new Error(`no hub asset ${name}`);
  return `/assets/${name}?v=${a.version}`;
}
