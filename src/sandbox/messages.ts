/** Messages: create, edit, delete and list them, as the bot (REST) and as users (the control API). */
import type { APIAttachment, APIMessage, APIMessageTopLevelComponent, APIUser } from 'discord-api-types/v10';
import { GatewayDispatchEvents as E } from 'discord-api-types/v10';
import { normalizeComponents } from './components.ts';
import type { Directory } from './directory.ts';
import { ApiError, formError } from './errors.ts';
import { messageEvent } from './gateway-payloads.ts';
import { attachmentsFrom, attachmentUrl, mentionsFor, storedEmbeds, validateBody, type HostedFiles } from './message-body.ts';
import {
  clone,
  Flags,
  MessageTypes,
  SETTABLE_FLAGS,
  type AllowedMentions,
  type MessageBody,
  type MessageRecord,
  type UploadedFile,
} from './model.ts';
import { compareSnowflakes } from './snowflake.ts';

/** How long Discord remembers an enforced nonce (it returns the earlier message for a repeat). */
const NONCE_MEMORY_MS = 5 * 60_000;

export interface NewMessage {
  channelId: string;
  author: APIUser;
  body: MessageBody;
  files?: UploadedFile[];
  type?: number;
  extra?: Partial<APIMessage>;
  ephemeral?: boolean;
  loading?: boolean;
}

export class Messages {
  readonly records = new Map<string, MessageRecord>();
  readonly hostedFiles: HostedFiles = new Map();

  constructor(
    private readonly dir: Directory,
    private readonly baseUrl: () => string,
  ) {}

  requireMessage(messageId: string, channelId?: string): MessageRecord {
    const record = this.records.get(messageId);
    if (!record || record.deleted || (channelId !== undefined && record.message.channel_id !== channelId)) {
      throw new ApiError(404, 10008, 'Unknown Message');
    }
    return record;
  }

  /** A message as returned by REST / inspection: a copy with its thread up to date. */
  view(record: MessageRecord): APIMessage {
    const message = clone(record.message);
    const thread = this.dir.channels.get(message.id);
    if (message.thread && thread) message.thread = clone(thread.channel);
    return message;
  }

  list(channelId: string): APIMessage[] {
    const record = this.dir.channels.get(channelId);
    if (!record) return [];
    return record.messageIds
      .map((id) => this.records.get(id))
      .filter((m): m is MessageRecord => m !== undefined && !m.deleted)
      .map((m) => this.view(m));
  }

  getMessage(channelId: string, messageId: string): APIMessage {
    this.dir.requireChannel(channelId);
    return this.view(this.requireMessage(messageId, channelId));
  }

  findMessage(messageId: string): APIMessage | undefined {
    const record = this.records.get(messageId);
    return record && !record.deleted ? this.view(record) : undefined;
  }

