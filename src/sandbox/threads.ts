/** Threads the bot opens on a message, and the active-thread listing. */
import type { APIThreadChannel, APIThreadMember, RESTGetAPIGuildThreadsResult } from 'discord-api-types/v10';
import { ChannelFlags, ChannelType, GatewayDispatchEvents as E, ThreadMemberFlags } from 'discord-api-types/v10';
import type { Directory } from './directory.ts';
import { ApiError, formError } from './errors.ts';
import { messageEvent } from './gateway-payloads.ts';
import type { Messages } from './messages.ts';
import { clone, Flags } from './model.ts';

export class Threads {
  constructor(
    private readonly dir: Directory,
    private readonly messages: Messages,
  ) {}

  private makeThread(id: string, parentId: string, body: Record<string, unknown>): APIThreadChannel {
    const name = body.name;
    if (typeof name !== 'string' || name.length < 1 || name.length > 100) {
      throw formError('name', 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    }
    const now = this.dir.isoNow();
    const duration = typeof body.auto_archive_duration === 'number' ? body.auto_archive_duration : 1440;
    return {
      id,
      type: ChannelType.PublicThread,
      guild_id: this.dir.guildOf(parentId),
      parent_id: parentId,
      owner_id: this.dir.botUser.id,
      name,
      last_message_id: null,
      rate_limit_per_user: typeof body.rate_limit_per_user === 'number' ? body.rate_limit_per_user : 0,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      flags: 0 as ChannelFlags,
      applied_tags: [],
      thread_metadata: {
        archived: false,
        auto_archive_duration: duration as 60 | 1440 | 4320 | 10080,
        archive_timestamp: now,
        locked: false,
        create_timestamp: now,
      },
    };
  }

  /** POST /channels/{id}/messages/{id}/threads: a public thread whose id is the message id. */
  fromMessage(channelId: string, messageId: string, body: Record<string, unknown>): APIThreadChannel {
    const parent = this.dir.requireChannel(channelId);
    if (parent.channel.type !== 0) throw new ApiError(400, 50024, 'Cannot execute action on this channel type');
    const record = this.messages.requireMessage(messageId, channelId);
    if (this.dir.channels.has(messageId)) {
      throw new ApiError(400, 160004, 'A thread has already been created for this message');
    }
    const thread = this.makeThread(messageId, channelId, body);
    this.dir.channels.set(thread.id, { channel: thread, messageIds: [] });
    record.message.thread = clone(thread);
    record.message.flags = (record.message.flags ?? 0) | Flags.HasThread;
    this.dir.dispatch(E.ThreadCreate, { ...clone(thread), newly_created: true });
    this.dir.dispatch(E.MessageUpdate, messageEvent(this.dir, this.messages.view(record)));
    return { ...clone(thread), member: this.botMember(thread.id, this.dir.isoNow()) };
  }

  private botMember(threadId: string, joinedAt: string): APIThreadMember {
    return { id: threadId, user_id: this.dir.botUser.id, join_timestamp: joinedAt, flags: 0 as ThreadMemberFlags };
  }

  /** GET /guilds/{id}/threads/active */
  active(guildId: string): RESTGetAPIGuildThreadsResult & { has_more: boolean } {
    const threads = this.dir.threadChannels().filter((t) => t.guild_id === guildId && !t.thread_metadata?.archived);
    return {
      threads: threads.map(clone),
      members: threads.map((t) => this.botMember(t.id, t.thread_metadata?.create_timestamp ?? this.dir.isoNow())),
      // Discord's schema requires it; all active threads fit in one answer here.
      has_more: false,
    };
  }
}
