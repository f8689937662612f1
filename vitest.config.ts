import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/faults/**', 'node_modules/**'],
    // 2-core CI machines: keep parallelism modest so process-spawning tests don't starve.
    maxWorkers: 2,
    testTimeout: 20_000,
  },
});
