import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Esbuild from 'esbuild';

/**
 * The pages' browser code (./browser/*.ts, TypeScript with the DOM library) bundled by esbuild,
 * one bundle per page. A release ships the bundles prebuilt (`npm run build:pages` writes them to
 * ./built, which git ignores); without them (a checkout: dev, tests, `npm start`) the box builds
 * them in memory at start, in well under a second. Page styles (./styles/*.css) travel the same way.
 */

/** Bundle name → entry module under ./browser. The name is what a page asks for (`scripts={['antrean']}`). */
export const bundleEntries: Record<string, string> = {
  ambil: 'ambil.ts',
  ticket: 'ticket.ts',
  layar: 'layar.ts',
  login: 'login.ts',
  staff: 'staff-home.ts',
  antrean: 'antrean.ts',
  admin: 'admin.ts',
  print: 'print.ts',
  pemeriksaan: 'pemeriksaan.ts',
  farmasi: 'farmasi.ts',
  konsultasi: 'konsultasi.ts',
  laporan: 'laporan.ts',
  akun: 'akun.ts',
  katasandi: 'katasandi.ts',
  pasien: 'pasien.ts',
  audit: 'audit.ts',
  karcis: 'karcis.ts',
};

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
export const builtDir = join(here, 'built');
const browserDir = join(here, 'browser');
const stylesDir = join(here, 'styles');

/**
 * What browser code may bundle: its own folder, the relay's protocol constants, the word
 * catalogs and uPlot (the charts, served by the box). The API's schemas are imported as types only: zod never reaches a phone.
 */
const allowedInputs = [/^appliance\/http\/pages\/browser\//, /^appliance\/relay\/protocol\.ts$/, /^appliance\/words\//, /^node_modules\/uplot\//];

/**
 * Chrome 61 / Safari 11 era phones: esbuild lowers `?.`, `??`, async and the like to ES2015.
 * Minified: every byte counts on a clinic Wi-Fi with forty phones.
 */
const options: Esbuild.BuildOptions = {
  bundle: true,
  write: false,
  format: 'iife',
  target: 'es2015',
  platform: 'browser',
  minify: true,
  charset: 'utf8',
  legalComments: 'none',
  metafile: true,
  logLevel: 'silent',
  absWorkingDir: root,
  tsconfig: join(browserDir, 'tsconfig.json'),
  outdir: join(root, '.bundles'),
  entryPoints: Object.fromEntries(Object.entries(bundleEntries).map(([name, file]) => [name, join(browserDir, file)])),
};

export interface BuiltPages {
  /** bundle name → JavaScript */
  bundles: Map<string, string>;
  /** source file (relative to the repository) → sha256, to notice a stale ./built in a checkout */
  inputs: Record<string, string>;
}

const sha = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** Builds every bundle in memory (esbuild loaded only here: a release with ./built never needs it). */
export function buildPages(): BuiltPages {
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof Esbuild;
  const result = esbuild.buildSync(options);
  const stray = Object.keys(result.metafile!.inputs).filter((p) => !allowedInputs.some((re) => re.test(p)));
  if (stray.length) throw new Error(`browser bundles may not include ${stray.join(', ')} (import server modules as types only)`);
  const bundles = new Map<string, string>();
  for (const f of result.outputFiles!) bundles.set(f.path.replace(/^.*[\\/]/, '').replace(/\.js$/, ''), f.text);
  const inputs: Record<string, string> = {};
  for (const p of Object.keys(result.metafile!.inputs)) inputs[p] = sha(readFileSync(join(root, p)));
  for (const f of cssFiles()) inputs[relative(root, join(stylesDir, f))] = sha(readFileSync(join(stylesDir, f)));
  return { bundles, inputs };
}

const cssFiles = () => (existsSync(stylesDir) ? readdirSync(stylesDir).filter((f) => f.endsWith('.css')) : []);

/** `npm run build:pages`: the bundles, the styles and a manifest into ./built. */
export function writePages(dir = builtDir): BuiltPages {
  const built = buildPages();
  mkdirSync(dir, { recursive: true });
  for (const [name, js] of built.bundles) writeFileSync(join(dir, `${name}.js`), js);
  for (const f of cssFiles()) writeFileSync(join(dir, f), readFileSync(join(stylesDir, f)));
  writeFileSync(join(dir, 'uplot.css'), readFileSync(uplotCssFile()));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ bundles: [...built.bundles.keys()], inputs: built.inputs }, null, 1));
  return built;
}

interface Manifest {
  bundles: string[];
  inputs: Record<string, string>;
}

/**
 * The prebuilt bundles when ./built has them all and none of their sources (where a checkout has
 * them) changed since; otherwise null, and the caller builds in memory.
 */
export function readBuiltPages(dir = builtDir): Map<string, string> | null {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return null;
  }
  if (!Object.keys(bundleEntries).every((n) => manifest.bundles.includes(n))) return null;
  for (const [p, hash] of Object.entries(manifest.inputs)) {
    const file = join(root, p);
    if (existsSync(file) && sha(readFileSync(file)) !== hash) return null;
  }
  const out = new Map<string, string>();
  for (const n of manifest.bundles) out.set(n, readFileSync(join(dir, `${n}.js`), 'utf8'));
  return out;
}

/** A page's stylesheet (./styles/<name>.css, from ./built in a release), comments left out: it is inlined in every page. */
const uplotCssFile = () => createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css');

/** uPlot's stylesheet for the pages with charts: from ./built in a release (which ships no node_modules), else from the package. */
export function uplotCss(): string {
  const built = join(builtDir, 'uplot.css');
  return readFileSync(existsSync(built) ? built : uplotCssFile(), 'utf8');
}

export function pageCss(name: string): string {
  const built = join(builtDir, `${name}.css`);
  const src = join(stylesDir, `${name}.css`);
  return readFileSync(existsSync(src) ? src : built, 'utf8').replace(/\/\*[\s\S]*?\*\/\n?/g, '');
}
