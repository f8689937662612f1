/**
 * Channel webhooks as Discord has them: create and list (Manage Webhooks in the channel,
 * 403 50013 without it; a name of 1-80 characters without "clyde" or "discord"; at most 15 per
 * channel, 400 30007), and execute (POST /webhooks/{id}/{token}?wait=&thread_id=) with
 * content, username, avatar_url and allowed_mentions. A webhook message carries webhook_id
 * (and application_id when an app made the webhook), its author is the webhook under the
 * given username, with `bot: true`, and it reaches the gateway as MESSAGE_CREATE like any
 * message, its mentions resolved per allowed_mentions as for the bot's posts.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { APIMessage, APIUser, APIWebhook } from 'discord-api-types/v10';
import { GatewayDispatchEvents as E, PermissionFlagsBits, WebhookType } from 'discord-api-types/v10';
import type { Directory } from './directory.ts';
import { ApiError, formError } from './errors.ts';
import type { Messages } from './messages.ts';
import { clone, type MessageBody, type UploadedFile } from './model.ts';

/** Discord's cap on webhooks per channel (30007 Maximum number of webhooks reached). */
export const MAX_WEBHOOKS_PER_CHANNEL = 15;
const NAME_MAX = 80;

interface WebhookRecord {
  webhook: APIWebhook & { token: string };
}

/** What a test can see of one executed webhook message. */
export interface WebhookPost {
  messageId: string;
  webhookId: string;
  channelId: string;
  username: string;
  avatarUrl: string | null;
}

/** A webhook name or username: 1-80 characters, without "clyde" or "discord" (any case). */
function checkName(field: string, name: unknown): string {
  if (typeof name !== 'string' || name.trim().length < 1 || [...name].length > NAME_MAX) {
    throw formError(field, 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${NAME_MAX} in length.`);
  }
  const banned = /clyde|discord/i.exec(name);
  if (banned) throw formError(field, 'USERNAME_INVALID_CONTAINS', `Username cannot contain "${banned[0].toLowerCase()}"`);
  return name;
}

export class Webhooks {
  private readonly byId = new Map<string, WebhookRecord>();
  readonly posts: WebhookPost[] = [];

  constructor(
    private readonly dir: Directory,
    private readonly messages: Messages,
  ) {}

  /** The bot's permissions in a channel, overwrites included. */
  private botCan(channelId: string, bit: bigint): boolean {
    return (this.dir.permissionsIn(channelId, this.dir.botUser.id) & bit) !== 0n;
  }

  private requireManage(channelId: string): void {
    const channel = this.dir.requireChannel(channelId).channel;
    if (channel.type !== 0) throw new ApiError(400, 50024, 'Cannot execute action on this channel type');
    if (!this.botCan(channelId, PermissionFlagsBits.ManageWebhooks)) throw new ApiError(403, 50013, 'Missing Permissions');
  }

  private view(record: WebhookRecord): APIWebhook {
    return clone(record.webhook);
  }

  /** POST /channels/{id}/webhooks (by the bot). */
  create(channelId: string, body: Record<string, unknown>): APIWebhook {
    this.requireManage(channelId);
    const name = checkName('name', body.name);
    const inChannel = [...this.byId.values()].filter((r) => r.webhook.channel_id === channelId);
    if (inChannel.length >= MAX_WEBHOOKS_PER_CHANNEL) {
      throw new ApiError(400, 30007, `Maximum number of webhooks reached (${MAX_WEBHOOKS_PER_CHANNEL})`);
    }
    const id = this.dir.ids.next();
    const guildId = this.dir.guildOf(channelId);
    const token = randomBytes(34).toString('base64url');
    const webhook = {
      id,
      type: WebhookType.Incoming,
      guild_id: guildId,
      channel_id: channelId,
      name,
      avatar: null,
      application_id: this.dir.applicationId,
      user: clone(this.dir.botUser),
      token,
      url: `https://discord.com/api/webhooks/${id}/${token}`,
    } as APIWebhook & { token: string };
    this.byId.set(id, { webhook });
    this.dir.dispatch(E.WebhooksUpdate, { guild_id: guildId, channel_id: channelId });
    return clone(webhook);
  }

  /** GET /channels/{id}/webhooks (by the bot). */
  list(channelId: string): APIWebhook[] {
    this.requireManage(channelId);
    return [...this.byId.values()].filter((r) => r.webhook.channel_id === channelId).map((r) => this.view(r));
  }

  /** Is this id a channel webhook (rather than an application's interaction webhook)? */
  has(webhookId: string): boolean {
    return this.byId.has(webhookId);
  }

  /** POST /webhooks/{id}/{token}?thread_id=: a message as the webhook (under `username`, if given). */
  execute(webhookId: string, token: string, body: MessageBody, files: UploadedFile[], threadId: string | null): APIMessage {
    const record = this.byId.get(webhookId);
    if (!record) throw new ApiError(404, 10015, 'Unknown Webhook');
    if (record.webhook.token !== token) throw new ApiError(401, 50027, 'Invalid Webhook Token');
    const hook = record.webhook;
    let channelId: string = hook.channel_id ?? '';
    if (threadId !== null) {
      const thread = this.dir.channels.get(threadId)?.channel;
      if (!thread || thread.type === 0 || thread.parent_id !== hook.channel_id) throw new ApiError(400, 10003, 'Unknown Channel');
      channelId = threadId;
    }
    const raw = body as Record<string, unknown>;
    const username = raw.username === undefined || raw.username === null ? (hook.name ?? 'Webhook') : checkName('username', raw.username);
    const avatarUrl = typeof raw.avatar_url === 'string' ? raw.avatar_url : null;
    const author: APIUser = {
      ...clone(this.dir.botUser),
      id: hook.id,
      username,
      // Discord shows the avatar_url given; the author's avatar is a hash standing for it.
      avatar: avatarUrl ? createHash('md5').update(avatarUrl).digest('hex') : null,
      discriminator: '0000',
      global_name: null,
      bot: true,
    };
    const { username: _u, avatar_url: _a, thread_name: _t, ...messageBody } = raw;
    const created = this.messages.create({
      channelId,
      author,
      body: messageBody as MessageBody,
      files,
      extra: { webhook_id: hook.id, ...(hook.application_id ? { application_id: hook.application_id } : {}) } as Partial<APIMessage>,
    });
    this.posts.push({ messageId: created.message.id, webhookId: hook.id, channelId, username, avatarUrl });
    return this.messages.view(created);
  }
}
