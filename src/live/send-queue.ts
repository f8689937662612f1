import type { PromptKind } from '../domain/timetable.ts';
import type { Prompt } from '../store/prompts.ts';

/**
 * Who posts next when many sessions have prompts due at once (the top of the hour): the
 * engine takes a slot here before each prompt's requests (its claim, any lookup, its post)
 * and gives it back after. Discord's REST queue (@discordjs/rest) paces the requests
 * themselves to the global limit and each channel's bucket; this only decides the order in
 * which prompts are handed to it, and keeps few enough in its hands (`slots`) that the
 * order holds: questions first, then the other prompts of a session (welcome, guidelines,
 * outro, close), heads-ups and previews last; within a rank, guilds take turns (round
 * robin), so no guild waits behind another's backlog. A waiter's rank may improve at a
 * known time (`later`: a session waiting with a heads-up whose question falls due), and it
 * moves up when that time comes.
 */
export type SendRank = 0 | 1 | 2;

/** A prompt's rank: questions 0, heads-ups and previews 2, the rest 1. */
export function sendRank(kind: PromptKind): SendRank {
  if (kind === 'question') return 0;
  if (kind === 'heads_up' || kind === 'preview') return 2;
  return 1;
}

/**
 * A session's turn in the SendQueue ranks as the best prompt it has due (a heads-up whose
 * question is due goes, to be skipped, as fast as the question), and rises when a better
 * one falls due while it waits.
 */
export function turnRank(rest: readonly Pick<Prompt, 'kind' | 'plannedAt'>[], now: Date): [SendRank, { at: number; rank: SendRank } | null] {
  let rank: SendRank = 2;
  let later: { at: number; rank: SendRank } | null = null;
  for (const p of rest) {
    const r = sendRank(p.kind);
    if (p.plannedAt <= now) rank = Math.min(rank, r) as SendRank;
    else if (!later || r < later.rank) later = { at: p.plannedAt.getTime(), rank: r };
  }
  return [rank, later && later.rank < rank ? later : null];
}

/**
 * Prompts being worked on at once (claim, post, records). Enough to keep Discord's global
 * 50 requests/s busy at a round trip of up to ~1 s; the Discord adapter's pacer (src/discord/
 * pacer.ts) serves those waiting for a request questions first as well, so a question due
 * now waits only for the requests already sent.
 */
export const SEND_SLOTS = 48;

interface Waiter {
  guild: string;
  rank: SendRank;
  later: { at: number; rank: SendRank } | null;
  grant: () => void;
}

export class SendQueue {
  private free: number;
  private queued = 0;
  /** Waiting, by rank, then by guild in turn order (a Map keeps insertion order). */
  private readonly waiting: Map<string, Waiter[]>[] = [new Map(), new Map(), new Map()];
  /** Waiters whose rank improves at a known time. */
  private rising: Waiter[] = [];

  constructor(
    /** The clock's milliseconds (the engine's clock). */
    private readonly now: () => number,
    readonly slots: number = SEND_SLOTS,
  ) {
    if (!(slots >= 1)) throw new Error('slots must be at least 1');
    this.free = slots;
  }

  /** Waits for a slot; resolves with the function that gives it back (call it once). */
  acquire(rank: SendRank, guild: string, later: { at: number; rank: SendRank } | null = null): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => resolve(this.releaser());
      if (this.free > 0 && this.queued === 0) {
        this.free--;
        grant();
        return;
      }
      const waiter: Waiter = { guild, rank, later: later && later.rank < rank ? later : null, grant };
      this.enqueue(waiter);
      this.queued++;
      if (waiter.later) this.rising.push(waiter);
      this.dispatch();
    });
  }

  /** Prompts waiting for a slot. */
  size(): number {
    return this.queued;
  }

  private enqueue(waiter: Waiter): void {
    const byGuild = this.waiting[waiter.rank]!;
    const queue = byGuild.get(waiter.guild);
    if (queue) queue.push(waiter);
    else byGuild.set(waiter.guild, [waiter]);
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.free++;
      this.dispatch();
    };
  }

  private dispatch(): void {
    if (this.free > 0 && this.rising.length > 0) this.promote();
    while (this.free > 0) {
      const next = this.next();
      if (!next) return;
      this.free--;
      this.queued--;
      next.grant();
    }
  }

  /** Moves the waiters whose better rank has come to it (at the back of their guild's turn). */
  private promote(): void {
    const now = this.now();
    const still: Waiter[] = [];
    for (const w of this.rising) {
      if (w.later!.at > now) {
        still.push(w);
        continue;
      }
      const byGuild = this.waiting[w.rank]!;
      const queue = byGuild.get(w.guild)!;
      queue.splice(queue.indexOf(w), 1);
      if (queue.length === 0) byGuild.delete(w.guild);
      w.rank = w.later!.rank;
      w.later = null;
      this.enqueue(w);
    }
    this.rising = still;
  }

  /** The first guild in turn at the best rank waiting; that guild goes to the back of its turn. */
  private next(): Waiter | undefined {
    for (const byGuild of this.waiting) {
      const first = byGuild.entries().next();
      if (first.done) continue;
      const [guild, queue] = first.value;
      const waiter = queue.shift()!;
      byGuild.delete(guild);
      if (queue.length > 0) byGuild.set(guild, queue);
      if (waiter.later) this.rising.splice(this.rising.indexOf(waiter), 1);
      return waiter;
    }
    return undefined;
  }
}
