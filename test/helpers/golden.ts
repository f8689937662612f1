import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect } from 'vitest';
import { ROOT } from './seeds.ts';

export const GOLDEN_DIR = `${ROOT}test/golden`;

/**
 * Compares output with its reviewed golden file in test/golden/. To accept a change on
 * purpose, run `UPDATE_GOLDEN=1 npm test`, then read the diff before committing it. A
 * missing golden file is an error, never silently created (except with UPDATE_GOLDEN).
 */
export function expectGolden(name: string, actual: string): void {
  const path = `${GOLDEN_DIR}/${name}`;
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`no golden file ${name}: run UPDATE_GOLDEN=1 npm test and review it`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
