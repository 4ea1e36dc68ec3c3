import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../appliance/config.ts';
import { startBox, type Box } from '../appliance/box.ts';
import { createLog } from '../appliance/log.ts';
import { ensureTestTemplate } from './storage-support/template-cache.ts';

/** The storage layer's events (database opened, data dir tightened…) are JSON lines of the box's logger, not plain stderr text. */
describe('storage events in the box log', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'simpul-storage-log-'));
  let box: Box | undefined;
  afterAll(async () => {
    await box?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('go through the box’s logger as JSON, and nothing of them to plain stderr', async () => {
    await ensureTestTemplate();
    const lines: string[] = [];
    const log = createLog({ level: 'info', base: { part: 'appliance' } }, { write: (s: string) => void lines.push(s) });
    const plain = vi.spyOn(console, 'error');
    try {
      box = await startBox(configSchema.parse({ mode: 'demo', dataDir, httpsPort: 0, httpPort: 0, host: '127.0.0.1' }), { log, plainHttp: true });
      const storage = lines.map((l) => JSON.parse(l) as { msg: string; part: string; level: number }).filter((l) => l.msg.startsWith('storage: '));
      expect(storage.some((l) => /^storage: database open at /.test(l.msg))).toBe(true);
      expect(storage.every((l) => l.part === 'appliance')).toBe(true);
      expect(plain.mock.calls.filter((c) => String(c[0]).startsWith('storage: '))).toEqual([]);
    } finally {
      plain.mockRestore();
    }
  });
});
