/**
 * What the core needs from a platform's scheduled events (Discord's guild Scheduled Events):
 * one event announces each session. Optional: a platform without them leaves
 * ChatPlatform.scheduledEvents out, and sessions run without events.
 */

export type PlatformEventStatus = 'scheduled' | 'active' | 'completed' | 'canceled';

/** Where the event takes place: somewhere outside a voice channel (the chat's text channel), or a stage/voice channel. */
export type EventPlace = { location: string } | { channelId: string };

export interface NewPlatformEvent {
  guildId: string;
  name: string;
  description: string;
  startsAt: Date;
  endsAt: Date;
  place: EventPlace;
  /**
   * Unique per session's event: the platform stores it with the event where it can be read
   * back (findByMarker), so that an event whose creation outcome is unknown is found again.
   */
  marker: string;
}

export interface PlatformEvent {
  id: string;
  status: PlatformEventStatus;
  startsAt: Date;
  endsAt: Date | null;
  /** The "Interested" count, when the platform said it. */
  userCount: number | null;
}

/** What may change on an event (a timetable that moved, a new text). */
export interface PlatformEventChange {
  name?: string;
  description?: string;
  startsAt?: Date;
  endsAt?: Date;
}

/**
 * Why an event request cannot succeed by retrying: the bot lacks Manage Events / Create
 * Events ('no-permission', Discord 50013), the event is gone ('unknown-event', 10070), the
 * guild has its maximum of scheduled events ('limit-reached', 30038), or the platform refused
 * the request as invalid ('invalid', e.g. 50035 or a finished event's 180000). Any other
 * error is transient: the outcome of a create may be unknown.
 */
export type EventErrorReason = 'no-permission' | 'unknown-event' | 'limit-reached' | 'invalid';

export class ScheduledEventError extends Error {
  override readonly name = 'ScheduledEventError';
  constructor(readonly reason: EventErrorReason, readonly detail: string, options?: { cause?: unknown }) {
    super(`scheduled event refused: ${reason} (${detail})`, options);
  }
}

export function isScheduledEventError(err: unknown): err is ScheduledEventError {
  return err instanceof ScheduledEventError;
}

export interface ScheduledEventsPlatform {
  /** Whether the bot may manage events in the guild now (from what it knows, no request): false skips events there. */
  available(guildId: string): boolean;
  create(event: NewPlatformEvent): Promise<PlatformEvent>;
  update(guildId: string, eventId: string, change: PlatformEventChange): Promise<PlatformEvent>;
  /** SCHEDULED -> ACTIVE -> COMPLETED (the only moves besides cancel). */
  setStatus(guildId: string, eventId: string, status: 'active' | 'completed'): Promise<PlatformEvent>;
  /** A scheduled event called off (CANCELED). */
  cancel(guildId: string, eventId: string): Promise<void>;
  /** Removes an event (a duplicate found by its marker). */
  delete(guildId: string, eventId: string): Promise<void>;
  /** The guild's events that carry this marker, oldest first. */
  findByMarker(guildId: string, marker: string): Promise<PlatformEvent[]>;
  /** The event's "Interested" count now. */
  userCount(guildId: string, eventId: string): Promise<number>;
  /** A post that pings exactly this role and nothing else (the reminder before a session). */
  remind(channelId: string, roleId: string, text: string): Promise<void>;
}
