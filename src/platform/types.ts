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
   * Unique per prompt. The platform must be able to read it back from the posted message
   * (fetchRecent), so a post whose outcome is unknown can be found instead of re-sent.
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
  marker: string | null;
  text: string;
}

export interface ChatPlatform {
  post(channelId: string, prompt: OutgoingPrompt): Promise<PostedMessage>;
  edit(channelId: string, messageId: string, text: string): Promise<void>;
  /** The newest messages of the channel, newest first. */
  fetchRecent(channelId: string, limit: number): Promise<RecentMessage[]>;
}
