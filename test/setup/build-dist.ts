import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Vitest globalSetup: tests that run the real `emcee` bin (bin/emcee.js runs the compiled
 * dist/) must run the sources under test, not whatever dist/ an earlier build left. So
 * the suite starts with the same build `npm install` makes (scripts/prepare.js, incremental:
 * a few seconds when little changed). A build failure stops the suite with tsc's message.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const run = spawnSync(process.execPath, ['scripts/prepare.js'], { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`building dist/ for the tests failed:\n${run.stdout}${run.stderr}`);
}
