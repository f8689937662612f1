/**
 * Guild scheduled events as Discord has them (https://discord.com/developers/docs/resources/guild-scheduled-event):
 * create, list (with_user_count), get, modify (status SCHEDULED -> ACTIVE -> COMPLETED, or
 * SCHEDULED -> CANCELED), delete and the interested users. Validated like Discord: name 1-100,
 * description at most 1000, EXTERNAL needs entity_metadata.location (at most 100) and
 * scheduled_end_time, STAGE_INSTANCE and VOICE need channel_id, a start in the past is refused,
 * at most 100 active (scheduled or active) events per guild (30038), Manage Events or Create
 * Events needed (50013). Every change is dispatched (GUILD_SCHEDULED_EVENT_*, intent
 * GuildScheduledEvents).
 */
import type { APIGuildScheduledEvent, APIUser } from 'discord-api-types/v10';
import {
  GatewayDispatchEvents as E,
  GuildScheduledEventEntityType as Entity,
  GuildScheduledEventPrivacyLevel,
  GuildScheduledEventStatus as Status,
  PermissionFlagsBits,
} from 'discord-api-types/v10';
import type { Directory } from './directory.ts';
import { ApiError, formError } from './errors.ts';
import { clone } from './model.ts';

/** Discord's cap on a guild's scheduled or active events. */
export const MAX_ACTIVE_SCHEDULED_EVENTS = 100;

/** The event as the sandbox keeps it (exceptions always empty: no recurrence here). */
export type SandboxScheduledEvent = APIGuildScheduledEvent & { guild_scheduled_event_exceptions: never[] };

interface EventRecord {
  event: SandboxScheduledEvent;
  interested: string[];
}

/** What a status may become (Discord: SCHEDULED -> ACTIVE | CANCELED, ACTIVE -> COMPLETED). */
const TRANSITIONS: Record<number, readonly number[]> = {
  [Status.Scheduled]: [Status.Scheduled, Status.Active, Status.Canceled],
  [Status.Active]: [Status.Active, Status.Completed],
  [Status.Completed]: [],
  [Status.Canceled]: [],
};

function stringField(body: Record<string, unknown>, field: string, min: number, max: number): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length < min || value.length > max) {
    throw formError(field, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
  }
  return value;
}

function timeField(body: Record<string, unknown>, field: string): number {
  const value = body[field];
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw formError(field, 'DATE_TIME_TYPE_CONVERT', 'Could not interpret value as a date-time.');
  return ms;
}

export class ScheduledEvents {
  private readonly events = new Map<string, EventRecord>();
  /** Creates to answer as if the response were lost: 1 = the next create. */
  private readonly lostCreates = new Set<number>();
  private creates = 0;

  constructor(private readonly dir: Directory) {}

  private checkPermission(): void {
    const bits = this.dir.permissionsOf(this.dir.botUser.id);
    if ((bits & (PermissionFlagsBits.ManageEvents | PermissionFlagsBits.CreateEvents)) === 0n) {
      throw new ApiError(403, 50013, 'Missing Permissions');
    }
  }

  private require(guildId: string, eventId: string): EventRecord {
    const record = this.events.get(eventId);
    if (!record || record.event.guild_id !== guildId) throw new ApiError(404, 10070, 'Unknown Guild Scheduled Event');
    return record;
  }

  private view(record: EventRecord, withCount: boolean): SandboxScheduledEvent {
    const event = clone(record.event);
    if (withCount) event.user_count = record.interested.length;
    return event;
  }

