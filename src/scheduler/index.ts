import type { Clock } from '../core/clock.ts';
import type { Logger } from '../logger.ts';
import type { ChatPlatform } from '../platform/types.ts';
import { SessionControls } from '../session/controls.ts';
import { LiveIngest } from '../session/ingest.ts';
import type { Store } from '../store/index.ts';
import { startMinuteTick } from './cron.ts';
import { SessionEngine } from './engine.ts';
import { SeriesPlanner } from './planner.ts';
import type { Timers } from './timers.ts';

/** Live sessions wired together: what the bot (or a demo) starts over a chat platform. */
export interface LiveSessions {
  engine: SessionEngine;
  controls: SessionControls;
  ingest: LiveIngest;
  planner: SeriesPlanner;
  stop(): void;
}

export interface LiveSessionsDeps {
  store: Store;
  platform: ChatPlatform;
  clock: Clock;
  timers: Timers;
  log: Logger;
  /** Wake the engine every minute with node-cron (off in tests driven by fake time). */
  minuteTick?: boolean;
}

export async function startLiveSessions({ store, platform, clock, timers, log, minuteTick = true }: LiveSessionsDeps): Promise<LiveSessions> {
  const ingest = new LiveIngest({ store, log });
  const planner = new SeriesPlanner({ store, log });
  const engine = new SessionEngine({ store, platform, clock, timers, log, listener: ingest, planner });
  const controls = new SessionControls({ store, clock, log, onChange: () => engine.kick() });
  await engine.start();
  const tick = minuteTick ? startMinuteTick(() => void engine.kick()) : null;
  return {
    engine, controls, ingest, planner,
    stop: () => {
      tick?.stop();
      engine.stop();
    },
  };
}
