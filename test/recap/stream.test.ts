import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import type { AnswerTarget } from '../../src/domain/labels.ts';
import { tallyAnswers } from '../../src/domain/tally.ts';
import { persistSession } from '../../src/live/persist.ts';
import { renderHtml } from '../../src/recap/html.ts';
import { exportRecap, recapBuffer, recapToString } from '../../src/recap/index.ts';
import { renderMarkdown } from '../../src/recap/markdown.ts';
import { buildRecap } from '../../src/recap/model.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { GOLDEN_DIR } from '../helpers/golden.ts';
import { importedSeeds } from '../helpers/recap.ts';
import { loadLabels } from '../helpers/seeds.ts';

/**
 * The Markdown and HTML recaps are written question by question from the store
 * (exportRecap), and their statistics are counted by SQL (store.recap). Both must give the
 * bytes of before: the reviewed golden files, and the recap built with every answer in memory.
 */

const golden = (name: string) => readFileSync(`${GOLDEN_DIR}/${name}`, 'utf8');

describe('streamed recaps of the seed archives', async () => {
  const { store, sessions } = await importedSeeds();
  it.each(loadLabels().map((l) => l.transcript))('%s: md and html are the golden files, byte for byte', async (original) => {
    const id = sessions.get(original)!;
    expect(await recapToString(store, id, 'md')).toBe(golden(`md/${original}.md`));
    expect(await recapToString(store, id, 'html')).toBe(golden(`html/${original}.html`));
  });
});

const START = new Date('2026-11-23T23:30:00Z');
const at = (seconds: number) => new Date(START.getTime() + seconds * 1000);

/**
 * A live session with everything the counts must get right: moderators, the bot's own
 * posts, deleted messages, authors without a name, inferred answers (never counted), late
 * answers, answers before their question went out, a skipped question, a question answered
 * but never asked, takeaways, two answers in the same millisecond; an earlier session of the
 * same series makes some authors returning. Long enough for several chunks.
 */
async function busySession(): Promise<{ store: Store; id: number }> {
  const store = openStore(':memory:', new ManualClock(new Date('2026-11-23T12:00:00Z')));
  const series = await store.series.saveForChannel({ guildId: '900', channelId: '901', tag: '#BusyChat', timezone: 'Europe/Paris', schedule: null, settings: {} });
  const earlier = await persistSession(store, { series, startsAt: new Date(START.getTime() - 7 * 86_400_000), questionSetId: null, state: 'ended', questions: ['Before?'] });
  const session = await persistSession(store, { series, startsAt: START, questionSetId: null, state: 'ended', questions: ['One?', 'Two?', 'Three?'] });
  await store.sessions.setState(session.id, 'ended', { endedAt: at(45 * 60) });
  let seq = 0;
  for (const p of await store.prompts.listBySession(session.id)) {
    if (p.kind === 'question' && p.questionNumber === 3) await store.prompts.markSkipped(p.id, 'skipped');
    else await store.prompts.markPosted(p.id, `5${String(++seq).padStart(5, '0')}`, new Date(p.plannedAt.getTime() + 2_345), false);
  }
  const say = async (sessionId: number, seconds: number, author: string | null, text: string, answer: { question: AnswerTarget; via?: 'label' | 'reply' | 'inferred' } | null, extra: { late?: boolean; fromSelf?: boolean; moderator?: boolean } = {}) => {
    const { message } = await store.messages.ingest({
      sessionId, platformId: `6${String(++seq).padStart(6, '0')}`, channelId: '901', threadId: seq % 11 === 0 ? '902' : null,
      authorId: author, authorName: author, isModerator: extra.moderator ?? author === 'mod', postedAt: at(seconds), text, replyToId: null,
      inReplyTo: [], quote: null, archiveIndex: null, late: extra.late ?? false, fromSelf: extra.fromSelf ?? false,
    });
    if (answer?.via === 'inferred') await store.messages.recordAttribution(message, { kind: 'inferred', question: answer.question as number });
    else if (answer) await store.messages.recordAttribution(message, { kind: 'answer', question: answer.question, via: answer.via ?? 'label', label: null, text });
    return message;
  };
  await say(earlier.id, 60, 'amy', 'last week', null);
  await say(earlier.id, 61, 'anonymous', 'last week too', null);
  const authors = ['amy', 'ben', 'cy', 'dee', null, 'mod', 'Émile', 'zed'];
  for (let i = 0; i < 1500; i++) {
    const seconds = Math.floor(i * 1.7) + (i % 3 === 0 ? 0 : 0.25);
    const author = authors[i % authors.length]!;
    const minute = seconds / 60;
    const open = [5, 12, 19].filter((m) => m <= minute).length;
    const question: AnswerTarget = minute >= 30 ? 'TA' : i % 41 === 0 ? 7 : i % 9 === 0 ? 1 : Math.max(open, 1);
    const via = i % 13 === 0 ? 'inferred' : i % 5 === 0 ? 'reply' : 'label';
    const text = `${question === 'TA' ? 'TA' : `A${question}`}: answer ${i} <b>&</b> "q" *x* _y_ [z](https://e.example)${i % 17 === 0 ? '\nsecond line' : ''}`;
    const m = await say(session.id, seconds, author, text, i % 4 === 3 ? null : { question, via }, { late: i % 23 === 0, moderator: author === 'mod' && i % 2 === 0 });
    if (i % 31 === 0) await store.messages.delete(m.platformId, at(seconds + 1));
  }
  await say(session.id, 100, 'Emcee', 'Q1: One?', null, { fromSelf: true });
  await say(session.id, 300, 'amy', 'A1: same millisecond', { question: 1 });
  await say(session.id, 300, 'ben', 'A1: same millisecond too', { question: 1 });
  await say(session.id, 46 * 60, 'amy', 'A2: after the close', { question: 2 }, { late: true });
  return { store, id: session.id };
}

