/**
 * Forget-me (issue 15): what /chat forget-me and `emcee participant forget` both run. The
 * participant's stored text is erased (store.privacy.forgetAuthor, see src/store/privacy.ts)
 * and each session that held some of it logs a "forget" control without any text: who
 * asked, when, whose messages and how many.
 */
import type { Clock } from '../domain/clock.ts';
import type { ForgetCounts, StoreScope } from '../store/port.ts';

export interface ForgetRequest {
  /** The participant whose messages are forgotten (a platform user id). */
  authorId: string;
  /** Only this server's sessions; null: every session (the operator). */
  guildId: string | null;
  /** Who asked: the participant themself, or the operator ("cli"). */
  actor: string;
}

export async function forgetParticipant(store: StoreScope, clock: Clock, req: ForgetRequest): Promise<ForgetCounts> {
  const now = clock.now();
  return store.transaction(async (tx) => {
    const counts = await tx.privacy.forgetAuthor(req.authorId, req.guildId, now);
    for (const [sessionId, messages] of counts.sessions) {
      await tx.controls.record(sessionId, 'forget', req.actor, now, { author: req.authorId, messages });
    }
    return counts;
  });
}

/** One line for the participant or the operator: what was forgotten. */
export function forgetSummary(c: ForgetCounts): string {
  if (c.messages === 0 && c.reactions === 0) return 'Nothing to forget: no stored messages or reactions of this participant.';
  const n = (k: number, one: string) => `${k} ${one}${k === 1 ? '' : 's'}`;
  return `Forgotten: ${n(c.messages, 'message')} in ${n(c.sessions.size, 'session')} (text, earlier edits and answers erased), ${n(c.reactions, 'reaction')} removed.`;
}
