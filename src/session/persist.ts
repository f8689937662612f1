import { parseSeriesSettings } from '../core/settings.ts';
import { planSession } from '../core/timetable.ts';
import type { Store } from '../store/index.ts';
import type { Series } from '../store/series.ts';
import type { Session, SessionState } from '../store/sessions.ts';

export interface SessionToPersist {
  series: Series;
  startsAt: Date;
  questions: readonly string[];
  questionSetId: number | null;
  state?: SessionState;
}

/**
 * Writes a session and every prompt of its timetable, in one transaction, before anything
 * is posted: after a restart the plan is all in the database.
 */
export function persistSession(store: Store, { series, startsAt, questions, questionSetId, state = 'planned' }: SessionToPersist): Session {
  const settings = parseSeriesSettings(series.settings);
  const plan = planSession({ settings, tag: series.tag, questions, startsAt });
  return store.transaction(() => {
    const session = store.sessions.create({
      seriesId: series.id, questionSetId, state, startsAt, source: 'live', channelId: series.channelId,
    });
    for (const p of plan) {
      store.prompts.create({ sessionId: session.id, ...p, state: 'planned', postedAt: null, messageId: null });
    }
    return session;
  });
}
