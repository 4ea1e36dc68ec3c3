import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { request } from 'node:https';

/**
 * What `npm start` runs (provisioning/demo-stack.ts): the hub and a demo box enrolled to it,
 * one line per service, the box serving and its sync connected to the hub.
 */
function httpsText(url: string, init: { method?: string; body?: string } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', rejectUnauthorized: false, headers: init.body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'simpul-start-'));
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts the hub and a demo box that syncs to it, and prints one line per service', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'provisioning/demo-stack.ts'], {
      env: {
        ...process.env, SIMPUL_DATA_DIR: dataDir, SIMPUL_HTTPS_PORT: '0', SIMPUL_HTTP_PORT: '0', SIMPUL_HOST: '127.0.0.1',
        SIMPUL_HUB_HTTP_PORT: '0', SIMPUL_HUB_BROKER_PORT: '0', SIMPUL_LOG_LEVEL: 'warn', SIMPUL_HUB_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const services: Record<string, string> = {};
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child!.stdout! }).on('line', (l) => {
        const m = l.match(/^(central|appliance): (\S+)/);
        if (m) services[m[1]] = m[2];
        if (services.central && services.appliance) resolve();
      });
      child!.once('exit', (code) => reject(new Error(`npm start exited ${code}: ${stderr.slice(-2000)}`)));
    });
    expect(services.appliance).toMatch(/^https:\/\//);
    expect(services.central).toMatch(/^http:\/\//);

    const health = await httpsText(`${services.appliance}/healthz`);
    expect(health.status).toBe(200);
    const taken = await httpsText(`${services.appliance}/api/v1/queue/take`, { method: 'POST', body: JSON.stringify({ poli: 'umum' }) });
    expect(taken.status).toBe(200);
    expect(JSON.parse(taken.text).ticket.label).toMatch(/^A-\d{3}$/);

    // The box's link to the hub comes up by itself.
    await expect.poll(async () => (await httpsText(`${services.appliance}/metrics`)).text, { timeout: 30_000 }).toMatch(/^simpul_sync_connected 1$/m);
    const hubPage = await fetch(services.central);
    expect(hubPage.status).toBe(200);
    expect(await hubPage.text()).toMatch(/demo-0112p001-/);
  });
});
