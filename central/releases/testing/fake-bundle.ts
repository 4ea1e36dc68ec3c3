/**
 * A file shaped like a signed release bundle (manifest.json, its .minisig and a payload), for the
 * hub's registry tests: the hub checks the shape and the version, never the signature (the box's
 * update.sh does). `payloadBytes` random bytes make it as big as a test needs.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function makeFakeBundle(dir: string, version: string, payloadBytes = 200_000): string {
  const stage = join(dir, `stage-${version}`);
  mkdirSync(stage, { recursive: true });
  writeFileSync(join(stage, 'manifest.json'), JSON.stringify({ name: 'simpul-box', version }));
  writeFileSync(join(stage, 'manifest.json.minisig'), 'untrusted comment: test\n');
  writeFileSync(join(stage, 'payload.tar.gz'), randomBytes(payloadBytes));
  const bundle = join(dir, `simpul-box-${version}.tar`);
  execFileSync('tar', ['-cf', bundle, '-C', stage, 'manifest.json', 'manifest.json.minisig', 'payload.tar.gz']);
  return bundle;
}
