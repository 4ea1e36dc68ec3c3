/**
 * Builds a box release bundle (run by build-release.sh at build time, never on a box):
 *
 *   build-release.sh --version 0.2.0 --key release.key [--out dist] [--unsigned]
 *
 * 1. The box's processes bundled by esbuild into plain ES modules under box/ (main, the relay
 *    process, the setup and backup CLIs): no TypeScript loader at run time, and only what the box
 *    imports (the hub's pg driver and broker are not in it; the test checks the metafile).
 * 2. The files the bundles read beside themselves at run time (import.meta.url): PGlite's WASM and
 *    data, amcheck for restores, the pages' scripts, the ICD-10 list, the common-password list and
 *    the first-boot database template (built here so that a box never runs initdb).
 * 3. The firmware scripts and unit templates under firmware/.
 * 4. manifest.json: version, PGlite version, and the sha256 of every file; payload.tar.gz of the
 *    release dir; and manifest.json.minisig, the Ed25519 signature by minisign (why minisign and
 *    not node:crypto: README.md, "Signatures").
 *
 * The bundle is one uncompressed tar of manifest.json, manifest.json.minisig and payload.tar.gz,
 * so that update.sh can check the signature and the payload's checksum before unpacking anything.
 */
import { build, type Metafile } from 'esbuild';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { writePages } from '../appliance/http/pages/bundles.ts';
import { writeVoiceClips } from '../appliance/http/pages/voice-clips.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A version update.sh can order with `sort -V`: digits and dots, an optional -suffix. */
export const releaseVersion = z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/, 'expected a version like 0.2.0 or 0.2.0-rc.1');

const entries = {
  main: 'appliance/main.ts',
  'relay-process': 'appliance/relay/relay-process.ts',
  setup: 'appliance/setup.ts',
  'backup-cli': 'appliance/storage/backup-cli.ts',
};

export interface BuiltRelease {
  version: string;
  /** The release dir (what update.sh unpacks to /opt/simpul/releases/<version>). */
  dir: string;
  /** The bundle file (simpul-box-<version>.tar). */
  bundle: string;
  bundleBytes: number;
  metafile: Metafile;
  /** Whether `npm run build:pages` ran (it is helper browser's; absent, the committed assets ship). */
  pagesBuilt: boolean;
}

function sha256(file: string) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

export interface BuildOptions {
  version: string;
  out: string;
  key?: string;
  unsigned?: boolean;
  log?: (line: string) => void;
  /** Tests: another source for an entry (a release that fails its health check). */
  entries?: Partial<Record<keyof typeof entries, string>>;
  /** A first-boot template already built by this checkout (saves building it again). */
  template?: string;
}

