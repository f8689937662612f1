import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The name in Emcee's package.json: what marks the package root. */
const PACKAGE_NAME = 'emcee';

/**
 * The folder holding Emcee's package.json, found by walking up from `from`. The same code
 * runs from src/ (tests, tsx) and from dist/src/ (the build), one folder deeper, so no
 * fixed number of '../' is right for both. Only a package.json whose name is "emcee"
 * counts: a stray package.json on the way (a `{"type":"module"}` someone drops in dist/,
 * a folder above a copied dist/) is walked past rather than taken for the root.
 */
export function findPackageRoot(from: string, name = PACKAGE_NAME): string | null {
  let dir = from;
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === name) return dir;
    } catch {
      // No package.json here, or not JSON: keep walking.
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

let root: string | undefined;

/**
 * Emcee's package root (where package.json and seeds/ are), looked up once, on first use:
 * a module that merely imports this never fails at load time. Throws a one-line Error if
 * the code runs outside its package (a dist/ copied away on its own).
 */
export function packageRoot(): string {
  if (root === undefined) {
    const here = dirname(fileURLToPath(import.meta.url));
    const found = findPackageRoot(here);
    if (found === null) throw new Error(`cannot find Emcee's package.json in ${here} or any folder above it`);
    root = found;
  }
  return root;
}

/** A path inside the package: packagePath('seeds', 'x.txt'). */
export const packagePath = (...parts: string[]): string => join(packageRoot(), ...parts);

/** The version in package.json (`emcee --version`). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
}
