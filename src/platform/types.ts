import type { PromptKind } from '../core/timetable.ts';

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

export interface ChatPlatform {
  post(channelId: string, prompt: OutgoingPrompt): Promise<PostedMessage>;
  edit(channelId: string, messageId: string, text: string): Promise<void>;
  /** The newest messages of the channel, newest first. */
  fetchRecent(channelId: string, limit: number): Promise<RecentMessage[]>;
}
