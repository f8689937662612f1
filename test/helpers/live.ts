import pino from 'pino';
import type { Clock } from '../../src/domain/clock.ts';
import { MemoryPlatform } from '../../src/platform/memory.ts';
import { SessionEngine } from '../../src/live/engine.ts';
import type { Timers } from '../../src/live/timers.ts';
import { SessionControls } from '../../src/live/controls.ts';
import { LiveIngest } from '../../src/live/ingest.ts';
import { openStore, type Store } from '../../src/store/index.ts';

export const silentLog = pino({ level: 'silent' });
export const MINUTE = 60_000;

/** Fake time: a clock and timers that move only when told, firing due timers in order. */
export class FakeTime implements Clock, Timers {
  private ms: number;
  private seq = 0;
  private timers: { id: number; at: number; fn: () => void }[] = [];

  constructor(start: Date) {
    this.ms = start.getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.push({ id, at: this.ms + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Moves to `to`, firing each due timer at its own instant and letting the work settle. */
  async advanceTo(to: Date | number, settle: () => Promise<void>): Promise<void> {
    const target = typeof to === 'number' ? to : to.getTime();
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.ms = Math.max(this.ms, due.at);
      due.fn();
      await settle();
    }
    this.ms = Math.max(this.ms, target);
    await settle();
  }
}

/** One running bot process: store, engine, controls and ingest on a shared database. */
export interface Bot {
  store: Store;
  engine: SessionEngine;
  controls: SessionControls;
  ingest: LiveIngest;
  /** Advances fake time to `to`, letting this bot's engine finish its work at each step. */
  advanceTo(to: Date | number): Promise<void>;
  stop(): void;
}

/**
 * A bot over the world's store; booting again on the same store is a restart. Every bot of
 * a world claims prompts as the same owner, so a restart takes its own claims back at once:
 * these tests are about reconciling after a crash. A different process waiting out a dead
 * one's lease is test/live/engine-claims.test.ts.
 */
export function bootBot(store: Store, time: FakeTime, platform: MemoryPlatform, owner = 'the-bot'): Bot {
  const ingest = new LiveIngest({ store, log: silentLog });
  const engine = new SessionEngine({ store, platform, clock: time, timers: time, log: silentLog, owner });
  const controls = new SessionControls({ store, clock: time, log: silentLog, onChange: () => engine.kick() });
  return {
    store, engine, controls, ingest,
    advanceTo: (to) => time.advanceTo(to, () => engine.whenIdle()),
    stop: () => engine.stop(),
  };
}

export interface World {
  /** One database for every bot of the world (restarts keep it). */
  store: Store;
  time: FakeTime;
  platform: MemoryPlatform;
}

export function newWorld(start: Date): World {
  const time = new FakeTime(start);
  return { store: openStore(':memory:', time), time, platform: new MemoryPlatform(time) };
}

/** Lets pending promise callbacks run (for a bot whose work will never finish: a crash). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
