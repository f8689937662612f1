#!/usr/bin/env node
// The `emcee` command: the compiled CLI in dist/ (`npm run build`; `npm install` builds it
// through the "prepare" script), run by plain node: no tsx, no TypeScript at run time.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('emcee: not built yet (no dist/): run `npm run build` first\n');
  process.exit(1);
}
// Before the import, so stacks in logs point at the TypeScript lines, not the compiled ones.
process.setSourceMapsEnabled(true);
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
