import type { PromptKind } from '../domain/timetable.ts';
import type { ScheduledEventsPlatform } from './scheduled-events.ts';

export * from './scheduled-events.ts';

/**
 * What the session engine needs from a chat platform. The Discord adapter implements it;
 * tests use MemoryPlatform. Nothing here knows discord.js.
 */

/** A prompt as the engine hands it to the platform. */
export interface OutgoingPrompt {
  kind: PromptKind;
  questionNumber: number | null;
  text: string;
  /**
   * Unique per prompt (at most 25 characters). Platforms that can read it back from a
   * posted message report it in fetchRecent; Discord uses it as the message nonce, which
   * Discord itself dedupes for a few minutes (enforce_nonce).
   */
  marker: string;
  /** Posted after its planned time (the bot was down or the platform failed). */
  late: boolean;
  /** Open a thread on this post (question posts in thread mode). */
  openThread: boolean;
}

export interface PostedMessage {
  id: string;
  at: Date;
}

/** A message read back from a channel, for reconciling posts of unknown outcome. */
export interface RecentMessage {
  id: string;
  at: Date;
  fromSelf: boolean;
  /** The prompt marker, when the platform can read it back; else null. */
  marker: string | null;
  /** The prompt text as the engine gave it (the platform undoes its own rendering). */
  text: string;
}

/**
 * Why a channel cannot be used: it no longer exists (Discord: 404 Unknown Channel, 10003),
 * the bot cannot see it (403 Missing Access, 50001), or may not post there (403 Missing
 * Permissions, 50013; or it is not a channel one can post in).
 */
export type ChannelUnavailableReason = 'unknown-channel' | 'no-access' | 'no-permission' | 'not-sendable';

/**
 * Thrown by a platform when a channel is gone or out of the bot's reach. Retrying cannot
 * help (until someone changes the server), so the engine stops that session's posting at
 * once instead of retrying; every other error is treated as transient and retried with
 * backoff. The adapter classifies its own errors; the core never sees discord.js ones.
 */
export class ChannelUnavailableError extends Error {
  override readonly name = 'ChannelUnavailableError';
  constructor(
    readonly channelId: string,
    readonly reason: ChannelUnavailableReason,
    /** The platform's own words, e.g. "Unknown Channel" or "Missing Access". */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`channel ${channelId} is gone or out of reach (${detail})`, options);
  }
}

export function isChannelUnavailable(err: unknown): err is ChannelUnavailableError {
  return err instanceof ChannelUnavailableError;
}

export interface ChatPlatform {
  post(channelId: string, prompt: OutgoingPrompt): Promise<PostedMessage>;
  edit(channelId: string, messageId: string, text: string): Promise<void>;
  /** The newest messages of the channel, newest first. */
  fetchRecent(channelId: string, limit: number): Promise<RecentMessage[]>;
  /**
   * A plain notice for moderators (no pings), e.g. that a session was stopped because its
   * own channel is gone. Best effort: the caller logs a failure and carries on.
   */
  notice(channelId: string, text: string): Promise<void>;
  /** The platform's scheduled events (one announces each session), where it has them. */
  scheduledEvents?: ScheduledEventsPlatform;
}
