import type { Clock } from '../domain/clock.ts';
import { MemoryScheduledEvents } from './memory-events.ts';
import { ChannelUnavailableError, type ChannelUnavailableReason, type ChatPlatform, type OutgoingPrompt, type PostedMessage, type RecentMessage } from './types.ts';

export interface MemoryMessage extends RecentMessage {
  channelId: string;
  prompt: OutgoingPrompt | null;
}

/** Thrown by MemoryPlatform to simulate the process dying right after a send. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

/**
 * How the next post misbehaves: 'before-send' fails with nothing posted; 'after-send'
 * posts, then fails (a timeout: outcome unknown to the caller); 'crash-after-send' posts
 * and never answers, as if the process died between sending and recording.
 */
export type Failure = 'before-send' | 'after-send' | 'crash-after-send';

/**
 * An in-memory chat platform. It keeps every message and can misbehave on demand: fail
 * a post before sending, or "crash" after sending (the message exists, the caller never
 * hears back) — the case the engine must reconcile.
 */
export class MemoryPlatform implements ChatPlatform {
  readonly messages: MemoryMessage[] = [];
  /** Notices for moderators, in order. */
  readonly notices: { channelId: string; text: string; at: Date }[] = [];
  /** Every call that reached the platform (posts, reads, notices), in order. */
  readonly calls: { what: 'post' | 'fetchRecent' | 'notice'; channelId: string; at: Date }[] = [];
  private nextId = 1;
  private failures: (Failure | 'ok')[] = [];
  private readonly unavailable = new Map<string, { reason: ChannelUnavailableReason; detail: string }>();
  /** Scheduled events in memory, with `scheduledEvents: true` (memory-events.ts). */
  readonly scheduledEvents?: MemoryScheduledEvents;

  /** keepsMarkers: false reads back like Discord, where the marker (nonce) is not returned. */
  constructor(private readonly clock: Clock, private readonly options: { keepsMarkers?: boolean; scheduledEvents?: boolean } = {}) {
    if (options.scheduledEvents) this.scheduledEvents = new MemoryScheduledEvents(clock);
  }

  /** Makes a coming post misbehave: the next one, or the one after `after` good posts. */
  failNext(how: Failure, after = 0): void {
    for (let i = 0; i < after; i++) this.failures.push('ok');
    this.failures.push(how);
  }

  /** From now on the channel is gone or out of reach: every call on it throws ChannelUnavailableError. */
  makeUnavailable(channelId: string, reason: ChannelUnavailableReason, detail: string): void {
    this.unavailable.set(channelId, { reason, detail });
  }

  private use(what: 'post' | 'fetchRecent' | 'notice', channelId: string): void {
    this.calls.push({ what, channelId, at: this.clock.now() });
    const gone = this.unavailable.get(channelId);
    if (gone) throw new ChannelUnavailableError(channelId, gone.reason, gone.detail);
  }

  async post(channelId: string, prompt: OutgoingPrompt): Promise<PostedMessage> {
    this.use('post', channelId);
    const failure = this.failures.shift();
    if (failure === 'before-send') throw new Error('platform unavailable (simulated)');
    const message: MemoryMessage = {
      id: `m${this.nextId++}`, channelId, at: this.clock.now(), fromSelf: true, marker: prompt.marker, text: prompt.text, prompt,
    };
    this.messages.push(message);
    if (failure === 'after-send') throw new SimulatedCrash(`no answer after sending ${prompt.marker}`);
    if (failure === 'crash-after-send') return new Promise<never>(() => {});
    return { id: message.id, at: message.at };
  }

  async edit(_channelId: string, messageId: string, text: string): Promise<void> {
    const m = this.messages.find((x) => x.id === messageId);
    if (!m) throw new Error(`unknown message ${messageId}`);
    m.text = text;
  }

  async fetchRecent(channelId: string, limit: number): Promise<RecentMessage[]> {
    this.use('fetchRecent', channelId);
    const keepsMarkers = this.options.keepsMarkers ?? true;
    return this.messages.filter((m) => m.channelId === channelId).slice(-limit).reverse()
      .map(({ id, at, fromSelf, marker, text }) => ({ id, at, fromSelf, marker: keepsMarkers ? marker : null, text }));
  }

  async notice(channelId: string, text: string): Promise<void> {
    this.use('notice', channelId);
    this.notices.push({ channelId, text, at: this.clock.now() });
  }

  /** A message that was already in the channel (an earlier session's post, say). */
  seed(channelId: string, text: string, at: Date, fromSelf = true): void {
    this.messages.push({ id: `m${this.nextId++}`, channelId, at, fromSelf, marker: null, text, prompt: null });
  }

  /** Prompts posted to a channel, in order. */
  posted(channelId?: string): MemoryMessage[] {
    return this.messages.filter((m) => m.prompt && (channelId === undefined || m.channelId === channelId));
  }
}