export async function buildRelease(opts: BuildOptions): Promise<BuiltRelease> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const version = releaseVersion.parse(opts.version);
  if (!opts.unsigned && !opts.key) throw new Error('a signing key is needed (--key <minisign secret key>), or --unsigned for a bundle update.sh will refuse');
  const out = resolve(opts.out);
  const dir = join(out, `simpul-box-${version}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(join(dir, 'box'), { recursive: true });

  const pkg = JSON.parse(fs.readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const pagesBuilt = !!pkg.scripts?.['build:pages'];
  if (pagesBuilt) {
    log('build-release: npm run build:pages');
    execFileSync('npm', ['run', '--silent', 'build:pages'], { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
  } else {
    log("build-release: no `build:pages` script; the pages' scripts ship as committed");
  }

  const req = createRequire(join(repo, 'package.json'));
  const pgliteDist = dirname(req.resolve('@electric-sql/pglite'));
  const pglite = { version: pgliteVersionOfBuild() };

  const result = await build({
    absWorkingDir: repo,
    entryPoints: Object.fromEntries(Object.entries({ ...entries, ...opts.entries }).map(([name, src]) => [name, resolve(repo, src)])),
    outdir: join(dir, 'box'),
    outExtension: { '.js': '.mjs' },
    // Chunks beside the entries: PGlite's code finds its .wasm/.data next to whichever file holds it.
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Some dependencies are CommonJS and require() Node's own modules.
    banner: { js: "import { createRequire as __simpulCreateRequire } from 'node:module'; const require = __simpulCreateRequire(import.meta.url);" },
    define: { SIMPUL_BUNDLED_PGLITE_VERSION: JSON.stringify(pglite.version) },
    // relay-entry.ts imports esbuild only when no prebuilt relay-process.mjs sits beside it.
    external: ['esbuild'],
    // Names stay as written, so a stack trace in the box's log still reads.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    charset: 'ascii',
    metafile: true,
    logLevel: 'warning',
  });

  // Files the bundles open beside themselves (new URL('./…', import.meta.url)).
  const box = join(dir, 'box');
  for (const f of ['pglite.wasm', 'pglite.data', 'initdb.wasm']) fs.copyFileSync(join(pgliteDist, f), join(box, f));
  // contrib/amcheck.js asks for '../amcheck.tar.gz': one level above the file holding it.
  fs.copyFileSync(join(pgliteDist, 'amcheck.tar.gz'), join(dir, 'amcheck.tar.gz'));
  // The pages' browser bundles and styles, prebuilt: the box reads them from ./built beside its code and needs no esbuild.
  writePages(join(box, 'built'));
  // The waiting-room TV's spoken-call clips, made here by espeak-ng: the box never runs it.
  await writeVoiceClips(join(box, 'built', 'suara'));
  fs.copyFileSync(join(repo, 'appliance/clinic/icd10-data.json'), join(box, 'icd10-data.json'));
  fs.copyFileSync(join(repo, 'appliance/clinic/common-passwords.txt'), join(box, 'common-passwords.txt'));
  if (opts.template) fs.copyFileSync(opts.template, join(box, 'pgdata-template.tar.gz'));
  else {
    log('build-release: first-boot database template');
    execFileSync(process.execPath, ['--import', 'tsx', join(repo, 'appliance/storage/template-cli.ts'), 'build', join(box, 'pgdata-template.tar.gz')], {
      cwd: repo,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }

  fs.mkdirSync(join(dir, 'firmware'));
  const fw = join(repo, 'firmware-scripts');
  for (const f of fs.readdirSync(fw)) {
    if (f.endsWith('.sh')) fs.copyFileSync(join(fw, f), join(dir, 'firmware', f));
  }
  if (fs.existsSync(join(fw, 'units'))) fs.cpSync(join(fw, 'units'), join(dir, 'firmware', 'units'), { recursive: true });
  for (const f of filesUnder(join(dir, 'firmware'))) if (f.endsWith('.sh')) fs.chmodSync(join(dir, 'firmware', f), 0o755);

  const { bundle, bundleBytes } = packRelease({ dir, version, out, key: opts.key, unsigned: opts.unsigned });
  log(`build-release: ${bundle} (${(bundleBytes / 1_048_576).toFixed(1)} MiB, ${opts.unsigned ? 'UNSIGNED' : 'signed'})`);
  return { version, dir, bundle, bundleBytes, metafile: result.metafile, pagesBuilt };
}

/**
 * Writes manifest.json (checksums of every file in `dir`), payload.tar.gz, the signature, and the
 * bundle `<out>/simpul-box-<version>.tar`. Files are made root-readable (0644, scripts 0755): the
 * box runs as `simpul` from a release owned by root.
 */
export function packRelease(o: { dir: string; version: string; out: string; key?: string; unsigned?: boolean }): { bundle: string; bundleBytes: number } {
  const { dir, out } = o;
  const version = releaseVersion.parse(o.version);
  fs.rmSync(join(dir, 'manifest.json'), { force: true });
  fs.rmSync(join(dir, 'manifest.json.minisig'), { force: true });
  for (const f of filesUnder(dir)) fs.chmodSync(join(dir, f), f.endsWith('.sh') ? 0o755 : 0o644);
  const files = Object.fromEntries(filesUnder(dir).map((f) => [f, sha256(join(dir, f))]));
  const stage = join(out, `.stage-${version}`);
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage);
  const payload = join(stage, 'payload.tar.gz');
  execFileSync('tar', ['--owner=0', '--group=0', '-C', dir, '-czf', payload, '.']);
  const manifest = {
    name: 'simpul-box',
    version,
    builtAt: new Date().toISOString(),
    node: '>=20',
    pglite: pgliteVersionOfBuild(),
    payload: { file: 'payload.tar.gz', bytes: fs.statSync(payload).size, sha256: sha256(payload) },
    files,
  };
  fs.writeFileSync(join(stage, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  const members = ['manifest.json', 'payload.tar.gz'];
  if (!o.unsigned) {
    if (!o.key) throw new Error('a signing key is needed (--key <minisign secret key>), or --unsigned');
    execFileSync('minisign', ['-S', '-s', o.key, '-m', join(stage, 'manifest.json'), '-x', join(stage, 'manifest.json.minisig'), '-t', `simpul-box ${version}`], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    members.splice(1, 0, 'manifest.json.minisig');
  }
  const bundle = join(out, `simpul-box-${version}.tar`);
  fs.rmSync(bundle, { force: true });
  execFileSync('tar', ['--owner=0', '--group=0', '-C', stage, '-cf', bundle, ...members]);
  fs.rmSync(stage, { recursive: true, force: true });
  return { bundle, bundleBytes: fs.statSync(bundle).size };
}

function pgliteVersionOfBuild(): string {
  const req = createRequire(join(repo, 'package.json'));
  return (JSON.parse(fs.readFileSync(join(dirname(req.resolve('@electric-sql/pglite')), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const usage = 'usage: build-release.sh --version <x.y.z> --key <minisign secret key> [--out <dir>] [--unsigned]';
  try {
    const { values } = parseArgs({
      options: { version: { type: 'string' }, key: { type: 'string' }, out: { type: 'string', default: join(repo, 'dist') }, unsigned: { type: 'boolean', default: false } },
    });
    if (!values.version) throw new Error(usage);
    const r = await buildRelease({ version: values.version, key: values.key, out: values.out!, unsigned: values.unsigned });
    process.stdout.write(JSON.stringify({ version: r.version, bundle: r.bundle, bytes: r.bundleBytes, dir: r.dir, pagesBuilt: r.pagesBuilt }) + '\n');
  } catch (e) {
    process.stderr.write(`build-release: ${(e as Error).message}\n`);
    process.exit(2);
  }
}
