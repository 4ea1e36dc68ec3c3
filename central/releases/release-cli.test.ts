/**
 * central/cli.ts release … / rollout …: on the hub's own data dir (PGlite), as an operator runs
 * them — a refusal says what to do, and the status shows each wave's counts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../cli.ts';
import { makeFakeBundle } from './testing/fake-bundle.ts';
import { openHubDatabase } from '../storage/db.ts';

const dir = mkdtempSync(join(tmpdir(), 'simpul-release-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]) {
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((m: unknown) => void out.push(String(m)));
  const err = vi.spyOn(console, 'error').mockImplementation((m: unknown) => void out.push(String(m)));
  try {
    const code = await main([...args, '--data-dir', join(dir, 'hub')], {});
    return { code, out: out.join('\n') };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

describe('the release CLI', () => {
  it('registers a bundle, makes a rollout by waves, shows it, halts and resumes it', { timeout: 300_000 }, async () => {
    const bundle = makeFakeBundle(dir, '0.2.0', 5000);
    expect(await cli('release', 'register', bundle)).toMatchObject({ code: 1, out: expect.stringMatching(/give the release's version: --version/) });
    expect(await cli('release', 'register', bundle, '--version', '0.2.0')).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^registered: 0.2.0, \d+ bytes, sha256 [0-9a-f]{64}$/),
    });
    expect(await cli('rollout', 'create', '--version', '0.9.0', '--wave', 'all')).toMatchObject({
      code: 1,
      out: expect.stringMatching(/release 0.9.0 is not registered: register it first/),
    });
    expect(await cli('rollout', 'create', '--version', '0.2.0', '--wave', 'region=ntt')).toMatchObject({ code: 1, out: expect.stringMatching(/--wave region=ntt: region/) });
    const made = await cli('rollout', 'create', '--version', '0.2.0', '--wave', 'tags=pilot', '--wave', 'region=5301,percent=50', '--wave', 'all', '--max-failures', '1');
    expect(made.code, made.out).toBe(0);
    const id = /rollout ([0-9a-f-]{36}) created/.exec(made.out)![1];
    const status = await cli('rollout', 'status', id);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(new RegExp(`rollout ${id}: 0.2.0, running, wave 1 of 3`));
    expect(status.out).toMatch(/threshold: more than 1 failed/);
    expect(status.out).toMatch(/\n\s+2 region=5301,percent=50\s+-\s+0\s+0\s+0/);
    expect((await cli('rollout', 'halt', id, '--reason', 'libur')).out).toMatch(/halted — halted by hand: libur/);
    expect((await cli('rollout', 'resume', id)).out).toMatch(/running, wave 1 of 3/);
    expect(await cli('rollout', 'resume', id)).toMatchObject({ code: 1, out: expect.stringMatching(/is running, not halted: nothing to resume/) });
    expect(await cli('rollout', 'status', 'not-an-id')).toMatchObject({ code: 1, out: expect.stringMatching(/not a rollout id/) });
    // Each change is in the hub's audit log, with who ran it.
    const db = await openHubDatabase({ dataDir: join(dir, 'hub'), log: () => {} });
    try {
      const { rows } = await db.query<{ action: string; role: string }>(`SELECT action, role FROM audit_log ORDER BY seq`);
      expect(rows.map((r) => r.action)).toEqual(['release_register', 'rollout_create', 'rollout_halt', 'rollout_resume']);
      expect(rows.every((r) => r.role === 'cli')).toBe(true);
    } finally {
      await db.close();
    }
  });
});
