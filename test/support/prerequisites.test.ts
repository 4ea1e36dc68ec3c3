import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { missingPrerequisites } from './prerequisites.ts';

/** A port on loopback that nothing listens on (taken, then given back). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('what the tests need of the machine', () => {
  it('names each missing thing and how to get it', async () => {
    const port = await closedPort();
    const missing = await missingPrerequisites(
      {
        PATH: '/nonexistent',
        CHROMIUM_PATH: '/nonexistent/chromium',
        SIMPUL_MOSQUITTO_BIN: '/nonexistent/mosquitto',
        SIMPUL_TEST_MQTT_URL: `mqtt://127.0.0.1:${port}`,
        SIMPUL_TEST_DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${port}/test`,
      },
      1000,
    );
    expect(missing).toHaveLength(5);
    expect(missing[0]).toMatch(/^Chromium not found at \/nonexistent\/chromium .*\.ci\/run/);
    expect(missing[1]).toMatch(/^strace not on PATH.*\.ci\/run.*apt-get install strace/);
    expect(missing[2]).toMatch(/^Mosquitto not found at \/nonexistent\/mosquitto .*\.ci\/run.*apt-get install mosquitto/);
    expect(missing[3]).toMatch(new RegExp(`^no MQTT broker at 127\\.0\\.0\\.1:${port} .*mosquitto -d.*SIMPUL_TEST_MQTT_URL`));
    expect(missing[4]).toMatch(new RegExp(`^no PostgreSQL at postgres://…@127\\.0\\.0\\.1:${port}/test .*SIMPUL_TEST_DATABASE_URL`));
    expect(missing.join('\n')).not.toContain('secret');
  });

  it('finds nothing missing on a machine set up by .ci/run (this one)', async () => {
    expect(await missingPrerequisites()).toEqual([]);
  });
});