/** The counts as the recap used to make them: one pass over every message and every answer. */
async function countedByHand(store: Store, id: number) {
  const session = (await store.sessions.get(id))!;
  const perAuthor = new Map<string, { messages: number; moderator: boolean }>();
  const perMinute: number[] = [];
  let messages = 0;
  let moderatorMessages = 0;
  for await (const m of store.messages.iterate(id)) {
    if (m.fromSelf || m.deletedAt) continue;
    messages++;
    if (m.isModerator) moderatorMessages++;
    const a = perAuthor.get(m.authorName ?? 'anonymous') ?? { messages: 0, moderator: false };
    perAuthor.set(m.authorName ?? 'anonymous', { messages: a.messages + 1, moderator: a.moderator || m.isModerator });
    const minute = Math.floor((m.postedAt!.getTime() - session.startsAt.getTime()) / 60_000);
    while (perMinute.length <= minute) perMinute.push(0);
    perMinute[minute]!++;
  }
  const answers = await store.messages.answers(id);
  const tally = tallyAnswers(answers);
  const asked = new Map((await store.prompts.listBySession(id)).filter((p) => p.kind === 'question' && p.postedAt).map((p) => [p.questionNumber, p.postedAt!]));
  const waits = [...asked].flatMap(([n, time]) => {
    const after = answers.filter((a) => a.question === n && a.postedAt! >= time).map((a) => a.postedAt!.getTime() - time.getTime());
    return after.length ? [Math.min(...after) / 1000] : [];
  }).sort((a, b) => a - b);
  const returning = await store.messages.authorsBefore(session.seriesId, session.startsAt);
  return {
    messages, moderatorShare: moderatorMessages / messages, perMinute, answers: tally.total, signature: tally.signature(),
    late: answers.filter((a) => a.late).length, waits,
    participants: [...perAuthor].map(([name, a]) => ({ name, messages: a.messages, answers: tally.answersBy(name), firstTime: !returning.has(name), moderator: a.moderator }))
      .sort((a, b) => b.messages - a.messages || a.name.localeCompare(b.name)),
  };
}

describe('streamed recaps of a busy live session', async () => {
  const { store, id } = await busySession();
  const full = await buildRecap(store, id);

  it('counts what a pass over every message counts (the tally for the answers)', async () => {
    const hand = await countedByHand(store, id);
    const s = full.stats;
    expect([s.messages, s.moderatorShare, s.messagesPerMinute, s.answers, s.lateAnswers]).toEqual([hand.messages, hand.moderatorShare, hand.perMinute, hand.answers, hand.late]);
    expect(Object.entries(s.answersPerQuestion).map(([q, n]) => `${q === 'TA' ? 'TA' : `Q${q}`}: ${n}`).join(', ')).toBe(hand.signature);
    expect(hand.waits).toHaveLength(2); // Q1 and Q2 went out (Q3 was skipped)
    expect(s.medianSecondsToFirstAnswer).toBe((hand.waits[0]! + hand.waits[1]!) / 2);
    expect(full.participants).toEqual(hand.participants);
    expect(full.participants.filter((p) => !p.firstTime).map((p) => p.name).sort()).toEqual(['amy', 'anonymous']);
    expect(full.questions.map((q) => [q.number, q.state, q.answerCount === q.answers.length])).toEqual([[1, 'posted', true], [2, 'posted', true], [3, 'skipped', true], [7, 'not asked', true]]);
    expect(full.takeaways.length).toBe(s.answersPerQuestion.TA);
  });

  it('md and html stream in bounded chunks and give the bytes of the recap built in memory', async () => {
    for (const [format, whole] of [['md', renderMarkdown(full)], ['html', renderHtml(full)]] as const) {
      const chunks: string[] = [];
      for await (const chunk of exportRecap(store, id, format)) chunks.push(chunk);
      expect(chunks.length).toBeGreaterThan(2);
      expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(70 * 1024);
      expect(chunks.join('')).toBe(whole);
      expect((await recapBuffer(store, id, format)).equals(Buffer.from(whole, 'utf8'))).toBe(true);
    }
  });

  it('a recap without its answers keeps the counts and only the takeaways asked for', async () => {
    const head = await buildRecap(store, id, { keepAnswers: false, takeaways: 3 });
    expect(head.stats).toEqual(full.stats);
    expect(head.participants).toEqual(full.participants);
    expect(head.questions.map((q) => q.answers.length)).toEqual([0, 0, 0, 0]);
    expect(head.takeaways).toEqual(full.takeaways.slice(0, 3));
    expect((await buildRecap(store, id, { keepAnswers: false })).takeaways).toEqual(full.takeaways);
  });
});
