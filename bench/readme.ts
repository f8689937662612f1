/**
 * `npm run bench:readme`: writes the recorded run (bench/results.json) into README.md's
 * Performance section, between its markers (see bench/table.ts). Atomic: the README is
 * written to a temporary file beside it and renamed over it.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withReadmeBlock, type RecordedRun } from './table.ts';

const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));
const README = fileURLToPath(new URL('../README.md', import.meta.url));

let run: RecordedRun;
try {
  run = JSON.parse(readFileSync(RESULTS, 'utf8')) as RecordedRun;
} catch (err) {
  console.error(`bench/results.json: ${(err as Error).message} (record a run with npm run bench -- --write)`);
  process.exit(1);
}
try {
  const next = withReadmeBlock(readFileSync(README, 'utf8'), run);
  writeFileSync(`${README}.tmp`, next);
  renameSync(`${README}.tmp`, README);
  console.log(`README.md: the Performance table now shows the run of ${run.machine.date}`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
