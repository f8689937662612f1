import type { Clock } from '../domain/clock.ts';
import type { Logger } from '../logger.ts';
import type { ChatPlatform } from '../platform/types.ts';
import { SessionControls } from './controls.ts';
import { LiveIngest } from './ingest.ts';
import type { ShardSet } from '../domain/shard.ts';
import type { StorePort } from '../store/port.ts';
import type { Session } from '../store/sessions.ts';
import { startMinuteTick } from './cron.ts';
import { SessionEngine } from './engine.ts';
import { SeriesPlanner } from './planner.ts';
import { ScheduledEventKeeper } from './scheduled-events.ts';
import type { TelemetryDeps } from './telemetry.ts';
import type { Timers } from './timers.ts';

/** Live sessions wired together: what the bot (or a demo) runs over a chat platform. */
export interface LiveSessions {
  engine: SessionEngine;
  controls: SessionControls;
  ingest: LiveIngest;
  planner: SeriesPlanner;
  /** Each session's Scheduled Event, where the platform has them (scheduled-events.ts). */
  events: ScheduledEventKeeper | null;
  /** Reloads sessions from the database, posts what is due, starts the minute tick. */
  start(): Promise<void>;
  stop(): void;
}

export interface LiveSessionsDeps extends TelemetryDeps {
  store: StorePort;
  platform: ChatPlatform;
  clock: Clock;
  timers: Timers;
  log: Logger;
  /** Wake the engine every minute with node-cron (off in tests driven by fake time). */
  minuteTick?: boolean;
  /** Called when a session closes (the Discord adapter posts the recap). */
  onSessionEnded?: (session: Session) => void;
  /** Who this process claims prompts as (default: a new id; see SessionEngine). */
  owner?: string;
  /** The guilds this process runs: those of these shards (default: every guild). */
  owns?: ShardSet | null;
  /** A prompt claim's lease (default LEASE_MS). */
  leaseMs?: number;
}

export function createLiveSessions({ store, platform, clock, timers, log, minuteTick = true, onSessionEnded, owner, owns = null, leaseMs, telemetry }: LiveSessionsDeps): LiveSessions {
  const ingest = new LiveIngest({ store, log, telemetry });
  const planner = new SeriesPlanner({ store, log, owns });
  // The ingest learns the posts from the database (it may not share a process with the
  // engine); the engine only says when a session ends, for the recap.
  const events = platform.scheduledEvents ? new ScheduledEventKeeper({ store, events: platform.scheduledEvents, clock, timers, log, owns }) : null;
  const listener = {
    sessionEnded: (session: Session) => (events?.touchSession(session), onSessionEnded?.(session)),
    sessionStarted: (session: Session) => events?.touchSession(session),
  };
  // The planner runs at the start of every engine cycle: new sessions get their events after
  // it, and the cycle is counted (the readiness check wants a recent one).
  const planning = {
    planUpcoming: async (now: Date) => {
      telemetry?.cycle(now);
      const planned = await planner.planUpcoming(now);
      events?.touch(...planned.map((s) => s.id));
      events?.tick();
      return planned;
    },
  };
  const engine = new SessionEngine({ store, platform, clock, timers, log, listener, planner: planning, owner, owns, leaseMs, telemetry });
  const controls = new SessionControls({ store, clock, log, onChange: () => engine.kick(), onSessionChanged: (id) => events?.touch(id) });
  let tick: { stop(): void } | null = null;
  return {
    engine, controls, ingest, planner, events,
    start: async () => {
      await engine.start();
      await events?.sweep();
      if (minuteTick && !tick) tick = startMinuteTick(() => void engine.kick());
    },
    stop: () => {
      tick?.stop();
      tick = null;
      events?.stop();
      engine.stop();
    },
  };
}

/** Creates and starts live sessions. */
export async function startLiveSessions(deps: LiveSessionsDeps): Promise<LiveSessions> {
  const live = createLiveSessions(deps);
  await live.start();
  return live;
}
