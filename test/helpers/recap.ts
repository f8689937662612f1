import { importArchives, prepareArchives } from '../../src/archive/import.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { loadLabels, seedPath } from './seeds.ts';

/** A store with the five seed archives imported, and each archive's session id by its original name. */
export async function importedSeeds(): Promise<{ store: Store; sessions: Map<string, number> }> {
  // A fixed clock: created_at and the like are the same on every run (golden files).
  const store = openStore(':memory:', new ManualClock(new Date('2026-11-23T12:00:00Z')));
  const originals = loadLabels().map((l) => l.transcript);
  const reports = await importArchives(store, prepareArchives(originals.map(seedPath)));
  return { store, sessions: new Map(originals.map((o, i) => [o, reports[i]!.sessionId])) };
}
