import { jsonSafe } from '../domain/text.ts';
import type { Repositories } from '../store/port.ts';
import { noted } from './highlights.ts';
import { buildRecap, discordLink, type RecapAnswer } from './model.ts';


/**
 * JSON: the whole session, schema "emcee.recap/1" (documented in the README; fields are only
 * ever added). The head (session, series, prompts, questions with answer counts, takeaways,
 * participants, stats) comes from the recap model; the answers and the messages are then
 * streamed one by one, so a 100,000-message session exports in flat memory. Times are ISO
 * 8601 UTC strings or null; key order is fixed.
 */
export const JSON_SCHEMA = 'emcee.recap/1';

/**
 * The JSON export. User text is kept exact, but the controls JSON.stringify leaves raw (DEL,
 * C1, bidi overrides) are written as \u escapes, so the file is safe to print (#28).
 */
export async function* exportJson(store: Repositories, sessionId: number): AsyncGenerator<string> {
  for await (const chunk of jsonChunks(store, sessionId)) yield jsonSafe(chunk);
}

async function* jsonChunks(store: Repositories, sessionId: number): AsyncGenerator<string> {
  const r = await buildRecap(store, sessionId, { keepAnswers: false });
  const answer = (a: RecapAnswer) => ({ question: a.question, author: a.author, at: iso(a.at), label: a.label, via: a.via, late: a.late, text: a.text, link: a.link, reactions: a.reactions, correctedBy: a.correctedBy });
  const head = {
    schema: JSON_SCHEMA,
    session: { id: r.session.id, state: r.session.state, startsAt: iso(r.session.startsAt), endedAt: iso(r.session.endedAt), source: r.session.source, sourceName: r.session.sourceName, format: r.session.format },
    series: r.series,
    title: r.title,
    moderators: r.moderators,
    prompts: r.prompts.map((p) => ({ kind: p.kind, question: p.questionNumber, plannedAt: iso(p.plannedAt), postedAt: iso(p.postedAt), state: p.state, late: p.late })),
    questions: r.questions.map((q) => ({ number: q.number, text: q.text, state: q.state, postedAt: iso(q.postedAt), link: q.link, answerCount: q.answerCount, highlights: q.highlights.map(answer) })),
    takeaways: r.takeaways.map(answer),
    participants: r.participants,
    stats: r.stats,
    ...(r.event ? { event: r.event } : {}),
    insights: r.insights,
  };
  const headJson = JSON.stringify(head, null, 2);
  yield `${headJson.slice(0, -2)},\n  "answers": [`;
  let first = true;
  for await (const a of store.messages.iterateAnswers(sessionId)) {
    const place = a.threadId ?? a.channelId ?? r.series.channelId;
    const item = { question: a.question, author: a.authorName, at: iso(a.postedAt), label: a.label, via: a.via, late: a.late, text: a.text, link: discordLink(r.series.guildId, place, a.platformId), messageId: a.platformId, ...noted(a, r.notes) };
    yield `${first ? '' : ','}\n    ${JSON.stringify(item)}`;
    first = false;
  }
  yield `${first ? '' : '\n  '}],\n  "messages": [`;
  first = true;
  for await (const m of store.messages.iterate(sessionId)) {
    if (m.fromSelf || m.deletedAt) continue;
    const message = {
      id: m.platformId, author: m.authorName, moderator: m.isModerator, at: iso(m.postedAt), text: m.text,
      replyTo: m.replyToId, thread: m.threadId, inReplyTo: m.inReplyTo, quote: m.quote, late: m.late, editedAt: iso(m.editedAt),
      archiveIndex: m.archiveIndex, link: discordLink(r.series.guildId, m.threadId ?? m.channelId ?? r.series.channelId, m.platformId),
    };
    yield `${first ? '' : ','}\n    ${JSON.stringify(message)}`;
    first = false;
  }
  yield `${first ? '' : '\n  '}]\n}\n`;
}

function iso(at: Date | null): string | null {
  return at === null ? null : at.toISOString();
}
