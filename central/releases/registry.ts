/**
 * The hub's release registry: signed bundles (firmware-scripts/build-release.sh) kept by version
 * with their sha256 and size, the file copied under `<dataDir>/releases/` (several hub processes
 * share that dir). The hub does not verify the signature itself: the box's update.sh does, before
 * any of the release's code runs; the hub checks that the file is a bundle of that version (its
 * manifest) and that the sha256 an operator gave matches, so a wrong file is refused at upload
 * rather than at a thousand boxes.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { HubQueryable } from '../storage/db.ts';
import { getRelease, releaseVersion, type Release } from './releases.ts';

export { assignedTo, getRelease, releaseVersion, type Release } from './releases.ts';

export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits (sha256sum of the bundle)');

export const registerReleaseRequest = z.object({ file: z.string().min(1), version: releaseVersion, sha256: sha256Hex.optional() }).strict();

export class ReleaseError extends Error {
  constructor(
    readonly code: 'invalid' | 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

const sha256Of = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The bundle's own manifest version (the bundle is an uncompressed tar of manifest, signature and payload). */
function bundleVersion(file: string): string {
  let members: string[];
  try {
    members = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    throw new ReleaseError('invalid', `${file} is not a release bundle (not a tar file); build one with firmware-scripts/build-release.sh`);
  }
  for (const m of ['manifest.json', 'manifest.json.minisig', 'payload.tar.gz'])
    if (!members.includes(m)) throw new ReleaseError('invalid', `${file} is not a signed release bundle: it has no ${m}; build one with firmware-scripts/build-release.sh --key`);
  const manifest = z.object({ version: z.string() }).safeParse(JSON.parse(execFileSync('tar', ['-xOf', file, 'manifest.json'], { encoding: 'utf8' })));
  if (!manifest.success) throw new ReleaseError('invalid', `${file}: its manifest.json has no version`);
  return manifest.data.version;
}

/**
 * Registers a bundle: checked, copied into the hub's data dir (temp file, fsync, rename), recorded.
 * The same version again with the same content changes nothing; with other content it is refused
 * (boxes may already hold the first one's checksum).
 */
export async function registerRelease(db: HubQueryable, dataDir: string, input: unknown): Promise<Release & { already: boolean }> {
  const req = registerReleaseRequest.safeParse(input);
  if (!req.success) throw new ReleaseError('invalid', req.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '));
  const { file, version } = req.data;
  let bytes: number;
  try {
    bytes = statSync(file).size;
  } catch {
    throw new ReleaseError('not_found', `no file ${file}`);
  }
  const inside = bundleVersion(file);
  if (inside !== version) throw new ReleaseError('invalid', `${file} is release ${inside}, not ${version}: give --version ${inside}`);
  const sha256 = sha256Of(file);
  if (req.data.sha256 && req.data.sha256 !== sha256) throw new ReleaseError('invalid', `${file}'s sha256 is ${sha256}, not the ${req.data.sha256} given: is it the right file?`);
  const known = await getRelease(db, version);
  if (known) {
    if (known.sha256 !== sha256)
      throw new ReleaseError('conflict', `release ${version} is already registered with another sha256 (${known.sha256}); give the new build a new version`);
    return { ...known, already: true };
  }
  const dir = join(dataDir, 'releases');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const target = join(dir, `simpul-box-${version}.tar`);
  const tmp = `${target}.${process.pid}.tmp`;
  copyFileSync(file, tmp);
  const fd = openSync(tmp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, target);
  if (sha256Of(target) !== sha256) throw new ReleaseError('invalid', `the copy of ${file} at ${target} does not match: disk trouble at the hub?`);
  await db.query(`INSERT INTO releases (version, sha256, bytes, file) VALUES ($1, $2, $3, $4)`, [version, sha256, bytes, target]);
  return { version, sha256, bytes, file: target, already: false };
}
