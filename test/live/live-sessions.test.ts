import { currentSession, sessionStatus } from '../../src/live/status.ts';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { systemClock } from '../../src/domain/clock.ts';
import { MemoryPlatform } from '../../src/platform/memory.ts';
import { startLiveSessions, type LiveSessions } from '../../src/live/index.ts';
import { realTimers } from '../../src/live/timers.ts';
import { openStore } from '../../src/store/index.ts';

describe('live sessions wired with the real clock, timers and node-cron tick', () => {
  const hostZone = process.env.TZ;
  let live: LiveSessions | null = null;
  afterEach(() => {
    live?.stop();
    if (hostZone === undefined) delete process.env.TZ;
    else process.env.TZ = hostZone;
  });

  it('boots, posts a started session\'s welcome at once, puts the process in UTC for node-cron, and stops', async () => {
    const store = openStore(':memory:', systemClock);
    const platform = new MemoryPlatform(systemClock);
    live = await startLiveSessions({ store, platform, clock: systemClock, timers: realTimers, log: pino({ level: 'silent' }) });
    expect(process.env.TZ).toBe('UTC');
    const series = await store.series.saveForChannel({ guildId: 'g', channelId: 'c', tag: '#BadgeChat', timezone: 'America/Denver', schedule: null, settings: {} });
    const session = await live.controls.start(series, 'noah', { questions: ['One?'] });
    expect(platform.posted('c').map((m) => m.prompt!.kind)).toEqual(['welcome']);
    expect((await sessionStatus(store, session.id)).next).toMatchObject({ kind: 'guidelines' });
    live.stop();
    live = null;
    store.close();
  });
});
