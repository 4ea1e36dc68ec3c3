import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The card asks for Hono apps that also run under Deno: the box's and the hub's apps are built and
 * asked under Deno (test/deno/apps.ts) on an in-memory PGlite. Deno comes from the `deno` npm
 * package (its binary is the optional platform package, @deno/linux-x64-glibc here; no install
 * script needed). Node-only code stays out of the routes: a route that needs one fails here.
 */
const root = fileURLToPath(new URL('..', import.meta.url));

describe('under Deno', () => {
  it("the box's and the hub's apps answer through app.request()", { timeout: 300_000 }, async () => {
    const out = await new Promise<{ code: number | null; text: string }>((resolve, reject) => {
      const child = spawn(`${root}node_modules/.bin/deno`, ['run', '--allow-all', '--quiet', 'test/deno/apps.ts'], {
        cwd: root,
        env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (d) => {
        text += d;
      });
      child.stderr.on('data', (d) => {
        text += d;
      });
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, text }));
    });
    expect(out.text).toContain('all ok');
    expect(out.code, out.text).toBe(0);
  });
});
