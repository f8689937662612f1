import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveIngest, type IngestDeps } from '../../src/live/ingest.ts';
import { persistSession } from '../../src/live/persist.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { FakeTime, silentLog } from '../helpers/live.ts';
import { at, messages, START } from './ingest-messages.ts';

/**
 * Group commit (issue 13): the events handed over together are stored and attributed in one
 * transaction, in the order they came; each promise settles only once its transaction has
 * committed; a failed batch is retried event by event, so one bad message fails alone.
 */

const msg = messages('g');

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A store on a file (a second connection can look at it), its transactions counted, and a session with Q1 and Q2 out. */
async function setUp(options: Partial<IngestDeps> = {}, state: 'running' | 'planned' = 'running') {
  const dir = mkdtempSync(`${tmpdir()}/emcee-group-`);
  dirs.push(dir);
  const time = new FakeTime(at(10));
  const store = openStore(`${dir}/emcee.sqlite`, time);
  const other = openStore(`${dir}/emcee.sqlite`, time);
  stores.push(store, other);
  const series = await store.series.saveForChannel({ guildId: 'g1', channelId: 'chat', tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings: {} });
  const session = await persistSession(store, { series, startsAt: START, questions: ['One?', 'Two?', 'Three?'], questionSetId: null, state });
  const prompts = (await store.prompts.listBySession(session.id)).filter((p) => p.kind === 'question');
  for (const [i, minute] of [[0, 5], [1, 12]] as const) await store.prompts.markPosted(prompts[i]!.id, `q${i + 1}`, at(minute), false);
  const counted = { transactions: 0 };
  const transaction = store.transaction.bind(store);
  store.transaction = (fn) => {
    counted.transactions++;
    return transaction(fn);
  };
  const ingest = new LiveIngest({ store, log: silentLog, ...options });
  return { store, other, session, ingest, counted, time };
}

const answers = async (store: Store, id: number) => (await store.messages.answers(id, { inferred: true })).map((a) => [a.question, a.via, a.text]);

