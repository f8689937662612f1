/**
 * Guild Scheduled Events on Discord (ScheduledEventsPlatform): one announces each session.
 * Requests go through discord.js's REST client, paced with the other requests (lowest rank:
 * never ahead of a question). The event's marker is kept as the description's last line, so
 * an event whose create went unanswered is found again (findByMarker). Discord's refusals
 * are classified for the core: 50013/50001 no-permission, 10070 unknown-event, 30038
 * limit-reached, other 4xx invalid; anything else is transient.
 */
import { ChannelType, DiscordAPIError, PermissionFlagsBits, Routes, type Client } from 'discord.js';
import type { APIGuildScheduledEvent, RESTPostAPIGuildScheduledEventJSONBody } from 'discord-api-types/v10';
import {
  ScheduledEventError, type EventErrorReason, type NewPlatformEvent, type PlatformEvent, type PlatformEventChange,
  type PlatformEventStatus, type ScheduledEventsPlatform,
} from '../platform/types.ts';
import { RequestPacer } from './pacer.ts';

const STATUS: Record<number, PlatformEventStatus> = { 1: 'scheduled', 2: 'active', 3: 'completed', 4: 'canceled' };
const STATUS_CODE = { active: 2, completed: 3, canceled: 4 } as const;
const REFUSALS: ReadonlyMap<number, EventErrorReason> = new Map([
  [50013, 'no-permission'], // Missing Permissions (Manage Events / Create Events)
  [50001, 'no-permission'], // Missing Access
  [10070, 'unknown-event'], // Unknown Guild Scheduled Event
  [30038, 'limit-reached'], // Maximum number of guild scheduled events reached
]);
/** The permissions either of which lets the bot make events (and manage its own). */
export const EVENT_PERMISSIONS = PermissionFlagsBits.ManageEvents | PermissionFlagsBits.CreateEvents;

/** The description's last line: where the marker is kept. */
export const markerLine = (marker: string) => `Emcee ref ${marker}`;

function classify(err: unknown): unknown {
  if (!(err instanceof DiscordAPIError) || typeof err.code !== 'number') return err;
  const reason = REFUSALS.get(err.code) ?? (err.status >= 400 && err.status < 500 && err.status !== 429 ? 'invalid' : null);
  return reason ? new ScheduledEventError(reason, `${err.message} (${err.code})`, { cause: err }) : err;
}

function toPlatformEvent(e: APIGuildScheduledEvent): PlatformEvent {
  return {
    id: e.id,
    status: STATUS[e.status] ?? 'scheduled',
    startsAt: new Date(e.scheduled_start_time),
    endsAt: e.scheduled_end_time ? new Date(e.scheduled_end_time) : null,
    userCount: e.user_count ?? null,
  };
}

export class DiscordScheduledEvents implements ScheduledEventsPlatform {
  constructor(private readonly client: Client, private readonly pacer: RequestPacer = new RequestPacer()) {}

  private async call<T>(fn: () => Promise<unknown>): Promise<T> {
    await this.pacer.take(2);
    try {
      return (await fn()) as T;
    } catch (err) {
      throw classify(err);
    }
  }

  available(guildId: string): boolean {
    const me = this.client.guilds.cache.get(guildId)?.members.me;
    // Not known yet (no member cached): try, and let Discord say.
    return !me || me.permissions.any(EVENT_PERMISSIONS);
  }

  async create(event: NewPlatformEvent): Promise<PlatformEvent> {
    const line = markerLine(event.marker);
    const body = {
      name: event.name,
      description: `${event.description.slice(0, 1000 - line.length - 2)}\n\n${line}`,
      scheduled_start_time: event.startsAt.toISOString(),
      scheduled_end_time: event.endsAt.toISOString(),
      privacy_level: 2,
      ...('location' in event.place
        ? { entity_type: 3, entity_metadata: { location: event.place.location } }
        : { entity_type: this.channelKind(event.place.channelId), channel_id: event.place.channelId }),
    } as RESTPostAPIGuildScheduledEventJSONBody;
    return toPlatformEvent(await this.call(() => this.client.rest.post(Routes.guildScheduledEvents(event.guildId), { body })));
  }

