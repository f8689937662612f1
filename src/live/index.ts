import type { Clock } from '../domain/clock.ts';
import type { Logger } from '../logger.ts';
import type { ChatPlatform } from '../platform/types.ts';
import { SessionControls } from './controls.ts';
import { LiveIngest } from './ingest.ts';
import type { StorePort } from '../store/port.ts';
import type { Session } from '../store/sessions.ts';
import { startMinuteTick } from './cron.ts';
import { SessionEngine } from './engine.ts';
import { SeriesPlanner } from './planner.ts';
import type { Timers } from './timers.ts';

/** Live sessions wired together: what the bot (or a demo) runs over a chat platform. */
export interface LiveSessions {
  engine: SessionEngine;
  controls: SessionControls;
  ingest: LiveIngest;
  planner: SeriesPlanner;
  /** Reloads sessions from the database, posts what is due, starts the minute tick. */
  start(): Promise<void>;
  stop(): void;
}

export interface LiveSessionsDeps {
  store: StorePort;
  platform: ChatPlatform;
  clock: Clock;
  timers: Timers;
  log: Logger;
  /** Wake the engine every minute with node-cron (off in tests driven by fake time). */
  minuteTick?: boolean;
  /** Called when a session closes (the Discord adapter posts the recap). */
  onSessionEnded?: (session: Session) => void;
}

export function createLiveSessions({ store, platform, clock, timers, log, minuteTick = true, onSessionEnded }: LiveSessionsDeps): LiveSessions {
  const ingest = new LiveIngest({ store, log });
  const planner = new SeriesPlanner({ store, log });
  // The ingest learns the posts from the database (it may not share a process with the
  // engine); the engine only says when a session ends, for the recap.
  const engine = new SessionEngine({ store, platform, clock, timers, log, listener: { sessionEnded: onSessionEnded }, planner });
  const controls = new SessionControls({ store, clock, log, onChange: () => engine.kick() });
  let tick: { stop(): void } | null = null;
  return {
    engine, controls, ingest, planner,
    start: async () => {
      await engine.start();
      if (minuteTick && !tick) tick = startMinuteTick(() => void engine.kick());
    },
    stop: () => {
      tick?.stop();
      tick = null;
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
