import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReleaseAssignment } from '../central/contract/index.ts';
import { RELEASE_ASSIGNMENT_FILE, readAssignment, withdrawAssignment, writeAssignment } from './release-assignment.ts';

const dir = mkdtempSync(join(tmpdir(), 'simpul-assignment-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const item = (assignment: number, version: string): ReleaseAssignment => ({
  id: crypto.randomUUID(),
  kind: 'release',
  assignment,
  rollout: crypto.randomUUID(),
  version,
  url: `https://hub.example/releases/${version}/bundle`,
  sha256: 'b'.repeat(64),
  bytes: 1234,
});

describe('the release assignment file', () => {
  it('holds what fetch-release.sh reads (version, url, sha256, bytes), private to the box', () => {
    expect(writeAssignment(dir, item(5, '0.2.0'))).toEqual({ ok: true });
    const written = JSON.parse(readFileSync(join(dir, RELEASE_ASSIGNMENT_FILE), 'utf8'));
    expect(written).toMatchObject({ assignment: 5, version: '0.2.0', url: 'https://hub.example/releases/0.2.0/bundle', sha256: 'b'.repeat(64), bytes: 1234 });
    expect(statSync(join(dir, RELEASE_ASSIGNMENT_FILE)).mode & 0o777).toBe(0o600);
  });

  it('refuses an older assignment than the one held, and takes a newer one', () => {
    expect(writeAssignment(dir, item(4, '0.1.9'))).toEqual({
      ok: false,
      reason: expect.stringMatching(/assignment 4 \(0.1.9\) is older than the one this box holds \(5, 0.2.0\)/),
    });
    expect(readAssignment(dir)?.version).toBe('0.2.0');
    expect(writeAssignment(dir, item(9, '0.3.0'))).toEqual({ ok: true });
    expect(readAssignment(dir)?.assignment).toBe(9);
  });

  it('a withdrawal removes the file only when it still holds the withdrawn assignment', () => {
    const held = readAssignment(dir)!;
    const withdrawal = (withdraws: number) => ({
      id: crypto.randomUUID(),
      kind: 'release_withdrawal' as const,
      assignment: 20,
      withdraws,
      rollout: held.rollout,
      version: held.version,
    });
    // An older assignment's withdrawal (the box took a newer one since): kept.
    expect(withdrawAssignment(dir, withdrawal(5))).toEqual({ removed: false });
    expect(readAssignment(dir)?.assignment).toBe(9);
    expect(withdrawAssignment(dir, withdrawal(9))).toEqual({ removed: true });
    expect(readAssignment(dir)).toBeNull();
    // Again (the hub resent it): nothing left to remove, still done.
    expect(withdrawAssignment(dir, withdrawal(9))).toEqual({ removed: false });
  });
});
