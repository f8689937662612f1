import { describe, expect, it } from 'vitest';

/** A real PostgreSQL server for the tests (.ci/run starts a throwaway one), if any. */
export const SERVER_URL = process.env.EMCEE_TEST_POSTGRES_URL || undefined;
/** EMCEE_REQUIRE_POSTGRES=1 (CI): a missing server is a failure, never a skip. */
export const REQUIRED = process.env.EMCEE_REQUIRE_POSTGRES === '1';

/** Declares suite on the server when one is configured; else, when one is required, a failing test saying so. */
export function onPostgresServer(name: string, suite: (url: string) => void): void {
  if (SERVER_URL) suite(SERVER_URL);
  else if (REQUIRED) {
    describe(name, () => it('is configured (EMCEE_REQUIRE_POSTGRES=1 needs EMCEE_TEST_POSTGRES_URL)', () => {
      expect.fail(`EMCEE_REQUIRE_POSTGRES=1 but EMCEE_TEST_POSTGRES_URL is not set: the ${name} tests would not run`);
    }));
  }
}
