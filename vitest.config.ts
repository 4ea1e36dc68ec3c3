import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['appliance/**/*.test.ts', 'central/**/*.test.ts', 'provisioning/**/*.test.ts', 'test/**/*.test.ts'],
    // Chromium, strace, Mosquitto, PostgreSQL: missing, the run stops at once naming what to install.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // PGlite instances are heavy (WASM + ~150 MB each): two workers on two cores.
    maxWorkers: 2,
    // UI and sync conditions settle in well under a second on an idle machine; CI shares two cores.
    expect: { poll: { timeout: 15_000, interval: 100 } },
  },
});
