/**
 * The sandbox's world, split by concern: the directory (guilds, users, roles, channels,
 * permissions), messages, threads, application commands and interactions. REST routes and the
 * test-facing control API both act through it; every change is dispatched to the gateway like
 * Discord does, with payloads built in gateway-payloads.ts.
 */
import { GatewayDispatchEvents as E } from 'discord-api-types/v10';
import type { Clock } from '../domain/clock.ts';
import { Commands } from './commands.ts';
import { Directory } from './directory.ts';
import { guildCreatePayload } from './gateway-payloads.ts';
import { Interactions } from './interactions.ts';
import { DISCORD_INTERACTION_DEADLINES, DISCORD_MAX_UPLOAD_BYTES, type InteractionDeadlines } from './limits.ts';
import { Messages } from './messages.ts';
import { Reactions } from './reactions.ts';
import type { Dispatch } from './model.ts';
import { ScheduledEvents } from './scheduled-events.ts';
import { Threads } from './threads.ts';
import { Webhooks } from './webhooks.ts';

export class World {
  readonly dir: Directory;
  readonly messages: Messages;
  readonly threads: Threads;
  readonly commands: Commands;
  readonly interactions: Interactions;
  readonly scheduledEvents: ScheduledEvents;
  readonly webhooks: Webhooks;
  readonly reactions: Reactions;

  constructor(
    clock: Clock,
    baseUrl: () => string,
    deadlines: InteractionDeadlines = DISCORD_INTERACTION_DEADLINES,
    maxUploadBytes: number = DISCORD_MAX_UPLOAD_BYTES,
  ) {
    this.dir = new Directory(clock);
    this.messages = new Messages(this.dir, baseUrl);
    this.threads = new Threads(this.dir, this.messages);
    this.commands = new Commands(this.dir);
    this.interactions = new Interactions(this.dir, this.messages, this.commands, deadlines, maxUploadBytes);
    this.scheduledEvents = new ScheduledEvents(this.dir);
    this.webhooks = new Webhooks(this.dir, this.messages);
    this.reactions = new Reactions(this.dir, this.messages);
  }

  /** Where every change goes: the gateway's dispatch to the connected sessions. */
  set dispatch(fn: Dispatch) {
    this.dir.dispatch = fn;
  }

  /** The bot joins another server: it gets GUILD_CREATE, as on Discord (on the guild's shard). */
  createGuild(name: string, shard?: [number, number]): { id: string; name: string } {
    return this.dir.createGuild(name, (id) => this.dir.dispatch(E.GuildCreate, guildCreatePayload(this.dir, id)), shard);
  }
}
