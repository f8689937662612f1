import cron from 'node-cron';

/**
 * node-cron as a minute tick: it wakes the engine, whose planner computes every session
 * instant itself with recurrence.ts. node-cron is not trusted with instants: 4.6.0 skips
 * times in a spring-forward gap, picks the wrong copy of a repeated time east of UTC, ANDs
 * day-of-month with day-of-week, and — computing "now" in the machine's local time — goes
 * silent for an hour on fall-back night unless the process runs in UTC (all asserted in
 * test/live/node-cron-dst.test.ts). So the tick runs in UTC, the process is put in
 * UTC (nothing in Emcee reads local time: zones are always explicit), and the engine keeps
 * its own timers besides, so a silent tick delays nothing.
 */
export function startMinuteTick(onTick: () => void): { stop(): void } {
  if (process.env.TZ !== 'UTC') process.env.TZ = 'UTC';
  const task = cron.schedule('* * * * *', () => onTick(), { name: 'emcee-minute-tick', timezone: 'UTC', noOverlap: true });
  task.unref();
  return { stop: () => void task.destroy() };
}
