import type { Clock } from '../domain/clock.ts';

/**
 * /readyz's verdict: ready only when every shard this process runs is connected to the
 * gateway, the store answers a cheap read in time, and the session engine began a cycle
 * recently; otherwise each thing wrong, one line each, in the order checked.
 */
export interface Readiness {
  ready: boolean;
  problems: string[];
}

export interface ReadinessSources {
  /** What keeps the gateway from being ready (src/discord/telemetry.ts gatewayProblems); none when connected. */
  gateway(): string[];
  /** One cheap read of the store (throws, or never settles, when the store is in trouble). */
  storeRead(): Promise<unknown>;
  /** When the engine last began a cycle, on the bot's clock (null: not yet). */
  lastCycle(): Date | null;
  clock: Clock;
  /** The oldest a last cycle may be (the minute tick wakes the engine every minute). */
  maxCycleAgeMs: number;
  /** How long the store read may take (real time). */
  storeTimeoutMs: number;
}

/** The engine wakes every minute (node-cron) and at every due prompt: five minutes without a cycle is a stuck engine. */
export const MAX_CYCLE_AGE_MS = 5 * 60_000;
/** A store that takes longer than this for one keyed read is not ready (PostgreSQL unreachable, SQLite locked). */
export const STORE_TIMEOUT_MS = 2_000;

export async function checkReadiness(s: ReadinessSources): Promise<Readiness> {
  const problems = [...s.gateway()];
  const store = await withinMs(s.storeRead(), s.storeTimeoutMs);
  if (store === 'timeout') problems.push(`store: no answer within ${s.storeTimeoutMs / 1000} s`);
  else if (store !== 'ok') problems.push(`store: ${oneLine(store.error)}`);
  const last = s.lastCycle();
  if (last === null) problems.push('engine: no cycle yet');
  else {
    const age = s.clock.now().getTime() - last.getTime();
    if (age > s.maxCycleAgeMs) problems.push(`engine: last cycle ${Math.round(age / 1000)} s ago (more than ${Math.round(s.maxCycleAgeMs / 1000)} s)`);
  }
  return { ready: problems.length === 0, problems };
}

async function withinMs(work: Promise<unknown>, ms: number): Promise<'ok' | 'timeout' | { error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work.then(() => 'ok' as const, (error: unknown) => ({ error })),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), ms);
        timer.unref();
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 200);
}
