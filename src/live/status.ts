import { sortPrompts } from '../domain/timetable.ts';
import { tallyAnswers } from '../domain/tally.ts';
import type { Repositories } from '../store/port.ts';
import type { Prompt } from '../store/prompts.ts';
import type { Session } from '../store/sessions.ts';
import { ControlError } from './requests.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import { currentQuestion, messageLink, type CurrentQuestion, type StatusFirstTimer } from './newcomers.ts';

/**
 * Reading a session for moderators (`/chat status`, `emcee session status`): what went
 * out, what comes next, answers so far per question (the domain tally). Controls write;
 * this only reads.
 */

export interface SessionStatus {
  session: Session;
  tag: string;
  posted: Prompt[];
  skipped: Prompt[];
  upcoming: Prompt[];
  /** The next prompt to go out (null when paused or nothing is left). */
  next: Prompt | null;
  questions: { number: number; text: string; state: Prompt['state']; postedAt: Date | null; answers: number; inferred: number }[];
  takeaways: number;
  /** When it was read (the clock's now): what "last answer 1 min ago" counts from. */
  now: Date;
  /** The question posted last, its answers and when the last came (null: none posted). */
  current: CurrentQuestion | null;
  /** People writing in this series for the first time, and whether anyone replied (issue 15). */
  firstTimers: StatusFirstTimer[];
}

export async function sessionStatus(store: Repositories, sessionId: number, clock: Clock = systemClock): Promise<SessionStatus> {
  const session = await store.sessions.get(sessionId);
  if (!session) throw new ControlError(`there is no session #${sessionId}`);
  const prompts = sortPrompts(await store.prompts.listBySession(session.id));
  const answers = await store.messages.answers(session.id, { inferred: true });
  const tally = tallyAnswers(answers);
  const series = await store.series.get(session.seriesId);
  const upcoming = prompts.filter((p) => p.state === 'planned' || p.state === 'posting');
  const firstTimers = (await store.newcomers.firstTimers(session.id)).map((f) => ({ ...f, link: messageLink(session.guildId, f.first) }));
  const questions = prompts.filter((p) => p.kind === 'question').map((p) => {
    const q = tally.of(p.questionNumber!);
    return { number: p.questionNumber!, text: p.text, state: p.state, postedAt: p.postedAt, answers: q.answers, inferred: q.inferred };
  });
  return {
    session,
    tag: series?.tag ?? '',
    posted: prompts.filter((p) => p.state === 'posted'),
    skipped: prompts.filter((p) => p.state === 'skipped' || p.state === 'failed'),
    upcoming,
    next: session.state === 'paused' ? null : (upcoming[0] ?? null),
    questions,
    takeaways: tally.of('TA').answers,
    now: clock.now(),
    current: currentQuestion(questions, answers),
    firstTimers,
  };
}

/** The session a channel's controls act on: the running or paused one, else the next planned. */
export async function currentSession(store: Repositories, channelId: string): Promise<Session | null> {
  const sessions = await store.sessions.listInChannel(channelId);
  return sessions.find((s) => s.state === 'running' || s.state === 'paused')
    ?? sessions.filter((s) => s.state === 'planned').sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())[0]
    ?? null;
}
