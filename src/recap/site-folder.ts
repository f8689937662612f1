import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, parse, resolve } from 'node:path';
import { explainWriteError } from '../fs/atomic.ts';

/**
 * Which folder the static site may be written into, and which files it may remove.
 *
 * Decision: a folder is an Emcee site when it holds SITE_MANIFEST, a JSON list of the files
 * Emcee wrote there. `emcee site --out DIR` writes into a new folder, an empty one, or an
 * Emcee site; a non-empty folder without the manifest is refused unless --force. Even with
 * --force nothing is ever deleted except pages the previous manifest lists (and only names
 * Emcee itself uses: index.html, sessions/<id>.html, series/<id>.html); --force may overwrite
 * those names. The root of the file system is always refused.
 */

export const SITE_MANIFEST = '.emcee-site';

/** The site cannot be written where asked; the message says why and what to do. Nothing was written. */
export class SiteError extends Error {
  override readonly name = 'SiteError';
}

/** The only names the site writes, so the only ones a manifest can make it remove. */
const OWN_FILE = /^(index\.html|sessions\/\d+\.html|series\/\d+\.html)$/;

export function siteManifest(files: string[]): string {
  return `${JSON.stringify({ emcee: 'site', version: 1, files: [...files].sort() }, null, 2)}\n`;
}

/** Checks the folder (see above); returns the files the previous manifest lists as Emcee's. */
export function checkSiteFolder(outDir: string, force: boolean): string[] {
  const abs = resolve(outDir);
  if (abs === parse(abs).root) throw new SiteError(`will not write the site into ${outDir}, the root of the file system; choose a folder for it`);
  let entries: string[];
  try {
    if (!statSync(abs).isDirectory()) throw new SiteError(`cannot write the site to ${outDir}: it is not a directory`);
    entries = readdirSync(abs);
  } catch (err) {
    if (err instanceof SiteError) throw err;
    if ((err as { code?: string }).code === 'ENOENT') return [];
    throw explainWriteError(outDir, err);
  }
  if (entries.includes(SITE_MANIFEST)) {
    const previous = readManifest(join(abs, SITE_MANIFEST));
    if (previous !== null) return previous;
    if (!force) throw new SiteError(`${join(outDir, SITE_MANIFEST)} is not an Emcee site manifest; remove it, choose another folder, or add --force`);
    return [];
  }
  if (entries.length > 0 && !force) {
    throw new SiteError(`${outDir} is not empty and is not an Emcee site (no ${SITE_MANIFEST} in it); choose a new or empty folder, or add --force to write beside what is there (Emcee never deletes files it did not write)`);
  }
  return [];
}

function readManifest(path: string): string[] | null {
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { emcee?: unknown; files?: unknown };
    if (json.emcee !== 'site' || !Array.isArray(json.files)) return null;
    // The manifest is a file anyone can edit: only Emcee's own names are ever acted on.
    return json.files.filter((f): f is string => typeof f === 'string' && OWN_FILE.test(f));
  } catch {
    return null;
  }
}

/** Removes the files of the previous run that this run did not write again. */
export function removeStale(outDir: string, previous: string[], current: Set<string>): void {
  for (const file of previous) {
    if (current.has(file) || !OWN_FILE.test(file)) continue;
    rmSync(join(outDir, file), { force: true });
  }
}
