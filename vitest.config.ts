import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/faults/**', 'node_modules/**'],
    // 2-core CI machines: keep parallelism modest so process-spawning tests don't starve.
    maxWorkers: 2,
    testTimeout: 20_000,
    // Sandboxes check every REST exchange against Discord's published schema; a test fails on a disagreement.
    env: { EMCEE_SANDBOX_SCHEMAS: '1' },
    setupFiles: ['test/setup/sandbox-schemas.ts'],
    // bin/emcee.js runs dist/: build it from the sources under test first.
    globalSetup: ['test/setup/build-dist.ts'],
  },
});
