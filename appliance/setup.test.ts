import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs the setup CLI as a technician would, password on stdin. */
function setup(args: string[], password: string, dataDir: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'appliance/setup.ts', ...args], {
      env: { ...process.env, SIMPUL_DATA_DIR: dataDir, SIMPUL_CONFIG: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
    child.stdin.end(`${password}\n`);
  });
}

describe('npm run setup', () => {
  it('refuses a common password, or one with the username, and says why in both languages', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'simpul-setup-'));
    try {
      for (const [password, says] of [
        ['1234567890', /paling sering dipakai/],
        ['aaaaaaaaaa', /mengulang/],
        ['kepala-pusk-2024', /nama pengguna/],
      ] as const) {
        const { code, stderr } = await setup(['admin', '--username', 'kepala', '--full-name', 'Kepala Puskesmas'], password, dataDir);
        expect(code, password).toBe(2);
        expect(stderr).toMatch(says);
        expect(stderr).toMatch(/password/i);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