  /** Checks entity type, channel and location of the event as it would be after the change. */
  private checkPlace(guildId: string, event: SandboxScheduledEvent): void {
    if (event.entity_type === Entity.External) {
      const location = event.entity_metadata?.location;
      if (typeof location !== 'string' || location.length < 1 || location.length > 100) {
        throw formError('entity_metadata.location', 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
      }
      if (!event.scheduled_end_time) throw formError('scheduled_end_time', 'BASE_TYPE_REQUIRED', 'This field is required');
      if (event.channel_id) throw formError('channel_id', 'GUILD_SCHEDULED_EVENT_CHANNEL_NOT_ALLOWED', 'An external event cannot have a channel.');
    } else if (event.entity_type === Entity.StageInstance || event.entity_type === Entity.Voice) {
      if (!event.channel_id) throw formError('channel_id', 'BASE_TYPE_REQUIRED', 'This field is required');
      if (this.dir.guildOf(event.channel_id) !== guildId || !this.dir.channels.has(event.channel_id)) {
        throw new ApiError(404, 10003, 'Unknown Channel');
      }
    } else {
      throw formError('entity_type', 'BASE_TYPE_CHOICES', 'Value must be one of (1, 2, 3).');
    }
    const start = Date.parse(event.scheduled_start_time);
    if (event.scheduled_end_time && Date.parse(event.scheduled_end_time) <= start) {
      throw formError('scheduled_end_time', 'GUILD_SCHEDULED_EVENT_END_BEFORE_START', 'The end time must be after the start time.');
    }
  }

  private applyText(event: SandboxScheduledEvent, body: Record<string, unknown>): void {
    if (body.name !== undefined) event.name = stringField(body, 'name', 1, 100);
    if (body.description !== undefined) event.description = body.description === null ? null : stringField(body, 'description', 0, 1000);
  }

  private applyPlace(event: SandboxScheduledEvent, body: Record<string, unknown>): void {
    if (body.entity_type !== undefined && body.entity_type !== null) event.entity_type = body.entity_type as Entity;
    if (body.channel_id !== undefined) event.channel_id = (body.channel_id as string | null) ?? null;
    if (body.entity_metadata !== undefined) event.entity_metadata = (body.entity_metadata as { location: string } | null) ?? null;
    if (event.entity_type === Entity.External) event.channel_id = event.channel_id ?? null;
  }

  private activeIn(guildId: string): number {
    let n = 0;
    for (const { event } of this.events.values()) {
      if (event.guild_id === guildId && (event.status === Status.Scheduled || event.status === Status.Active)) n++;
    }
    return n;
  }

  /** POST /guilds/{guild_id}/scheduled-events. `lost`: the event is made but the response is lost. */
  create(guildId: string, body: Record<string, unknown>): { event: SandboxScheduledEvent; lost: boolean } {
    this.checkPermission();
    const name = stringField(body, 'name', 1, 100);
    const start = timeField(body, 'scheduled_start_time');
    if (start < this.dir.nowMs()) throw formError('scheduled_start_time', 'GUILD_SCHEDULED_EVENT_SCHEDULE_PAST', 'Cannot schedule event in the past.');
    const end = body.scheduled_end_time === undefined || body.scheduled_end_time === null ? null : timeField(body, 'scheduled_end_time');
    if (body.privacy_level !== GuildScheduledEventPrivacyLevel.GuildOnly) {
      throw formError('privacy_level', 'BASE_TYPE_CHOICES', 'Value must be one of (2,).');
    }
    const creator: APIUser = clone(this.dir.botUser);
    const event = {
      id: this.dir.ids.next(),
      guild_id: guildId,
      channel_id: null,
      creator_id: creator.id,
      creator,
      name,
      description: null,
      image: null,
      scheduled_start_time: new Date(start).toISOString(),
      scheduled_end_time: end === null ? null : new Date(end).toISOString(),
      privacy_level: GuildScheduledEventPrivacyLevel.GuildOnly,
      status: Status.Scheduled,
      entity_type: body.entity_type as Entity,
      entity_id: null,
      entity_metadata: null,
      recurrence_rule: null,
      guild_scheduled_event_exceptions: [],
    } as unknown as SandboxScheduledEvent;
    this.applyText(event, body);
    this.applyPlace(event, body);
    this.checkPlace(guildId, event);
    if (this.activeIn(guildId) >= MAX_ACTIVE_SCHEDULED_EVENTS) {
      throw new ApiError(400, 30038, `Maximum number of guild scheduled events reached (${MAX_ACTIVE_SCHEDULED_EVENTS})`);
    }
    const record: EventRecord = { event, interested: [] };
    this.events.set(event.id, record);
    this.dir.dispatch(E.GuildScheduledEventCreate, this.view(record, false));
    const lost = this.lostCreates.delete(++this.creates);
    return { event: this.view(record, false), lost };
  }

  /** GET /guilds/{guild_id}/scheduled-events */
  list(guildId: string, withUserCount: boolean): SandboxScheduledEvent[] {
    return [...this.events.values()].filter((r) => r.event.guild_id === guildId).map((r) => this.view(r, withUserCount));
  }

  /** GET /guilds/{guild_id}/scheduled-events/{id} */
  get(guildId: string, eventId: string, withUserCount: boolean): SandboxScheduledEvent {
    return this.view(this.require(guildId, eventId), withUserCount);
  }

  /** PATCH /guilds/{guild_id}/scheduled-events/{id} */
  modify(guildId: string, eventId: string, body: Record<string, unknown>): SandboxScheduledEvent {
    this.checkPermission();
    const record = this.require(guildId, eventId);
    const current = record.event;
    if (current.status === Status.Completed || current.status === Status.Canceled) {
      throw new ApiError(400, 180000, 'Cannot update a finished event');
    }
    const next = clone(current);
    this.applyText(next, body);
    this.applyPlace(next, body);
    if (body.scheduled_start_time !== undefined) {
      const start = timeField(body, 'scheduled_start_time');
      if (current.status !== Status.Scheduled) throw formError('scheduled_start_time', 'GUILD_SCHEDULED_EVENT_ALREADY_STARTED', 'Cannot change the start of an event that has started.');
      if (start < this.dir.nowMs()) throw formError('scheduled_start_time', 'GUILD_SCHEDULED_EVENT_SCHEDULE_PAST', 'Cannot schedule event in the past.');
      next.scheduled_start_time = new Date(start).toISOString();
    }
    if (body.scheduled_end_time !== undefined) {
      next.scheduled_end_time = body.scheduled_end_time === null ? null : new Date(timeField(body, 'scheduled_end_time')).toISOString();
    }
    if (body.status !== undefined && body.status !== null) {
      const status = body.status as Status;
      if (!TRANSITIONS[current.status]?.includes(status)) {
        throw formError('status', 'GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION', `Cannot change status from ${current.status} to ${String(status)}.`);
      }
      next.status = status;
    }
    this.checkPlace(guildId, next);
    record.event = next;
    this.dir.dispatch(E.GuildScheduledEventUpdate, this.view(record, false));
    return this.view(record, false);
  }

  /** DELETE /guilds/{guild_id}/scheduled-events/{id} */
  delete(guildId: string, eventId: string): void {
    this.checkPermission();
    const record = this.require(guildId, eventId);
    this.events.delete(eventId);
    this.dir.dispatch(E.GuildScheduledEventDelete, this.view(record, false));
  }

  /** GET /guilds/{guild_id}/scheduled-events/{id}/users (limit at most 100, users by id). */
  users(guildId: string, eventId: string, query: URLSearchParams): unknown[] {
    const record = this.require(guildId, eventId);
    const limit = Number(query.get('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw formError('limit', 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 100.');
    const withMember = query.get('with_member') === 'true';
    return [...record.interested]
      .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))
      .slice(0, limit)
      .map((userId) => ({
        guild_scheduled_event_id: eventId,
        user_id: userId,
        user: this.dir.user(userId),
        ...(withMember ? { member: this.dir.memberPayload(userId) } : {}),
        response: 1,
      }));
  }

  // ---------------------------------------------------------------- control API

  /** Users click "Interested": user_count moves; GUILD_SCHEDULED_EVENT_USER_ADD is dispatched. */
  markInterested(eventId: string, userIds: string[]): void {
    const record = this.events.get(eventId);
    if (!record) throw new Error(`sandbox has no scheduled event ${eventId}`);
    for (const userId of userIds) {
      this.dir.requireMember(userId);
      if (record.interested.includes(userId)) continue;
      record.interested.push(userId);
      this.dir.dispatch(E.GuildScheduledEventUserAdd, { guild_scheduled_event_id: eventId, user_id: userId, guild_id: record.event.guild_id });
    }
  }

  /** Every event of a guild (current state, with user_count), by id. */
  inGuild(guildId: string): SandboxScheduledEvent[] {
    return this.list(guildId, true);
  }

  /** The nth create from now (1: the next) is carried out, and its response lost. */
  loseCreateResponse(nth = 1): void {
    this.lostCreates.add(this.creates + nth);
  }
}
