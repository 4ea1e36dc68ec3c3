/**
 * The release the hub assigned to this box (a `release` downlink item from a rollout), written as
 * `<dataDir>/release-assignment.json`: the file firmware-scripts/fetch-release.sh reads (run as
 * root by the night timer) to download the bundle resumably within the night window and bandwidth
 * cap and hand it to update.sh, which checks its signature. The box only writes the file: it
 * never downloads or installs anything itself.
 *
 * Written durably (temp file, fsync, rename, fsync of the dir), so a power cut leaves the old
 * assignment or the new one. An assignment numbered below the one held is refused: the hub's
 * numbers only grow, so a late item never sends the box back to an older rollout's release.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { releaseAssignment, type ReleaseAssignment, type ReleaseWithdrawal } from '../central/contract/index.ts';

export const RELEASE_ASSIGNMENT_FILE = 'release-assignment.json';

/** What fetch-release.sh reads (version, url, sha256, bytes), with the assignment's number and rollout. */
export type AssignmentFile = Omit<ReleaseAssignment, 'id' | 'kind'>;

export function readAssignment(dataDir: string): AssignmentFile | null {
  try {
    const p = releaseAssignment.omit({ id: true, kind: true }).safeParse(JSON.parse(readFileSync(join(dataDir, RELEASE_ASSIGNMENT_FILE), 'utf8')));
    return p.success ? p.data : null;
  } catch {
    return null;
  }
}

/** Writes the assignment for fetch-release.sh, or says why not (an older one than the box holds). */
export function writeAssignment(dataDir: string, item: ReleaseAssignment): { ok: true } | { ok: false; reason: string } {
  const held = readAssignment(dataDir);
  if (held && held.assignment > item.assignment)
    return { ok: false, reason: `assignment ${item.assignment} (${item.version}) is older than the one this box holds (${held.assignment}, ${held.version})` };
  const body: AssignmentFile = {
    assignment: item.assignment,
    rollout: item.rollout,
    version: item.version,
    url: item.url,
    sha256: item.sha256,
    bytes: item.bytes,
    // The box's key for this download (fetch-release.sh sends it): the file is 0600, as the box's secrets are.
    ...(item.downloadKey ? { downloadKey: item.downloadKey } : {}),
  };
  const file = join(dataDir, RELEASE_ASSIGNMENT_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(body, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  syncDir(dataDir);
  return { ok: true };
}

function syncDir(dataDir: string) {
  const dir = openSync(dataDir, 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/**
 * The hub withdrew an assignment (its rollout halted): the file goes if it still holds that very
 * assignment, so fetch-release.sh fetches nothing (and a run already downloading stops before
 * update.sh). A box holding another assignment (a newer rollout's) keeps it; either way it is done.
 */
export function withdrawAssignment(dataDir: string, item: ReleaseWithdrawal): { removed: boolean } {
  const held = readAssignment(dataDir);
  if (!held || held.assignment !== item.withdraws) return { removed: false };
  rmSync(join(dataDir, RELEASE_ASSIGNMENT_FILE), { force: true });
  syncDir(dataDir);
  return { removed: true };
}
