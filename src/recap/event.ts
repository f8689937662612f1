/**
 * The session's Scheduled Event in the recap (issue 14): how many marked it "Interested"
 * (read when the session closed, else when it started) against how many took part.
 * Present only for a session that had an event whose count was read.
 */
import type { Repositories } from '../store/port.ts';

export interface RecapEventCounts {
  /** The event's Interested count at the close (at the start when the close was not read). */
  interested: number;
  /** The count when the session started, when read. */
  interestedAtStart: number | null;
  /** The participants (everyone who wrote). */
  tookPart: number;
}

export async function recapEventCounts(store: Repositories, sessionId: number, participants: number): Promise<RecapEventCounts | undefined> {
  const event = await store.scheduledEvents.get(sessionId);
  const interested = event?.interestedAtClose ?? event?.interestedAtStart ?? null;
  if (!event || interested === null) return undefined;
  return { interested, interestedAtStart: event.interestedAtStart, tookPart: participants };
}

/** "12 interested, 7 took part": the same words in every format. */
export function interestedText(e: RecapEventCounts): string {
  return `${e.interested} interested, ${e.tookPart} took part`;
}

/** The CSV's two session columns (event_interested, event_took_part): empty without an event count. */
export async function eventCells(store: Repositories, sessionId: number, startsAt: Date): Promise<[string, string]> {
  const event = await store.scheduledEvents.get(sessionId);
  const interested = event?.interestedAtClose ?? event?.interestedAtStart ?? null;
  if (interested === null) return ['', ''];
  const tookPart = (await store.recap.messageCounts(sessionId, startsAt)).authors.length;
  return [String(interested), String(tookPart)];
}
