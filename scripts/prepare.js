#!/usr/bin/env node
// The "prepare" script: `npm install` and `npm ci` run it in a checkout, so a fresh clone
// is built (dist/) and `npm run demo`, `npm start` and the `emcee` bin work at once.
//
// A production install (`npm ci --omit=dev`) still runs prepare, but without TypeScript
// (a devDependency). Failing there would fail the whole install, so it says in one line
// that dist/ was not built and exits 0: build where dev dependencies are installed and
// ship dist/ with it.
//
// It compiles with --noCheck: the same JavaScript as `npm run build` (isolatedModules and
// verbatimModuleSyntax make the output independent of types) in about half the time, and
// an install is not failed by a type error; the type check is `npm run typecheck`'s job
// (CI runs it) and `npm run build`'s. A syntax error or a broken config still fails it.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  process.stderr.write('emcee: TypeScript is not installed (a production install?), so dist/ was not built: run `npm run build` where dev dependencies are installed\n');
  process.exit(0);
}
const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noCheck'], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
