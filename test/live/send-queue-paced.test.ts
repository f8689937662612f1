import { describe, expect, it } from 'vitest';
import { SessionEngine } from '../../src/live/engine.ts';
import { SendQueue } from '../../src/live/send-queue.ts';
import type { RequestGate } from '../../src/platform/types.ts';
import type { PromptKind } from '../../src/store/prompts.ts';
import { flush, MINUTE, newWorld, silentLog, type World } from '../helpers/live.ts';

const START = new Date('2026-11-23T23:00:00Z');

/** A request rate that frees a slot only when the test says so: no timing in these tests. */
class ManualGate implements RequestGate {
  private readonly asked: (() => void)[] = [];
  granted = 0;
  given = 0;

  next(): Promise<void> {
    return new Promise((resolve) => this.asked.push(resolve));
  }

  unused(): void {
    this.given++;
  }

  /** Frees one slot once the queue has asked for one, then lets the holder's work run. */
  async slot(): Promise<void> {
    await settle(() => this.asked.length > 0);
    this.granted++;
    this.asked.shift()!();
    await settle(() => false, 30);
  }

  waiting(): boolean {
    return this.asked.length > 0;
  }
}

async function settle(done: () => boolean, rounds = 200): Promise<void> {
  for (let i = 0; i < rounds && !done(); i++) await flush();
}

describe('SendQueue paced by a request rate: who sends is decided when a request may go', () => {
  it('gives each free slot to the best waiter then; a turn\'s next request waits again; an unused grant goes back', async () => {
    const gate = new ManualGate();
    const queue = new SendQueue(() => 0, gate);
    const order: string[] = [];
    const take = (rank: 0 | 1 | 2, guild: string, name: string) => queue.take(rank, guild).then(() => order.push(name));
    void take(2, 'g1', 'g1 heads-up a');
    void take(2, 'g1', 'g1 heads-up b');
    void take(2, 'g2', 'g2 heads-up');
    await gate.slot();
    expect(order).toEqual(['g1 heads-up a']);
    // A question arrives while heads-ups wait: nothing was handed on early, so it goes next.
    const turn = queue.acquire(0, 'g3');
    await gate.slot();
    const question = await turn;
    expect(order).toEqual(['g1 heads-up a']);
    await question.request(); // the grant it came with: at once
    const thread = question.request().then(() => order.push('g3 thread'));
    await gate.slot();
    await thread;
    question.release();
    expect(gate.given).toBe(0); // both its grants were used
    // Guilds in turn: g2 before g1's second heads-up.
    await gate.slot();
    await gate.slot();
    expect(order).toEqual(['g1 heads-up a', 'g3 thread', 'g2 heads-up', 'g1 heads-up b']);
    const idle = queue.acquire(1, 'g4');
    await gate.slot();
    (await idle).release();
    expect(gate.given).toBe(1);
    expect(queue.size()).toBe(0);
    expect(gate.waiting()).toBe(false); // nobody waits: the queue does not ask for slots
  });
});

describe('SendQueue paced: at most `cap` turns out', () => {
  it('asks no slot for a new turn while `cap` are out; a turn out still gets its further requests', async () => {
    const gate = new ManualGate();
    const queue = new SendQueue(() => 0, gate, 1);
    const first = queue.acquire(1, 'g1');
    await gate.slot();
    const turn = await first;
    await turn.request();
    const question = queue.acquire(0, 'g2');
    const thread = turn.request();
    await gate.slot();
    await thread; // g1's post is under way: its thread goes first
    expect(gate.waiting()).toBe(false); // the one turn allowed is out: no slot asked for g2 yet
    turn.release();
    await gate.slot();
    (await question).release();
    expect([gate.granted, gate.given, queue.size()]).toEqual([3, 1, 0]);
  });
});

describe('the engine on a paced queue (the top of the hour)', () => {
  async function session(world: World, guildId: string, channelId: string, prompts: [PromptKind, number][]): Promise<void> {
    const { store } = world;
    const series = await store.series.saveForChannel({ guildId, channelId, tag: '#Chat', timezone: 'UTC', schedule: null, settings: {} });
    const s = await store.sessions.create({ seriesId: series.id, questionSetId: null, state: 'running', startsAt: START, source: 'live', channelId });
    for (const [kind, minute] of prompts) {
      const questionNumber = kind === 'question' || kind === 'heads_up' ? 1 : null;
      await store.prompts.create({ sessionId: s.id, kind, questionNumber, plannedAt: new Date(START.getTime() + minute * MINUTE), state: 'planned', postedAt: null, messageId: null, text: `${kind} in ${channelId}` });
    }
  }

  function engineOn(world: World) {
    const gate = new ManualGate();
    const sends = new SendQueue(() => world.time.now().getTime(), gate);
    const engine = new SessionEngine({ store: world.store, platform: world.platform, clock: world.time, timers: world.time, log: silentLog, owner: 'bot', sends });
    const posts = () => world.platform.messages.map((m) => `${m.prompt!.kind} ${m.channelId}`);
    return { engine, gate, sends, posts };
  }

  it('a question that falls due while heads-ups wait goes with the next free slot, before them', async () => {
    const world = newWorld(START);
    for (const [g, c] of [['g1', 'c1'], ['g2', 'c2'], ['g3', 'c3']]) await session(world, g!, c!, [['heads_up', 0], ['question', 5]]);
    await session(world, 'g4', 'c4', [['question', 1]]);
    const { engine, gate, sends, posts } = engineOn(world);
    void engine.start();
    await settle(() => sends.size() === 3);
    await gate.slot();
    expect(posts()).toEqual(['heads_up c1']);
    await world.time.advanceTo(START.getTime() + MINUTE, () => settle(() => false, 30)); // g4's question falls due
    await settle(() => sends.size() === 3);
    await gate.slot();
    expect(posts()).toEqual(['heads_up c1', 'question c4']);
    await gate.slot();
    await gate.slot();
    expect(posts()).toEqual(['heads_up c1', 'question c4', 'heads_up c2', 'heads_up c3']);
    expect([gate.granted, gate.given]).toEqual([4, 0]); // one request on each slot
    engine.stop();
  });

  it('a waiting heads-up whose question falls due is skipped, and its question goes on the same slot', async () => {
    const world = newWorld(START);
    await session(world, 'g1', 'c1', [['heads_up', 0], ['question', 1]]);
    await session(world, 'g2', 'c2', [['heads_up', 0], ['question', 1]]);
    const { engine, gate, sends, posts } = engineOn(world);
    void engine.start();
    await settle(() => sends.size() === 2);
    await world.time.advanceTo(START.getTime() + MINUTE, () => settle(() => false, 30)); // no slot was free until the questions fell due
    await gate.slot();
    await gate.slot();
    expect(posts()).toEqual(['question c1', 'question c2']);
    expect([gate.granted, gate.given]).toEqual([2, 0]);
    for (const s of await world.store.sessions.listActive(null)) {
      const prompts = await world.store.prompts.listBySession(s.id);
      expect(prompts.map((p) => [p.kind, p.state])).toEqual([['heads_up', 'skipped'], ['question', 'posted']]);
    }
    engine.stop();
  });
});
