import type { PromptKind } from '../domain/timetable.ts';
import type { RequestGate, Rising, SendRank, SendTurn, SendTurns } from '../platform/types.ts';
import type { Prompt } from '../store/prompts.ts';

export type { Rising, SendRank, SendTurn } from '../platform/types.ts';

/**
 * Who sends next when many sessions have prompts due at once (the top of the hour): the one
 * queue of requests. Questions first, then the other prompts of a session (welcome,
 * guidelines, outro, close), heads-ups and previews last; within a rank, keys (guilds) take
 * turns (round robin), so no guild waits behind another's backlog. A waiter's rank may
 * improve at a known time (`later`: a session waiting with a heads-up whose question falls
 * due), and it moves up when that time comes.
 *
 * Paced (a RequestGate: the Discord adapter's pacer, below Discord's global limit): the
 * queue asks the gate for the next free request slot while anyone waits, and only when the
 * slot is free decides who gets it. So a question that falls due while heads-ups wait goes
 * next, behind only the requests already sent: nothing is handed on early to rank again
 * elsewhere. A turn is one request (the engine claims its prompt, then posts on it); more
 * requests of the same holder (a thread, a lookup's pages) wait again, before any new turn
 * (what is under way finishes first), and a grant no request used goes back to the gate.
 * At most `cap` turns are out at once: when the platform stalls, requests do not pile up
 * in flight to arrive all at once (and be refused for the global limit) when it answers.
 *
 * Unpaced (a number of slots: the in-memory platform, tests): a turn holds one of `slots`
 * from its grant until it is released, in the same order.
 */
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
export function turnRank(rest: readonly Pick<Prompt, 'kind' | 'plannedAt'>[], now: Date): [SendRank, Rising | null] {
  let rank: SendRank = 2;
  let later: Rising | null = null;
  for (const p of rest) {
    const r = sendRank(p.kind);
    if (p.plannedAt <= now) rank = Math.min(rank, r) as SendRank;
    else if (!later || r < later.rank) later = { at: p.plannedAt.getTime(), rank: r };
  }
  return [rank, later && later.rank < rank ? later : null];
}

/** Turns held at once: unpaced, the slots; paced, the cap on turns out (~1 s of requests at 49/s). */
export const SEND_SLOTS = 48;

interface Waiter {
  key: string;
  rank: SendRank;
  later: Rising | null;
  grant: () => void;
}

export class SendQueue implements SendTurns {
  private readonly gate: RequestGate | null;
  private free: number;
  private queued = 0;
  /** Asking the gate for a slot (one ask at a time). */
  private asking = false;
  /** Paced: turns granted and not yet released. */
  private out = 0;
  /** Paced: further requests of turns already out, first come first served. */
  private readonly held: (() => void)[] = [];
  /** Waiting, by rank, then by key in turn order (a Map keeps insertion order). */
  private readonly waiting: Map<string, Waiter[]>[] = [new Map(), new Map(), new Map()];
  /** Waiters whose rank improves at a known time. */
  private rising: Waiter[] = [];

  constructor(
    /** The clock's milliseconds (the engine's clock), for rising ranks. */
    private readonly now: () => number,
    /** A RequestGate (paced), or how many turns may be out at once (unpaced). */
    pacing: RequestGate | number = SEND_SLOTS,
    /** Paced: how many turns may be out at once. */
    private readonly cap: number = SEND_SLOTS,
  ) {
    this.gate = typeof pacing === 'number' ? null : pacing;
    this.free = typeof pacing === 'number' ? pacing : 0;
    if (typeof pacing === 'number' && !(pacing >= 1)) throw new Error('slots must be at least 1');
  }

  /** Waits for a turn; resolves when it is this waiter's (paced: when its request may go). */
  acquire(rank: SendRank, key: string, later: Rising | null = null): Promise<SendTurn> {
    return new Promise((resolve) => {
      const grant = () => resolve(new Turn(this));
      if (!this.gate && this.free > 0 && this.queued === 0) {
        this.free--;
        grant();
        return;
      }
      this.wait(rank, key, later, grant);
    });
  }

