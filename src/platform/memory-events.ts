/** Scheduled events in memory, for MemoryPlatform (tests of src/live without Discord). */
import type { Clock } from '../domain/clock.ts';
import {
  ScheduledEventError, type NewPlatformEvent, type PlatformEvent, type PlatformEventChange, type PlatformEventStatus, type ScheduledEventsPlatform,
} from './scheduled-events.ts';

export interface MemoryEvent extends NewPlatformEvent {
  id: string;
  status: PlatformEventStatus;
  interested: number;
}

const MOVES: Record<PlatformEventStatus, readonly PlatformEventStatus[]> = {
  scheduled: ['active', 'canceled'], active: ['completed'], completed: [], canceled: [],
};

export class MemoryScheduledEvents implements ScheduledEventsPlatform {
  readonly events: MemoryEvent[] = [];
  readonly reminders: { channelId: string; roleId: string; text: string }[] = [];
  /** Guilds where the bot may not manage events. */
  readonly denied = new Set<string>();
  private nextId = 1;
  /** The next create is carried out, then fails as if its answer were lost ('error'), or never answers ('crash': the process died). */
  private loseNext: 'error' | 'crash' | null = null;

  constructor(private readonly clock: Clock) {}

  loseNextCreate(how: 'error' | 'crash' = 'error'): void {
    this.loseNext = how;
  }

  private view(e: MemoryEvent): PlatformEvent {
    return { id: e.id, status: e.status, startsAt: e.startsAt, endsAt: e.endsAt, userCount: e.interested };
  }

  private find(guildId: string, eventId: string): MemoryEvent {
    if (this.denied.has(guildId)) throw new ScheduledEventError('no-permission', 'Missing Permissions');
    const e = this.events.find((x) => x.id === eventId && x.guildId === guildId);
    if (!e) throw new ScheduledEventError('unknown-event', 'Unknown Guild Scheduled Event');
    return e;
  }

  available(guildId: string): boolean {
    return !this.denied.has(guildId);
  }

  async create(event: NewPlatformEvent): Promise<PlatformEvent> {
    if (this.denied.has(event.guildId)) throw new ScheduledEventError('no-permission', 'Missing Permissions');
    if (event.startsAt < this.clock.now()) throw new ScheduledEventError('invalid', 'Cannot schedule event in the past.');
    const made: MemoryEvent = { ...event, id: `ev${this.nextId++}`, status: 'scheduled', interested: 0 };
    this.events.push(made);
    const lost = this.loseNext;
    this.loseNext = null;
    if (lost === 'crash') return new Promise<never>(() => {});
    if (lost === 'error') throw new Error('no answer to the create (simulated)');
    return this.view(made);
  }

  async update(guildId: string, eventId: string, change: PlatformEventChange): Promise<PlatformEvent> {
    const e = this.find(guildId, eventId);
    if (e.status === 'completed' || e.status === 'canceled') throw new ScheduledEventError('invalid', 'Cannot update a finished event');
    Object.assign(e, Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)));
    return this.view(e);
  }

  private move(e: MemoryEvent, status: PlatformEventStatus): void {
    if (!MOVES[e.status].includes(status)) throw new ScheduledEventError('invalid', `cannot go from ${e.status} to ${status}`);
    e.status = status;
  }

  async setStatus(guildId: string, eventId: string, status: 'active' | 'completed'): Promise<PlatformEvent> {
    const e = this.find(guildId, eventId);
    this.move(e, status);
    return this.view(e);
  }

  async cancel(guildId: string, eventId: string): Promise<void> {
    this.move(this.find(guildId, eventId), 'canceled');
  }

  async delete(guildId: string, eventId: string): Promise<void> {
    const e = this.find(guildId, eventId);
    this.events.splice(this.events.indexOf(e), 1);
  }

  async findByMarker(guildId: string, marker: string): Promise<PlatformEvent[]> {
    return this.events.filter((e) => e.guildId === guildId && e.marker === marker).map((e) => this.view(e));
  }

  async userCount(guildId: string, eventId: string): Promise<number> {
    return this.find(guildId, eventId).interested;
  }

  async remind(channelId: string, roleId: string, text: string): Promise<void> {
    this.reminders.push({ channelId, roleId, text });
  }
}
