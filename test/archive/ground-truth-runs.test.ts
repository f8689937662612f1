import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/seeds.ts';

/**
 * Hardening #32: the ground-truth test runs from its own fixtures in any checkout, and
 * never skips: run it in a child vitest as if ../shared/labels did not exist.
 */
describe('the ground-truth test', () => {
  it('runs every test, none skipped, without the shared labels', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', 'test/archive/ground-truth.test.ts', '--reporter=json'], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, EMCEE_SHARED_LABELS: join(ROOT, 'test/fixtures/no-such-shared-labels') }, timeout: 60_000,
    });
    const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as { numTotalTests: number; numPassedTests: number; numPendingTests: number; numTodoTests: number; numFailedTests: number };
    expect(report.numTotalTests).toBeGreaterThanOrEqual(5 * 5);
    expect(report).toMatchObject({ numPendingTests: 0, numTodoTests: 0, numFailedTests: 0 });
    expect(report.numPassedTests).toBe(report.numTotalTests);
  }, 60_000);
});
