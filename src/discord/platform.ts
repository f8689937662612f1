import { DiscordAPIError, EmbedBuilder, escapeMarkdown, type Client, type Message, type SendableChannels } from 'discord.js';
import type { Logger } from '../logger.ts';
import { RequestPacer } from './pacer.ts';
import { DiscordScheduledEvents } from './scheduled-events.ts';
import { answerButtonRow } from './answer-button.ts';
import { readsContent } from './intents.ts';
import { historyPages } from './history.ts';
import {
  ChannelUnavailableError, type ChannelUnavailableReason, type ChatPlatform, type OutgoingPrompt, type PostedMessage, type RecentMessage,
} from '../platform/types.ts';

/** A prompt for a log line: its session (from the engine's marker, emcee:<session>:<prompt>) and what it is. */
function describePrompt(prompt: OutgoingPrompt): string {
  const session = /^emcee:(\d+):\d+$/.exec(prompt.marker);
  const what = prompt.kind === 'question' ? `Q${prompt.questionNumber}`
    : prompt.kind === 'heads_up' ? `heads-up for Q${prompt.questionNumber}` : prompt.kind;
  return session ? `session ${session[1]} ${what}` : `${what} (${prompt.marker})`;
}

/** Colour of Emcee's question embeds. */
const QUESTION_COLOUR = 0x5865f2;
const QUESTION_PREFIX = /^Q(\d+): /;
/** How far back (pages of 100 messages) fetchRecent looks for the bot's own latest post. */
const RECENT_MAX_PAGES = 20;

/**
 * Discord's JSON error codes that mean the channel itself is gone or out of the bot's
 * reach: no retry can help, so they become ChannelUnavailableError for the engine.
 */
const CHANNEL_UNAVAILABLE: ReadonlyMap<number, ChannelUnavailableReason> = new Map([
  [10003, 'unknown-channel'], // Unknown Channel (deleted, or never existed)
  [50001, 'no-access'], // Missing Access (the bot cannot see the channel any more)
  [50013, 'no-permission'], // Missing Permissions (e.g. Send Messages or Embed Links denied)
]);

/** A channel-level refusal from Discord as ChannelUnavailableError; any other error unchanged. */
export function classifyChannelError(channelId: string, err: unknown): unknown {
  if (err instanceof ChannelUnavailableError) return err;
  if (err instanceof DiscordAPIError && typeof err.code === 'number') {
    const reason = CHANNEL_UNAVAILABLE.get(err.code);
    if (reason) return new ChannelUnavailableError(channelId, reason, `${err.message} (${err.code})`, { cause: err });
  }
  return err;
}

/** Runs fn, turning a channel-level refusal from Discord into ChannelUnavailableError. */
export async function classifiedIn<T>(channelId: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw classifyChannelError(channelId, err);
  }
}

/**
 * The ChatPlatform on Discord. Questions go out as embeds ("Q1", the question, how to
 * answer); the other prompts as plain messages. Every post carries the prompt marker as
 * its nonce with enforce_nonce, so Discord itself refuses a duplicate sent within minutes;
 * reading back, the adapter turns its own posts into the engine's prompt text again so a
 * post of unknown outcome can be recognised. No post can ping anyone.
 *
 * Every request it makes waits its turn in a RequestPacer (src/discord/pacer.ts): evenly
 * below Discord's global limit, questions first, heads-ups and previews last, so that many
 * sessions posting at once (the top of the hour) are never refused for the global limit.
 */
export class DiscordPlatform implements ChatPlatform {
  constructor(
    private readonly client: Client,
    private readonly log: Logger,
    private readonly pacer: RequestPacer = new RequestPacer(),
  ) {}

  private events?: DiscordScheduledEvents;
  /** Guild Scheduled Events, one per session (scheduled-events.ts), paced with the posts. */
  get scheduledEvents(): DiscordScheduledEvents {
    return (this.events ??= new DiscordScheduledEvents(this.client, this.pacer));
  }

  /** The prompts being sent now, by what they are ("session 12 Q3"): what a shutdown waits for. */
  private readonly posting = new Set<{ what: string }>();
  postsInFlight(): string[] {
    return [...this.posting].map((p) => p.what);
  }

  async post(channelId: string, prompt: OutgoingPrompt): Promise<PostedMessage> {
    const entry = { what: describePrompt(prompt) };
    this.posting.add(entry);
    try {
      return await classifiedIn(channelId, () => this.send(channelId, prompt));
    } finally {
      this.posting.delete(entry);
    }
  }

