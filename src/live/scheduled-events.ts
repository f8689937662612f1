import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.ts';
import type { Series } from '../domain/series.ts';
import type { SeriesSettings } from '../domain/settings.ts';
import { ownsGuild, type ShardSet } from '../domain/shard.ts';
import type { Logger } from '../logger.ts';
import { isScheduledEventError, type NewPlatformEvent, type PlatformEvent, type ScheduledEventsPlatform } from '../platform/types.ts';
import type { SessionEvent, SessionEventState, StorePort } from '../store/port.ts';
import type { Prompt } from '../store/prompts.ts';
import type { Session } from '../store/sessions.ts';
import type { Timers } from './timers.ts';

/**
 * A Scheduled Event for every session (issue 14): the guild event that announces a planned
 * session, kept in step with it. Created when a session is planned (the planner, or a
 * session set up to start later); its end follows the timetable (extend, pause/resume, end
 * move the close); cancel cancels it; it goes ACTIVE when the session starts and COMPLETED
 * when it closes. The "Interested" count is read at start and at close, for the recap.
 *
 * Restart-safe like prompts: the record and its marker are written before the create
 * request (state 'creating'); a record found still 'creating' (the process died, or the
 * answer was lost) is looked up by its marker on the platform first, and only created
 * again when nothing carries it; extra events with the marker (a create answered twice)
 * are deleted. Every step compares the record with the session, so running it again
 * changes nothing.
 *
 * Never in the way of the chat: work runs after the engine's, in the background, one
 * session at a time; a failure is logged and retried on the next minute tick, and a guild
 * where the bot may not manage events (no Manage Events) is skipped without a request.
 */

/** The reminder (reminderRoleId) goes out this long before the start. */
export const REMINDER_BEFORE_MS = 5 * 60_000;
/** How often open events are compared with their sessions (a session re-planned or cancelled by /chat setup or the CLI). */
const RECONCILE_EVERY_MS = 60_000;
/** A failed step is tried again this much later. */
const RETRY_AFTER_MS = 60_000;
/** Discord's limits on an event's texts. */
const NAME_MAX = 100;
/** Discord allows 1000; the platform adds the marker line. */
const DESCRIPTION_MAX = 900;

type Desired = 'scheduled' | 'active' | 'completed' | 'canceled' | null;

