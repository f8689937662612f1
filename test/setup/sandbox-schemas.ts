/**
 * Every sandbox a test starts checks its REST exchanges against Discord's published schema
 * (vitest.config.ts sets EMCEE_SANDBOX_SCHEMAS=1; see src/sandbox/schema-check.ts). A test
 * fails when any exchange during it disagreed. Runs after the test file's own afterEach hooks
 * (vitest runs after-hooks in reverse), so requests finish before they are counted.
 */
import { afterEach } from 'vitest';
import { takeSchemaViolations } from '../../src/sandbox/schema-violations.ts';

afterEach(() => {
  const violations = [...new Set(takeSchemaViolations())];
  if (violations.length > 0) {
    throw new Error(`the sandbox disagreed with Discord's published schema:\n  ${violations.join('\n  ')}`);
  }
});
