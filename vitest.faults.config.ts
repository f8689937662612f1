import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: the long fault runs (kill -9 at random moments, fuzzed input)
 * kept out of `npm test` so it stays quick; `.ci/run` runs both.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    maxWorkers: 1,
    // bin/emcee.js runs dist/: build it from the sources under test first.
    globalSetup: ['test/setup/build-dist.ts'],
    testTimeout: 240_000,
    hookTimeout: 60_000,
  },
});
