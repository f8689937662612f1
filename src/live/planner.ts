import type { Logger } from '../logger.ts';
import { persistSession } from './persist.ts';
import type { StorePort } from '../store/port.ts';
import type { Session } from '../store/sessions.ts';
import { nextOccurrence } from '../domain/recurrence.ts';
import { ownsGuild, type ShardSet } from '../domain/shard.ts';

/**
 * Keeps the next occurrence of every recurring series planned: the session and all its
 * prompts in the database, well before its preview. Instants come from recurrence.ts
 * (exact across DST changes), never from node-cron; planning the same occurrence twice
 * is a no-op (one session per series and start instant). A process plans only the series
 * of the guilds it owns (`owns`); two processes planning one occurrence at once (an overlap)
 * make one session: the second's insert is refused and it finds the first's.
 *
 * The engine plans at the start of every cycle, so a series whose next occurrence is known
 * to be planned costs nothing more until that occurrence starts or the series' schedule or
 * time zone changes (`ensured`): no recurrence computed, no database read.
 */
export class SeriesPlanner {
  private readonly warned = new Set<number>();
  /** Per series: the occurrence known to be planned, for which schedule and time zone. */
  private readonly ensured = new Map<number, { key: string; startsAt: number }>();

  constructor(private readonly deps: { store: StorePort; log: Logger; owns?: ShardSet | null }) {}

  async planUpcoming(now: Date): Promise<Session[]> {
    const { store, log } = this.deps;
    const planned: Session[] = [];
    for (const series of await store.series.listScheduled()) {
      if (!ownsGuild(this.deps.owns, series.guildId)) continue;
      // The next occurrence after `now` is the one planned, as long as it has not started.
      const key = `${series.schedule}\u0000${series.timezone}`;
      const known = this.ensured.get(series.id);
      if (known && known.key === key && now.getTime() < known.startsAt) continue;
      const startsAt = nextOccurrence(series.schedule!, series.timezone, now);
      const ensure = () => this.ensured.set(series.id, { key, startsAt: startsAt.getTime() });
      if (await store.sessions.findOccurrence(series.id, startsAt)) {
        ensure();
        continue;
      }
      const settings = series.settings;
      const set = settings.questionSetId === null ? null : await store.bank.get(settings.questionSetId);
      if (!set || set.questions.length === 0) {
        if (!this.warned.has(series.id)) {
          log.warn({ seriesId: series.id, tag: series.tag, questionSetId: settings.questionSetId }, 'recurring series has no question set with questions: next session not planned');
          this.warned.add(series.id);
        }
        continue;
      }
      this.warned.delete(series.id);
      let session: Session;
      try {
        session = await persistSession(store, { series, startsAt, questions: set.questions, questionSetId: set.id });
      } catch (err) {
        if (await store.sessions.findOccurrence(series.id, startsAt)) {
          ensure(); // another process planned it just now
          continue;
        }
        throw err;
      }
      ensure();
      log.info({ seriesId: series.id, sessionId: session.id, startsAt }, 'session planned');
      planned.push(session);
    }
    return planned;
  }
}
