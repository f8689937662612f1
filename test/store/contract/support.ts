/** What the parts of the repository contract (../contract.ts) share: the clock's start, the target, the context and small helpers. */
import type { ManualClock } from '../../../src/domain/clock.ts';
import type { NewMessage, StorePort } from '../../../src/store/port.ts';

export const T0 = new Date('2026-11-23T23:30:00Z');

export interface ContractTarget {
  /** A new, empty store with the schema up to date, reading time from clock. */
  open(clock: ManualClock): Promise<StorePort>;
  /** Opens the same database again (a restart): optional, for backends with a lasting file. */
  reopen?(store: StorePort, clock: ManualClock): Promise<StorePort>;
  /** Another store on the same database, open beside store (a second process): optional, for backends that share one. */
  second?(store: StorePort, clock: ManualClock): Promise<StorePort>;
}

/** What describeStoreContract hands each part. */
export interface ContractContext {
  target: ContractTarget;
  /** A new store on a new clock at T0; closed after the test. */
  open(): Promise<StorePort>;
  /** The clock of the store opened last. */
  readonly clock: ManualClock;
  /** Stores to close after the test. */
  opened: StorePort[];
}

export const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

export function message(sessionId: number, platformId: string, text: string, extra: Partial<NewMessage> = {}): NewMessage {
  return {
    sessionId, platformId, text, channelId: 'c1', threadId: null, authorId: 'u1', authorName: 'kyle', isModerator: false,
    postedAt: T0, replyToId: null, inReplyTo: [], quote: null, archiveIndex: null, ...extra,
  };
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export const liveSession = async (store: StorePort, extra: { channelId?: string; startsAt?: Date; state?: 'planned' | 'running' } = {}) => {
  const series = await store.series.findOrCreateForArchive('#BadgeChat');
  return store.sessions.create({ seriesId: series.id, questionSetId: null, state: extra.state ?? 'running', startsAt: extra.startsAt ?? T0, source: 'live', channelId: extra.channelId ?? 'c1' });
};
