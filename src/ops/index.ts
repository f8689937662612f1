import type { RunningApp } from '../app.ts';
import { gatewayProblems, type DiscordTelemetry } from '../discord/telemetry.ts';
import type { Clock } from '../domain/clock.ts';
import type { ShardSet } from '../domain/shard.ts';
import type { Logger } from '../logger.ts';
import { listen } from './http.ts';

export { ListenError } from './http.ts';
import { Metrics } from './metrics.ts';
import { checkReadiness, MAX_CYCLE_AGE_MS, STORE_TIMEOUT_MS, type Readiness } from './readiness.ts';

/**
 * Health and metrics for whoever runs Emcee (HTTP_PORT): the listener, the metrics it
 * serves, and the readiness check. Started before the app, so that its telemetry counts
 * from the first request on and /readyz answers "not yet" during start-up; attach() hands
 * it the running app (its Discord client and store).
 */
export interface OpsOptions {
  port: number;
  /** The address to listen on (default 127.0.0.1). */
  host?: string;
  /** Metrics labelled by guild (METRICS_GUILD_LABEL=on; default off). */
  guildLabel?: boolean;
  clock: Clock;
  log: Logger;
  /** The shards this process runs (the sessions gauge counts their sessions). */
  owns?: ShardSet | null;
  /** The oldest the engine's last cycle may be for /readyz (default MAX_CYCLE_AGE_MS). */
  maxCycleAgeMs?: number;
  /** How long /readyz's store read may take (default STORE_TIMEOUT_MS). */
  storeTimeoutMs?: number;
}

export interface Ops {
  /** Where it listens, e.g. http://127.0.0.1:9464. */
  url: string;
  /** What startApp reports to (its `telemetry` option). */
  telemetry: DiscordTelemetry;
  metrics: Metrics;
  /** The app is running: readiness asks its client and store, the sessions gauge reads its store. */
  attach(app: Pick<RunningApp, 'client' | 'store'>): void;
  readiness(): Promise<Readiness>;
  close(): Promise<void>;
}

export async function startOps(options: OpsOptions): Promise<Ops> {
  const { clock, log } = options;
  const metrics = new Metrics({ guildLabel: options.guildLabel ?? false, log });
  let app: Pick<RunningApp, 'client' | 'store'> | null = null;
  const readiness = async (): Promise<Readiness> => {
    if (!app) return { ready: false, problems: ['starting: not connected to Discord yet'] };
    const { client, store } = app;
    return checkReadiness({
      gateway: () => gatewayProblems(client),
      storeRead: () => store.sessions.get(0), // one keyed read, whatever the store
      lastCycle: () => metrics.lastCycle(),
      clock,
      maxCycleAgeMs: options.maxCycleAgeMs ?? MAX_CYCLE_AGE_MS,
      storeTimeoutMs: options.storeTimeoutMs ?? STORE_TIMEOUT_MS,
    });
  };
  const listener = await listen(options.port, options.host ?? '127.0.0.1', {
    readiness,
    metrics: async () => ({ contentType: metrics.contentType, text: await metrics.text() }),
  }, log);
  return {
    url: listener.url,
    telemetry: metrics,
    metrics,
    attach: (running) => {
      app = running;
      metrics.watchSessions(running.store, options.owns ?? null);
    },
    readiness,
    close: () => listener.close(),
  };
}
