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
    const expected = [
      /^Chromium not found at \/nonexistent\/chromium .*\.ci\/run/,
      /^strace not on PATH.*\.ci\/run.*apt-get install strace/,
      // The firmware tests' tools that live in /usr/bin (those in /usr/sbin are still found there).
      ...['shellcheck', 'minisign', 'systemd-analyze', 'curl', 'flock'].map((c) => new RegExp(`^${c} not on PATH \\(the firmware tests use it\\).*\\.ci\\/run.*apt-get install`)),
      /^Mosquitto not found at \/nonexistent\/mosquitto .*\.ci\/run.*apt-get install mosquitto/,
      new RegExp(`^no MQTT broker at 127\\.0\\.0\\.1:${port} .*mosquitto -d.*SIMPUL_TEST_MQTT_URL`),
      new RegExp(`^no PostgreSQL at postgres://…@127\\.0\\.0\\.1:${port}/test .*SIMPUL_TEST_DATABASE_URL`),
    ];
    expect(missing).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(missing[i]).toMatch(pattern));
    expect(missing.join('\n')).not.toContain('secret');
  });

  it('finds nothing missing on a machine set up by .ci/run (this one)', async () => {
    expect(await missingPrerequisites()).toEqual([]);
  });
});
