import cron from 'node-cron';

/**
 * node-cron as a minute tick: it wakes the engine, whose planner computes every session
 * instant itself with recurrence.ts. A per-minute schedule has no wall-clock time to get
 * wrong across DST changes, whereas node-cron's own firing of a weekly "30 18 * * 1" is
 * not trusted with the instants (see test/scheduler/node-cron-dst.test.ts).
 */
export function startMinuteTick(onTick: () => void): { stop(): void } {
  const task = cron.schedule('* * * * *', () => onTick(), { name: 'emcee-minute-tick', noOverlap: true });
  task.unref();
  return { stop: () => void task.destroy() };
}