  private async send(channelId: string, prompt: OutgoingPrompt): Promise<PostedMessage> {
    const rank = prompt.kind === 'question' ? 0 : prompt.kind === 'heads_up' || prompt.kind === 'preview' ? 2 : 1;
    const channel = await this.sendable(channelId, rank);
    const m = QUESTION_PREFIX.exec(prompt.text);
    const common = { nonce: prompt.marker, enforceNonce: true, allowedMentions: { parse: [] } } as const;
    await this.pacer.take(rank);
    const message = prompt.kind === 'question' && m
      // The Answer button (answer-button.ts): answering without the Message Content intent.
      ? await channel.send({ ...common, embeds: [questionEmbed(Number(m[1]), prompt.text.slice(m[0].length), prompt.late, readsContent(this.client))], components: [answerButtonRow(prompt.marker)] })
      : await channel.send({ ...common, content: prompt.text });
    if (prompt.openThread && 'threads' in channel) {
      try {
        await this.pacer.take(rank);
        await message.startThread({ name: `Answers to Q${prompt.questionNumber}`, autoArchiveDuration: 1440 });
      } catch (err) {
        // The question is out; answers still count by label and reply without the thread.
        this.log.warn({ err, channelId, messageId: message.id }, 'could not open the question thread');
      }
    }
    return { id: message.id, at: message.createdAt };
  }

  async edit(channelId: string, messageId: string, text: string): Promise<void> {
    const channel = await this.sendable(channelId);
    await this.pacer.take();
    const message = await channel.messages.fetch(messageId);
    await this.pacer.take();
    await message.edit({ content: text, allowedMentions: { parse: [] } });
  }

  /**
   * The newest `limit` messages, newest first, and further back, page by page, until the
   * bot's own latest post is among them (at most RECENT_MAX_PAGES pages). A post of unknown
   * outcome is looked for among these: if it reached the channel it is the bot's latest
   * post there, as the engine posts one prompt of a channel at a time and settles it before
   * the next. However many participants wrote after it while the bot was down, it is found;
   * a plain "newest 100" would miss it after 100 messages, and the prompt would go out twice
   * (Discord's enforce_nonce only refuses a repeat for a few minutes).
   */
  async fetchRecent(channelId: string, limit: number): Promise<RecentMessage[]> {
    return classifiedIn(channelId, () => this.recent(channelId, limit));
  }

  /** A plain message for moderators: markdown in it is shown as typed, and it pings no one. */
  async notice(channelId: string, text: string): Promise<void> {
    await classifiedIn(channelId, async () => {
      const channel = await this.sendable(channelId);
      await this.pacer.take();
      await channel.send({ content: escapeMarkdown(text), allowedMentions: { parse: [] } });
    });
  }

  private async recent(channelId: string, limit: number): Promise<RecentMessage[]> {
    const channel = await this.sendable(channelId);
    const self = this.client.user?.id;
    const all: Message[] = [];
    for await (const page of historyPages(channel, { firstPage: limit, maxPages: RECENT_MAX_PAGES, beforeEach: () => this.pacer.take() })) {
      all.push(...page);
      const ownPost = all.some((msg) => msg.author.id === self && msg.webhookId === null && !msg.interactionMetadata);
      if (all.length >= limit && ownPost) break;
    }
    return all.map((msg) => ({
      id: msg.id, at: msg.createdAt, fromSelf: msg.author.id === self, marker: null, text: promptText(msg),
    }));
  }


  private async sendable(channelId: string, rank: 0 | 1 | 2 = 1): Promise<SendableChannels & { messages: Message['channel']['messages'] }> {
    if (!this.client.channels.cache.has(channelId)) await this.pacer.take(rank); // a request, unless cached
    const channel = await this.client.channels.fetch(channelId);
    if (!channel || !channel.isSendable() || !('messages' in channel)) {
      throw new ChannelUnavailableError(channelId, 'not-sendable', 'not a text channel the bot can post in');
    }
    return channel as SendableChannels & { messages: Message['channel']['messages'] };
  }
}

export function questionEmbed(n: number, question: string, late: boolean, labels = true): EmbedBuilder {
  // Without the Message Content intent the bot reads no "A1:" labels: only the button and replies that ping it.
  const how = labels ? `Answer with A${n}: … or reply to this message` : 'Press Answer, or reply to this message';
  return new EmbedBuilder()
    .setColor(QUESTION_COLOUR)
    .setTitle(`Q${n}`)
    .setDescription(question)
    .setFooter({ text: `${how}${late ? ' (posted late)' : ''}` });
}

/** The engine's prompt text of one of the bot's posts: "Qn: …" for a question embed. */
export function promptText(msg: Pick<Message, 'content' | 'embeds'>): string {
  const embed = msg.embeds[0];
  if (!msg.content && embed?.title && /^Q\d+$/.test(embed.title)) return `${embed.title}: ${embed.description ?? ''}`;
  return msg.content;
}