describe('group commit', () => {
  it('events handed over together are one transaction, in order: an edit right after its create, a delete, the same id twice', async () => {
    const { store, session, ingest, counted } = await setUp();
    const first = msg(13, 'A1: first thought');
    const gone = msg(13, 'A2: soon deleted');
    const before = counted.transactions;
    const [created, edited, repeat, other, deleted, reply] = await Promise.all([
      ingest.messageCreated(first),
      ingest.messageUpdated(first.id, 'A2: second thought', at(14)),
      ingest.messageCreated({ ...first }), // the gateway replays it: one row
      ingest.messageCreated(gone),
      ingest.messageDeleted(gone.id, at(14)),
      ingest.messageCreated(msg(14, 'building on that', { replyToId: first.id })),
    ]);
    expect(counted.transactions - before).toBe(1);
    expect(created).toMatchObject({ inserted: true, attribution: { kind: 'answer', question: 1 } });
    expect(edited).toMatchObject({ kind: 'answer', question: 2 });
    expect(repeat).toMatchObject({ inserted: false, attribution: null });
    expect(other).toMatchObject({ inserted: true });
    expect(deleted).toBe(true);
    // The reply follows the edited answer (the edit went before it).
    expect(reply?.attribution).toMatchObject({ kind: 'answer', question: 2, via: 'reply' });
    expect(await answers(store, session.id)).toEqual([[2, 'label', 'A2: second thought'], [2, 'reply', 'building on that']]);
    expect(await store.messages.previousTexts(first.id)).toEqual(['A1: first thought']);
    expect((await store.messages.listBySession(session.id)).map((m) => m.platformId)).toEqual([first.id, gone.id, expect.any(String)]);
  });

  it('a batch holds at most maxBatch events; events that arrive while one is written go in the next', async () => {
    const { store, session, ingest, counted } = await setUp({ maxBatch: 10 });
    const before = counted.transactions;
    const all = Array.from({ length: 45 }, (_, i) => ingest.messageCreated(msg(13, `A1: thought number ${i}`)));
    // Handed over while the first batch is being written.
    await Promise.resolve();
    const late = Array.from({ length: 5 }, (_, i) => ingest.messageCreated(msg(13, `A2: later thought ${i}`)));
    const results = await Promise.all([...all, ...late]);
    expect(results.every((r) => r?.inserted && r.attribution?.kind === 'answer')).toBe(true);
    expect(counted.transactions - before).toBe(5);
    expect(await store.messages.count(session.id)).toBe(50);
  });

  it('with maxWaitMs, an idle pipeline waits for more before it writes (bounded by maxBatch)', async () => {
    const { ingest, counted } = await setUp({ maxWaitMs: 30, maxBatch: 4 });
    const before = counted.transactions;
    const first = ingest.messageCreated(msg(13, 'A1: one'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const rest = [ingest.messageCreated(msg(13, 'A1: two')), ingest.messageCreated(msg(13, 'A1: three'))];
    await Promise.all([first, ...rest]);
    expect(counted.transactions - before).toBe(1);
  });

  it('a promise resolves only after its transaction committed: its row is visible from a second connection then', async () => {
    const { other, session, ingest } = await setUp();
    const seen: Promise<[string, boolean, boolean]>[] = [];
    const sent = Array.from({ length: 300 }, (_, i) => msg(13, `A${1 + (i % 2)}: thought ${i}`));
    await Promise.all(sent.map((m) => ingest.messageCreated(m).then(() => {
      // Asked the moment the promise resolves (the second store runs the query at once).
      seen.push(Promise.all([m.id, other.messages.get(m.id).then((r) => r !== null), other.messages.answers(session.id).then((as) => as.some((a) => a.platformId === m.id))]));
    })));
    const rows = await Promise.all(seen);
    expect(rows).toHaveLength(300);
    expect(rows.filter(([, stored, answered]) => !stored || !answered)).toEqual([]);
  });

  it('a message that fails to store fails alone: the rest of its batch is stored and attributed, in order', async () => {
    const { store, session, ingest, counted } = await setUp();
    const first = msg(13, 'A1: before the bad one');
    const bad = msg(13, null as unknown as string); // the store refuses a message without text
    const before = counted.transactions;
    const outcomes = await Promise.allSettled([
      ingest.messageCreated(first),
      ingest.messageCreated(bad),
      ingest.messageCreated(msg(13, 'a reply after it', { replyToId: first.id })),
      ingest.messageCreated({ ...first, id: `${first.id}-again` }), // a repeat of the first: the attribution still knows it
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/NOT NULL/);
    expect((outcomes[3] as PromiseFulfilledResult<unknown>).value).toMatchObject({ inserted: true, attribution: { kind: 'none', reason: 'repeat' } });
    // One failed batch, then each event alone.
    expect(counted.transactions - before).toBe(5);
    expect(await answers(store, session.id)).toEqual([[1, 'label', 'A1: before the bad one'], [1, 'reply', 'a reply after it']]);
    expect(await store.messages.get(bad.id)).toBeNull();
    // The pipeline goes on.
    expect((await ingest.messageCreated(msg(14, 'A2: still here')))?.attribution).toMatchObject({ kind: 'answer', question: 2 });
  });

  it('an edit of a message never seen (posted while the bot was away) takes it in whole, in the same turn', async () => {
    const { store, session, ingest } = await setUp();
    const away = msg(13, 'A1: written while the bot was down');
    const [edited, created] = await Promise.all([
      ingest.messageUpdated(away.id, 'A2: and edited', at(14), { ...away, text: 'A2: and edited' }),
      ingest.messageCreated(away), // the create arriving after: already stored, changes nothing
    ]);
    expect(edited).toMatchObject({ kind: 'answer', question: 2 });
    expect(created).toMatchObject({ inserted: false });
    expect(await answers(store, session.id)).toEqual([[2, 'label', 'A2: and edited']]);
    expect(await ingest.messageUpdated('nobody-knows', 'text', at(14))).toBeNull();
  });

  it('the session lookup is cached but follows the change mark: a session started or ended here, or by another process', async () => {
    const { store, other, session, ingest } = await setUp({}, 'planned');
    expect(await ingest.messageCreated(msg(4, 'too early'))).toBeNull();
    await store.sessions.setState(session.id, 'running'); // this process: its own write moves the mark
    expect(await ingest.messageCreated(msg(6, 'A1: now it counts'))).toMatchObject({ sessionId: session.id, late: false });
    await other.sessions.setState(session.id, 'ended', { endedAt: at(45) }); // another process
    expect(await ingest.messageCreated(msg(46, 'A1: after the close'))).toMatchObject({ sessionId: session.id, late: true });
    // A new session in the channel takes its messages from then on (the mark moved again).
    const series = (await store.series.getByChannel('g1', 'chat'))!;
    const next = await persistSession(other, { series, startsAt: at(60), questions: ['One?'], questionSetId: null, state: 'running' });
    expect(await ingest.messageCreated(msg(61, 'hello again'))).toMatchObject({ sessionId: next.id, late: false });
  });

  it('whenIdle resolves once everything handed over before it has committed', async () => {
    const { other, session, ingest } = await setUp();
    for (let i = 0; i < 20; i++) void ingest.messageCreated(msg(13, `A1: idle ${i}`));
    await ingest.whenIdle();
    expect(await other.messages.count(session.id)).toBe(20);
  });
});