/** Mentions shown as text: nothing in an event's texts or a reminder can ping anyone. */
export function noPings(text: string): string {
  return text.replace(/@(everyone|here)/g, '@\u200b$1').replace(/<@/g, '<@\u200b');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function desiredState(session: Session, record: SessionEvent | null): Desired {
  switch (session.state) {
    case 'planned': return 'scheduled';
    case 'running':
    case 'paused': return 'active';
    case 'ended': return 'completed';
    // Discord cancels only a scheduled event: one that was live completes.
    case 'cancelled': return record?.state === 'active' ? 'completed' : 'canceled';
    default: return null;
  }
}

export interface EventKeeperDeps {
  store: StorePort;
  events: ScheduledEventsPlatform;
  clock: Clock;
  log: Logger;
  /** Wakes the keeper for the next reminder. */
  timers: Timers;
  owns?: ShardSet | null;
}

interface Upcoming {
  channelId: string;
  roleId: string;
  startsAt: number;
  tag: string;
}

export class ScheduledEventKeeper {
  private readonly dirty = new Set<number>();
  /** Sessions whose event failed to come in step, and when to try again. */
  private readonly retry = new Map<number, number>();
  private readonly upcoming = new Map<number, Upcoming>();
  private readonly warnedGuilds = new Set<string>();
  private running: Promise<void> | null = null;
  private stopped = false;
  private timer: { handle: unknown; at: number } | null = null;
  private reconcileDue = false;
  private lastReconcile = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: EventKeeperDeps) {}

  /** A session changed (planned, controlled, started, ended): bring its event in step, in the background. */
  touch(...sessionIds: number[]): void {
    if (this.stopped) return;
    for (const id of sessionIds) this.dirty.add(id);
    if (this.dirty.size > 0 || this.reconcileDue) {
      this.running ??= this.drain().finally(() => {
        this.running = null;
        this.touch(); // touched after the drain's last look: drained now, not at the next tick
      });
    }
  }

  /**
   * A session started or ended (the engine): in step, unless its guild is one where the bot may
   * not manage events (nothing could be done there; no read either, at the top of the hour).
   */
  touchSession(session: Session): void {
    if (session.guildId && !this.deps.events.available(session.guildId)) return;
    this.touch(session.id);
  }

  /** Every session not over and every event not finished: at start-up (the reconcile after a restart). */
  async sweep(): Promise<void> {
    const { store, owns } = this.deps;
    const sessions = await store.sessions.listActive(owns);
    const open = (await store.scheduledEvents.listOpen()).filter((e) => ownsGuild(owns, e.guildId));
    this.touch(...sessions.map((s) => s.id), ...open.map((e) => e.sessionId));
  }

  /** Each engine cycle and minute tick: failed sessions again (a minute later), and reminders that are due. */
  tick(): void {
    const now = this.deps.clock.now().getTime();
    for (const [id, at] of this.retry) {
      if (now < at) continue;
      this.retry.delete(id);
      this.touch(id);
    }
    for (const [id, u] of this.upcoming) if (now >= u.startsAt - REMINDER_BEFORE_MS) this.touch(id);
    if (now - this.lastReconcile >= RECONCILE_EVERY_MS) {
      this.lastReconcile = now;
      this.reconcileDue = true;
      this.touch();
    }
  }

  /**
   * Open events against their sessions, two reads whatever their number: a session no longer
   * active (cancelled, ended), a planned one whose start moved, or a record left 'creating'
   * (its lookup by marker) is brought in step.
   */
  private async reconcile(): Promise<void> {
    const { store, owns } = this.deps;
    const open = (await store.scheduledEvents.listOpen()).filter((e) => ownsGuild(owns, e.guildId));
    if (open.length === 0) return;
    const active = new Map((await store.sessions.listActive(owns)).map((s) => [s.id, s]));
    for (const e of open) {
      const s = active.get(e.sessionId);
      if (!s || e.state === 'creating' || (s.state === 'planned' && s.startsAt.getTime() !== e.startsAt?.getTime())) this.dirty.add(e.sessionId);
    }
  }

  /** A timer for the earliest reminder to come. */
  private armReminder(): void {
    const next = Math.min(...[...this.upcoming.values()].map((u) => u.startsAt - REMINDER_BEFORE_MS));
    if (!Number.isFinite(next) || this.stopped || (this.timer && this.timer.at <= next)) return;
    if (this.timer) this.deps.timers.clearTimeout(this.timer.handle);
    const handle = this.deps.timers.setTimeout(() => {
      this.timer = null;
      this.tick();
      this.armReminder();
    }, Math.max(0, next - this.deps.clock.now().getTime()));
    this.timer = { handle, at: next };
  }

  /** Resolves once the work asked for so far is done (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
    this.dirty.clear();
    if (this.timer) this.deps.timers.clearTimeout(this.timer.handle);
    this.timer = null;
  }

  private async drain(): Promise<void> {
    if (this.reconcileDue) {
      this.reconcileDue = false;
      await this.reconcile().catch((err: unknown) => this.deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'scheduled events: reconcile failed'));
    }
    while (this.dirty.size > 0 && !this.stopped) {
      const [id] = this.dirty;
      this.dirty.delete(id!);
      try {
        await this.sync(id!);
      } catch (err) {
        if (this.stopped) return;
        this.retry.set(id!, this.deps.clock.now().getTime() + RETRY_AFTER_MS);
        this.deps.log.warn({ sessionId: id, err: err instanceof Error ? err.message : String(err) }, 'scheduled event: not in step yet; will try again');
      }
    }
  }

  private async sync(sessionId: number): Promise<void> {
    const { store, events, owns } = this.deps;
    const session = await store.sessions.get(sessionId);
    if (!session || session.source !== 'live' || !session.guildId || !session.channelId || !ownsGuild(owns, session.guildId)) return;
    const series = await store.series.get(session.seriesId);
    if (!series) return;
    await this.remindIfDue(session, series);
    let record = await store.scheduledEvents.get(session.id);
    const desired = desiredState(session, record);
    if (!desired || record?.state === 'unavailable') return;
    if (!record) {
      if (desired !== 'scheduled' || !series.settings.scheduledEvents || session.startsAt <= this.deps.clock.now()) return;
      if (!events.available(session.guildId)) return this.warnUnavailable(session.guildId);
      record = await store.scheduledEvents.begin(session.id, session.guildId, `emcee:${session.id}:${randomUUID().slice(0, 8)}`, this.deps.clock.now());
    }
    if (record.state === 'creating') record = await this.create(session, series, record);
    if (record && record.eventId) await this.keepInStep(session, record, desired);
  }

  /** Finds the event by its marker (an earlier try may have made it), else creates it; records the id. */
  private async create(session: Session, series: Series, record: SessionEvent): Promise<SessionEvent | null> {
    const { store, events, clock, log } = this.deps;
    const found = await events.findByMarker(record.guildId, record.marker);
    let event: PlatformEvent | undefined = found[0];
    for (const extra of found.slice(1)) {
      await events.delete(record.guildId, extra.id);
      log.warn({ sessionId: session.id, eventId: extra.id }, 'scheduled event: a duplicate with the same marker deleted');
    }
    if (event) {
      log.info({ sessionId: session.id, eventId: event.id }, 'scheduled event: found by its marker after an unknown outcome');
    } else {
      if (session.state !== 'planned' || session.startsAt <= clock.now()) {
        return store.scheduledEvents.update(session.id, { state: 'unavailable', detail: 'the session started before its event was made' }, clock.now());
      }
      try {
        event = await events.create(await this.describe(session, series, record.marker));
      } catch (err) {
        if (!isScheduledEventError(err)) throw err; // outcome unknown: stays 'creating', looked up next time
        log.warn({ sessionId: session.id, reason: err.reason, detail: err.detail }, 'scheduled event: not created; the session runs without one');
        return store.scheduledEvents.update(session.id, { state: 'unavailable', detail: `${err.reason}: ${err.detail}` }, clock.now());
      }
      log.info({ sessionId: session.id, eventId: event.id }, 'scheduled event created');
    }
    return store.scheduledEvents.update(session.id, {
      eventId: event.id, state: event.status, startsAt: event.startsAt, endsAt: event.endsAt,
    }, clock.now());
  }

  private async keepInStep(session: Session, record: SessionEvent, desired: NonNullable<Desired>): Promise<void> {
    const { store, events, clock, log } = this.deps;
    const { guildId } = record;
    const eventId = record.eventId!;
    const save = (change: Parameters<StorePort['scheduledEvents']['update']>[1]) => store.scheduledEvents.update(session.id, change, clock.now());
    if (record.state === 'completed' || record.state === 'canceled') return;
    if (desired === 'canceled') {
      await events.cancel(guildId, eventId);
      await save({ state: 'canceled' });
      log.info({ sessionId: session.id, eventId }, 'scheduled event cancelled');
      return;
    }
    let state: SessionEventState = record.state;
    if (state === 'scheduled' && desired !== 'scheduled') {
      await events.setStatus(guildId, eventId, 'active');
      const interested = await events.userCount(guildId, eventId);
      await save({ state: 'active', interestedAtStart: interested });
      state = 'active';
      log.info({ sessionId: session.id, eventId, interested }, 'scheduled event active');
    }
    if (desired === 'completed') {
      const interested = await events.userCount(guildId, eventId);
      await events.setStatus(guildId, eventId, 'completed');
      await save({ state: 'completed', interestedAtClose: interested });
      log.info({ sessionId: session.id, eventId, interested }, 'scheduled event completed');
      return;
    }
    const endsAt = await this.endOf(session);
    const startsAt = state === 'scheduled' && session.startsAt.getTime() !== record.startsAt?.getTime() ? session.startsAt : undefined;
    if (endsAt && (endsAt.getTime() !== record.endsAt?.getTime() || startsAt)) {
      const event = await events.update(guildId, eventId, { endsAt, ...(startsAt ? { startsAt } : {}) });
      await save({ startsAt: event.startsAt, endsAt: event.endsAt });
      log.info({ sessionId: session.id, eventId, endsAt }, 'scheduled event moved with the timetable');
    }
  }

  /** When the session closes: its close prompt's time (after the start, as Discord requires). */
  private async endOf(session: Session, prompts?: Prompt[]): Promise<Date | null> {
    const all = prompts ?? (await this.deps.store.prompts.listBySession(session.id));
    const close = all.filter((p) => p.kind === 'close').at(-1) ?? all.at(-1);
    if (!close) return null;
    return new Date(Math.max(close.plannedAt.getTime(), session.startsAt.getTime() + 60_000));
  }

  /** The event as the session's timetable and series describe it: texts clipped to Discord's limits, no pings. */
  private async describe(session: Session, series: Series, marker: string): Promise<NewPlatformEvent> {
    const { store } = this.deps;
    const prompts = await store.prompts.listBySession(session.id);
    const set = session.questionSetId === null ? null : await store.bank.get(session.questionSetId);
    const topic = set?.title ?? null;
    const name = clip(noPings(topic ? `${series.tag}: ${topic}` : series.tag), NAME_MAX);
    const description = clip(noPings(descriptionOf(series.settings, series.tag, topic, prompts, session.channelId!)), DESCRIPTION_MAX);
    const place = series.settings.eventChannelId
      ? { channelId: series.settings.eventChannelId }
      : { location: `https://discord.com/channels/${session.guildId}/${session.channelId}` };
    return { guildId: session.guildId!, name, description, startsAt: session.startsAt, endsAt: (await this.endOf(session, prompts))!, place, marker };
  }

  /** One post pinging the series' reminder role, shortly before the start (once: the control log says it went). */
  private async remindIfDue(session: Session, series: Series): Promise<void> {
    const roleId = series.settings.reminderRoleId;
    const { store, events, clock, log } = this.deps;
    if (!roleId || session.state !== 'planned') {
      this.upcoming.delete(session.id);
      return;
    }
    const now = clock.now();
    const startsAt = session.startsAt.getTime();
    if (now.getTime() < startsAt - REMINDER_BEFORE_MS) {
      this.upcoming.set(session.id, { channelId: session.channelId!, roleId, startsAt, tag: series.tag });
      this.armReminder();
      return;
    }
    this.upcoming.delete(session.id);
    if (now.getTime() >= startsAt) return;
    if ((await store.controls.list(session.id)).some((c) => c.action === 'reminder')) return;
    // Recorded first: a ping is better missed once than sent twice.
    await store.controls.record(session.id, 'reminder', 'emcee', now, { roleId });
    await events.remind(session.channelId!, roleId, noPings(`${series.tag} starts in ${Math.max(1, Math.round((startsAt - now.getTime()) / 60_000))} minutes.`));
    log.info({ sessionId: session.id, roleId }, 'reminder posted');
  }

  private warnUnavailable(guildId: string): void {
    if (this.warnedGuilds.has(guildId)) return;
    this.warnedGuilds.add(guildId);
    this.deps.log.warn({ guildId }, 'scheduled events: the bot may not manage events in this server (Manage Events); sessions there run without them');
  }
}

/** The evening's questions when the series shows a preview; else the topic and how to take part. */
export function descriptionOf(settings: SeriesSettings, tag: string, topic: string | null, prompts: readonly Prompt[], channelId: string): string {
  const where = `Join in <#${channelId}>: questions come as Q1, Q2, …; answer with A1:, A2: … or reply to the question, and share a takeaway with TA: at the end.`;
  if (settings.previewMinutesBefore !== null) {
    const questions = prompts.filter((p) => p.kind === 'question').map((p) => p.text);
    if (questions.length > 0) return `Tonight's questions:\n${questions.join('\n')}\n\n${where}`;
  }
  return `${topic ?? tag}\n\n${where}`;
}
