/**
 * Where sandboxes started with `validateSchemas` record what disagrees with Discord's published
 * schema, for the tests' afterEach (test/setup/sandbox-schemas.ts) to fail on. No dependencies,
 * so that reading it never loads the schemas.
 */
const recorded: string[] = [];

export function recordSchemaViolation(line: string): void {
  recorded.push(line);
}

/** The violations recorded since the last call (and forgets them). */
export function takeSchemaViolations(): string[] {
  return recorded.splice(0);
}