  /** A stage channel's event is a STAGE_INSTANCE event (1), any other channel's a VOICE event (2). */
  private channelKind(channelId: string): 1 | 2 {
    return this.client.channels.cache.get(channelId)?.type === ChannelType.GuildStageVoice ? 1 : 2;
  }

  async update(guildId: string, eventId: string, change: PlatformEventChange): Promise<PlatformEvent> {
    const body: Record<string, unknown> = {};
    if (change.name !== undefined) body.name = change.name;
    if (change.startsAt) body.scheduled_start_time = change.startsAt.toISOString();
    if (change.endsAt) body.scheduled_end_time = change.endsAt.toISOString();
    if (change.description !== undefined) {
      // The marker line stays: it is read from the current description.
      const current = await this.call<APIGuildScheduledEvent>(() => this.client.rest.get(Routes.guildScheduledEvent(guildId, eventId)));
      const line = current.description?.split('\n').at(-1) ?? '';
      body.description = line.startsWith(markerLine('')) ? `${change.description.slice(0, 1000 - line.length - 2)}\n\n${line}` : change.description.slice(0, 1000);
    }
    return toPlatformEvent(await this.call(() => this.client.rest.patch(Routes.guildScheduledEvent(guildId, eventId), { body })));
  }

  async setStatus(guildId: string, eventId: string, status: 'active' | 'completed'): Promise<PlatformEvent> {
    const body = { status: STATUS_CODE[status] };
    return toPlatformEvent(await this.call(() => this.client.rest.patch(Routes.guildScheduledEvent(guildId, eventId), { body })));
  }

  async cancel(guildId: string, eventId: string): Promise<void> {
    const body = { status: STATUS_CODE.canceled };
    await this.call(() => this.client.rest.patch(Routes.guildScheduledEvent(guildId, eventId), { body }));
  }

  async delete(guildId: string, eventId: string): Promise<void> {
    await this.call(() => this.client.rest.delete(Routes.guildScheduledEvent(guildId, eventId)));
  }

  async findByMarker(guildId: string, marker: string): Promise<PlatformEvent[]> {
    const events = await this.call<APIGuildScheduledEvent[]>(() => this.client.rest.get(Routes.guildScheduledEvents(guildId)));
    const line = markerLine(marker);
    return events
      .filter((e) => e.creator_id === this.client.user?.id && (e.description ?? '').split('\n').at(-1) === line)
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
      .map(toPlatformEvent);
  }

  async userCount(guildId: string, eventId: string): Promise<number> {
    const query = new URLSearchParams({ with_user_count: 'true' });
    const event = await this.call<APIGuildScheduledEvent>(() => this.client.rest.get(Routes.guildScheduledEvent(guildId, eventId), { query }));
    return event.user_count ?? 0;
  }

  /** The one post that pings: this role, and nothing else (allowedMentions roles: [roleId]). */
  async remind(channelId: string, roleId: string, text: string): Promise<void> {
    const body = { content: `<@&${roleId}> ${text}`, allowed_mentions: { parse: [], roles: [roleId] } };
    await this.call(() => this.client.rest.post(Routes.channelMessages(channelId), { body }));
  }
}

/** What /chat setup says when the bot may not make the events a series wants. */
export const EVENTS_OFF_NOTE =
  'Scheduled Events: off for now. The bot lacks the Create Events (or Manage Events) permission, so the chat runs without an event per session; grant it (or re-invite with `emcee invite-url --events`) and the next planned session gets its event.';

/** EVENTS_OFF_NOTE when the series wants events the bot may not make, else null. */
export function eventsNote(guild: { members: { me: { permissions: { any(bits: bigint): boolean } } | null } } | null, wanted: boolean): string | null {
  const me = guild?.members.me;
  return !wanted || !me || me.permissions.any(EVENT_PERMISSIONS) ? null : EVENTS_OFF_NOTE;
}