  /** GET /channels/{id}/messages: newest first, with Discord's before/after/around semantics. */
  listMessages(channelId: string, query: URLSearchParams): APIMessage[] {
    const channel = this.dir.requireChannel(channelId);
    const rawLimit = query.get('limit');
    const limit = rawLimit === null ? 50 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw formError('limit', 'NUMBER_TYPE_MAX', 'Must be between 1 and 100.');
    }
    const ids = channel.messageIds.filter((id) => !this.records.get(id)?.deleted);
    let picked: string[];
    const around = query.get('around');
    const before = query.get('before');
    const after = query.get('after');
    if (around) {
      let index = ids.findIndex((id) => compareSnowflakes(id, around) >= 0);
      if (index === -1) index = ids.length;
      let start = Math.max(0, index - Math.floor(limit / 2));
      const end = Math.min(ids.length, start + limit);
      start = Math.max(0, end - limit);
      picked = ids.slice(start, end);
    } else if (before) {
      picked = ids.filter((id) => compareSnowflakes(id, before) < 0).slice(-limit);
    } else if (after) {
      picked = ids.filter((id) => compareSnowflakes(id, after) > 0).slice(0, limit);
    } else {
      picked = ids.slice(-limit);
    }
    return picked.reverse().map((id) => this.view(this.records.get(id) as MessageRecord));
  }

  hostFile(filename: string, content: Buffer | string, contentType = 'text/plain; charset=utf-8'): APIAttachment {
    const id = this.dir.ids.next();
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    this.hostedFiles.set(id, { filename, content: data, contentType });
    const url = attachmentUrl(this.baseUrl(), id, filename);
    return { id, filename, size: data.length, url, proxy_url: url, content_type: contentType };
  }

  /** Creates, stores and dispatches a message. */
  create(input: NewMessage): MessageRecord {
    const dir = this.dir;
    const channel = dir.requireChannel(input.channelId);
    const body = input.body;
    validateBody(body, (input.files?.length ?? 0) > 0, !input.loading);
    const content = typeof body.content === 'string' ? body.content : '';
    let type = input.type ?? MessageTypes.Default;
    let reference: APIMessage['message_reference'];
    let referenced: APIMessage | undefined;
    const ref = body.message_reference as Record<string, unknown> | undefined | null;
    if (ref && typeof ref === 'object' && typeof ref.message_id === 'string') {
      const target = this.records.get(ref.message_id);
      const refChannel = typeof ref.channel_id === 'string' ? ref.channel_id : input.channelId;
      if (!target || target.deleted || target.message.channel_id !== refChannel) {
        if (ref.fail_if_not_exists !== false) {
          throw formError('message_reference', 'REPLIES_UNKNOWN_MESSAGE', 'Unknown message');
        }
      } else {
        reference = { type: 0, channel_id: refChannel, guild_id: dir.guildOf(refChannel), message_id: target.message.id };
        referenced = clone(target.message);
        delete referenced.referenced_message;
        if (type === MessageTypes.Default) type = MessageTypes.Reply;
      }
    }
    const mentions = mentionsFor(dir, content, body.allowed_mentions as AllowedMentions | undefined, referenced?.author);
    let flags = (typeof body.flags === 'number' ? body.flags : 0) & SETTABLE_FLAGS;
    if (input.ephemeral) flags |= Flags.Ephemeral;
    if (input.loading) flags |= Flags.Loading;
    const message = {
      type,
      content,
      mentions: mentions.mentions,
      mention_roles: mentions.mention_roles,
      attachments: attachmentsFrom(dir, this.baseUrl(), input.files ?? [], body.attachments),
      embeds: storedEmbeds(body.embeds),
      timestamp: dir.isoNow(),
      edited_timestamp: null,
      flags,
      components: Array.isArray(body.components) ? normalizeComponents(body.components as APIMessageTopLevelComponent[]) : [],
      id: dir.ids.next(),
      channel_id: input.channelId,
      author: clone(input.author),
      pinned: false,
      mention_everyone: mentions.mention_everyone,
      tts: body.tts === true,
      ...(reference ? { message_reference: reference, referenced_message: referenced ?? null } : {}),
      ...(input.extra ?? {}),
    } as APIMessage;
    const record: MessageRecord = {
      message,
      deleted: false,
      enforceNonce: body.enforce_nonce === true,
      createdMs: dir.nowMs(),
      ephemeral: input.ephemeral ?? false,
    };
    if (typeof body.nonce === 'string' || typeof body.nonce === 'number') record.nonce = body.nonce;
    this.records.set(message.id, record);
    if (!record.ephemeral) {
      channel.messageIds.push(message.id);
      const ch = channel.channel;
      ch.last_message_id = message.id;
      if (ch.type !== 0) {
        ch.message_count = (ch.message_count ?? 0) + 1;
        ch.total_message_sent = (ch.total_message_sent ?? 0) + 1;
        message.position = ch.total_message_sent - 1;
      }
      dir.dispatch(E.MessageCreate, messageEvent(dir, this.view(record), record.nonce));
    }
    return record;
  }

  /** The response to a message create: the message plus its nonce. */
  private created(record: MessageRecord): APIMessage {
    const message = this.view(record);
    if (record.nonce !== undefined) message.nonce = record.nonce;
    return message;
  }

  /** POST /channels/{id}/messages by the bot. */
  botPosts(channelId: string, body: MessageBody, files: UploadedFile[]): APIMessage {
    this.dir.requireChannel(channelId);
    if (body.enforce_nonce === true && body.nonce !== undefined) {
      // Discord returns the earlier message for a repeated nonce within a few minutes.
      const now = this.dir.nowMs();
      for (const record of this.records.values()) {
        if (
          !record.deleted &&
          record.nonce === body.nonce &&
          record.message.channel_id === channelId &&
          record.message.author.id === this.dir.botUser.id &&
          now - record.createdMs <= NONCE_MEMORY_MS
        ) {
          return this.created(record);
        }
      }
    }
    return this.created(this.create({ channelId, author: this.dir.botUser, body, files }));
  }

  userSays(channelId: string, userId: string, content: string, opts: { replyTo?: string; ping?: boolean } = {}): APIMessage {
    const member = this.dir.requireMember(userId);
    const body: MessageBody = { content };
    if (opts.replyTo) body.message_reference = { message_id: opts.replyTo, channel_id: channelId };
    // The client's "@ on/off" of a reply: off mentions everyone else as usual, not the replied-to author.
    if (opts.replyTo && opts.ping === false) body.allowed_mentions = { parse: ['users', 'roles', 'everyone'], replied_user: false };
    return this.view(this.create({ channelId, author: member.user, body }));
  }

  applyEdit(record: MessageRecord, body: MessageBody, files: UploadedFile[]): void {
    validateBody(body, files.length > 0, false);
    const message = record.message;
    if (typeof body.content === 'string' || body.content === null) message.content = (body.content as string | null) ?? '';
    if (body.embeds !== undefined) message.embeds = storedEmbeds(body.embeds);
    if (body.components !== undefined) {
      message.components = Array.isArray(body.components) ? normalizeComponents(body.components as APIMessageTopLevelComponent[]) : [];
    }
    if (typeof body.flags === 'number') {
      message.flags = ((message.flags ?? 0) & ~Flags.SuppressEmbeds) | (body.flags & Flags.SuppressEmbeds);
    }
    if (body.attachments !== undefined || files.length > 0) {
      const keep = Array.isArray(body.attachments) ? (body.attachments as Record<string, unknown>[]) : [];
      const kept = message.attachments.filter((a) => keep.some((k) => String(k.id) === a.id));
      message.attachments = [...kept, ...attachmentsFrom(this.dir, this.baseUrl(), files, body.attachments)];
    }
    if (typeof body.content === 'string' || body.allowed_mentions !== undefined) {
      const replied = message.referenced_message?.author;
      const mentions = mentionsFor(this.dir, message.content, body.allowed_mentions as AllowedMentions | undefined, replied ?? undefined);
      message.mentions = mentions.mentions;
      message.mention_roles = mentions.mention_roles;
      message.mention_everyone = mentions.mention_everyone;
    }
  }

  /** Dispatches MESSAGE_UPDATE for a changed message (ephemeral ones stay between bot and user). */
  updated(record: MessageRecord): void {
    if (!record.ephemeral) this.dir.dispatch(E.MessageUpdate, messageEvent(this.dir, this.view(record)));
  }

  /** PATCH /channels/{id}/messages/{id} by the bot. */
  botEdits(channelId: string, messageId: string, body: MessageBody, files: UploadedFile[]): APIMessage {
    this.dir.requireChannel(channelId);
    const record = this.requireMessage(messageId, channelId);
    if (record.message.author.id !== this.dir.botUser.id || record.message.webhook_id) {
      throw new ApiError(403, 50005, 'Cannot edit a message authored by another user');
    }
    this.applyEdit(record, body, files);
    record.message.edited_timestamp = this.dir.isoNow();
    this.updated(record);
    return this.view(record);
  }

  userEdits(messageId: string, content: string): APIMessage {
    const record = this.requireMessage(messageId);
    this.applyEdit(record, { content }, []);
    record.message.edited_timestamp = this.dir.isoNow();
    this.updated(record);
    return this.view(record);
  }

  private markDeleted(record: MessageRecord): void {
    record.deleted = true;
    const channel = this.dir.channels.get(record.message.channel_id)?.channel;
    if (channel && channel.type !== 0) channel.message_count = Math.max(0, (channel.message_count ?? 0) - 1);
  }

  deleteMessage(messageId: string, channelId?: string): void {
    if (channelId !== undefined) this.dir.requireChannel(channelId);
    const record = this.requireMessage(messageId, channelId);
    this.markDeleted(record);
    if (!record.ephemeral) {
      const channel = record.message.channel_id;
      this.dir.dispatch(E.MessageDelete, { id: messageId, channel_id: channel, guild_id: this.dir.guildOf(channel) });
    }
  }

  /** A moderator deletes several messages at once (MESSAGE_DELETE_BULK). */
  userBulkDeletes(channelId: string, messageIds: string[]): void {
    this.dir.requireChannel(channelId);
    for (const id of messageIds) {
      const record = this.records.get(id);
      if (!record || record.deleted || record.message.channel_id !== channelId) throw new ApiError(404, 10008, `Unknown Message ${id}`);
    }
    for (const id of messageIds) this.markDeleted(this.records.get(id) as MessageRecord);
    this.dir.dispatch(E.MessageDeleteBulk, { ids: [...messageIds], channel_id: channelId, guild_id: this.dir.guildOf(channelId) });
  }
}
