import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * Whether the module whose import.meta.url is `moduleUrl` is the script node was started
 * with. Compared as file URLs built by pathToFileURL (so spaces and other characters are
 * percent-encoded the way import.meta.url has them) of the real path (node resolves
 * symlinks for the entry module, so a checkout reached through a link still matches).
 */
export function isEntryPoint(moduleUrl: string, argv1: string | undefined = process.argv[1]): boolean {
  if (!argv1) return false;
  let path = argv1;
  try {
    path = realpathSync(argv1);
  } catch {
    // A path that cannot be resolved is compared as given.
  }
  return pathToFileURL(path).href === moduleUrl;
}
