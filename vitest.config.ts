import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['appliance/**/*.test.ts', 'central/**/*.test.ts', 'provisioning/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // PGlite instances are heavy (WASM + ~150 MB each): two workers on two cores.
    maxWorkers: 2,
  },
});
