/**
 * SQLite's WAL checkpoints off the bot's thread. By default SQLite checkpoints inside the
 * commit that pushes the WAL past 1,000 pages: that commit then copies the WAL into the
 * database and fsyncs it, on the thread that also receives Discord's events, and every
 * message waiting behind it waits too (the ingest benchmark's p99 was one such pause; on
 * tmpfs it was gone). For the long-running bot, the store turns automatic checkpoints off on
 * its own connection and a worker thread, on a connection of its own, runs a PASSIVE
 * checkpoint every second: it never blocks the bot's writers and readers, and the WAL stays
 * small. Stopped (with a last checkpoint) when the store closes. Should the worker fail, the
 * bot's connection checkpoints by itself again.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './db.ts';

export const CHECKPOINT_INTERVAL_MS = 1_000;
/** SQLite's default wal_autocheckpoint, put back when the worker fails. */
const AUTOCHECKPOINT_PAGES = 1_000;

// Plain CommonJS, evaluated in the worker (no loader needed, from src/ or dist/ alike).
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 5000, fileMustExist: true });
const checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)');
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { checkpoint(); } finally { db.close(); parentPort.close(); }
});
`;

export interface Checkpointer {
  /** Stops the worker after a last checkpoint (bounded), and closes its connection. */
  stop(): Promise<void>;
}

/** Moves db's checkpoints to a worker thread; null for an in-memory database (no WAL). */
export function checkpointInWorker(db: Db, onError: (err: unknown) => void, intervalMs = CHECKPOINT_INTERVAL_MS): Checkpointer | null {
  if (db.memory) return null;
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path: db.name, intervalMs } });
  worker.unref();
  db.pragma('wal_autocheckpoint = 0');
  let failed = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', (err) => {
    failed = true;
    if (db.open) db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    onError(err);
  });
  return {
    stop: async () => {
      if (!failed) worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 2_000);
      })]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}
