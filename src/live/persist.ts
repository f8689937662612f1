import { planSession } from '../domain/timetable.ts';
import type { Repositories, StoreScope } from '../store/port.ts';
import type { Series } from '../domain/series.ts';
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
export async function persistSession(store: StoreScope, { series, startsAt, questions, questionSetId, state = 'planned' }: SessionToPersist): Promise<Session> {
  const settings = series.settings;
  const plan = planSession({ settings, tag: series.tag, questions, startsAt });
  return store.transaction(async (tx) => {
    const session = await tx.sessions.create({
      seriesId: series.id, questionSetId, state, startsAt, source: 'live', channelId: series.channelId,
    });
    for (const p of plan) {
      await tx.prompts.create({ sessionId: session.id, ...p, state: 'planned', postedAt: null, messageId: null });
    }
    return session;
  });
}

export interface SessionReplan {
  startsAt: Date;
  questions: readonly string[];
  questionSetId: number | null;
}

/**
 * Re-plans a session that has not started from its series' current settings (issue 10,
 * item 2: a re-setup updates the coming session instead of cancelling it). The session
 * keeps its id, its control log and every prompt already settled (a posted preview, a
 * question a moderator skipped); prompts still to come are updated in place (time and
 * text; same ids, so a post under way keeps its marker), prompts the new timetable no
 * longer has are skipped, and new ones are added. Call it inside a transaction; the
 * caller makes sure no other session of the series starts at `startsAt`.
 */
export async function replanSession(store: Repositories, session: Session, series: Series, { startsAt, questions, questionSetId }: SessionReplan): Promise<Session> {
  const settings = series.settings;
  const plan = planSession({ settings, tag: series.tag, questions, startsAt });
  const key = (p: { kind: string; questionNumber: number | null }) => `${p.kind}:${p.questionNumber ?? ''}`;
  const existing = new Map((await store.prompts.listBySession(session.id)).map((p) => [key(p), p]));
  const moved = await store.sessions.replan(session.id, startsAt, questionSetId);
  for (const item of plan) {
    const current = existing.get(key(item));
    existing.delete(key(item));
    if (!current) {
      await store.prompts.create({ sessionId: session.id, ...item, state: 'planned', postedAt: null, messageId: null });
    } else if (current.state === 'planned') {
      await store.prompts.reschedule(current.id, item.plannedAt);
      await store.prompts.setText(current.id, item.text);
    }
  }
  for (const left of existing.values()) {
    if (left.state === 'planned') await store.prompts.markSkipped(left.id, 'no longer in the timetable after the series was set up again');
  }
  return moved;
}