  async take(rank: SendRank, key: string): Promise<void> {
    const turn = await this.acquire(rank, key);
    await turn.request();
    turn.release();
  }

  /** Requests waiting for a turn. */
  size(): number {
    return this.queued + this.held.length;
  }

  /** @internal Paced: a turn out asks for one more request. */
  again(grant: () => void): void {
    this.held.push(grant);
    this.dispatch();
  }

  private wait(rank: SendRank, key: string, later: Rising | null, grant: () => void): void {
    const waiter: Waiter = { key, rank, later: later && later.rank < rank ? later : null, grant };
    this.enqueue(waiter);
    this.queued++;
    if (waiter.later) this.rising.push(waiter);
    this.dispatch();
  }

  get paced(): boolean {
    return this.gate !== null;
  }

  /** @internal A turn is over: an unpaced slot comes back; a paced grant nobody used goes back to the gate. */
  done(unused: boolean): void {
    if (this.gate) {
      this.out--;
      if (unused) this.gate.unused();
      this.dispatch();
      return;
    }
    this.free++;
    this.dispatch();
  }

  private enqueue(waiter: Waiter): void {
    const byKey = this.waiting[waiter.rank]!;
    const queue = byKey.get(waiter.key);
    if (queue) queue.push(waiter);
    else byKey.set(waiter.key, [waiter]);
  }

  private dispatch(): void {
    if (this.gate) {
      this.ask(this.gate);
      return;
    }
    if (this.free > 0 && this.rising.length > 0) this.promote();
    while (this.free > 0) {
      const next = this.next();
      if (!next) return;
      this.free--;
      next.grant();
    }
  }

  /** Paced: while anyone waits, asks the gate for the next slot and gives it to whoever is first then. */
  private ask(gate: RequestGate): void {
    if (this.asking || !this.mayGrant()) return;
    this.asking = true;
    void gate.next().then(() => {
      this.asking = false;
      const again = this.held.shift();
      if (again) again();
      else {
        if (this.rising.length > 0) this.promote();
        const next = this.mayGrant() ? this.next() : undefined;
        if (next) {
          this.out++;
          next.grant();
        } else gate.unused();
      }
      this.ask(gate);
    });
  }

  private mayGrant(): boolean {
    return this.held.length > 0 || (this.queued > 0 && this.out < this.cap);
  }

  /** Moves the waiters whose better rank has come to it (at the back of their key's turn). */
  private promote(): void {
    const now = this.now();
    const still: Waiter[] = [];
    for (const w of this.rising) {
      if (w.later!.at > now) {
        still.push(w);
        continue;
      }
      const byKey = this.waiting[w.rank]!;
      const queue = byKey.get(w.key)!;
      queue.splice(queue.indexOf(w), 1);
      if (queue.length === 0) byKey.delete(w.key);
      w.rank = w.later!.rank;
      w.later = null;
      this.enqueue(w);
    }
    this.rising = still;
  }

  /** The first key in turn at the best rank waiting; that key goes to the back of its turn. */
  private next(): Waiter | undefined {
    for (const byKey of this.waiting) {
      const first = byKey.entries().next();
      if (first.done) continue;
      const [key, queue] = first.value;
      const waiter = queue.shift()!;
      byKey.delete(key);
      if (queue.length > 0) byKey.set(key, queue);
      if (waiter.later) this.rising.splice(this.rising.indexOf(waiter), 1);
      this.queued--;
      return waiter;
    }
    return undefined;
  }
}

/** A granted turn (see SendTurn). */
class Turn implements SendTurn {
  private fresh = true;
  private over = false;

  constructor(private readonly queue: SendQueue) {}

  get unused(): boolean {
    return this.fresh;
  }

  request(): Promise<void> {
    if (this.fresh || !this.queue.paced) {
      this.fresh = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.again(resolve));
  }

  release(): void {
    if (this.over) return;
    this.over = true;
    this.queue.done(this.fresh);
    this.fresh = false;
  }
}
