import { describe, expect, it } from 'vitest';
import type { AnswerTarget } from '../../../src/domain/labels.ts';
import type { StorePort } from '../../../src/store/port.ts';
import { renderHtml } from '../../../src/recap/html.ts';
import { findUrls, normalizeUrl } from '../../../src/recap/insights.ts';
import { exportJson } from '../../../src/recap/json.ts';
import { renderMarkdown, streamMarkdown } from '../../../src/recap/markdown.ts';
import { buildRecap } from '../../../src/recap/model.ts';
import { at, collect, liveSession, message, type ContractContext } from './support.ts';

/**
 * The recap's insights (issue 15, "In every recap") on a small hand-written session, every
 * figure counted by hand below (not by the code under test), in Markdown, HTML and JSON.
 *
 * A week before, mod and ret took part: they return; newA, new<B> and newC are first-timers.
 * The bot posts Q1 (minute 1), Q2 (10) and the outro (20).
 *   m1  mod (moderator) 0   "Welcome everyone!"
 *   m2  ret   2  A1, a Discord reply to the bot's Q1 (not to a participant); a link with utm_*
 *   m3  newA  3  A1
 *   m4  mod   4  replies to m3 (a moderator replies to a first-timer), not an answer
 *   m5  new<B> 5 A1, the same link (fbclid, a trailing period)
 *   m6  ret   6  A1, replies to m5 (a participant replies to a first-timer)
 *   m7  newC 11  A2, a link with gclid and si: nobody replies to newC
 *   m8  ret  12  A2, the first link a third time
 *   m9  newA 13  A2, replies to m8
 *   m10 new<B> 21 after the outro
 *   m11 ret  22  after the outro, not an answer, a link with mc_cid and mc_eid
 *   m12 ghost 15 a link, deleted: counts nowhere
 * By hand: 11 messages by 5 people (mod 2, ret 4, newA 2, new<B> 2, newC 1). Replies to
 * other participants: m4, m6, m9 = 3. Answers: m2 m3 m5 m6 m7 m8 m9 = 7, of which m6 and m9
 * are replies: 5 plain. Posted once: newC = 1. Most active 10%: ceil(5 / 10) = 1 person,
 * ret, 4 of 11 = 36%. After the outro: m10, m11 = 2. First-timers 3; replied 2 (newA by the
 * moderator, new<B> by ret); newC unanswered. Links: example.com/guide?id=7 (ret, new<B>;
 * Q1), http://blog.test/post (newC; Q2), https://x.test/ (ret; no question).
 */
export function insightsContract({ open }: ContractContext): void {
  describe('recap insights', () => {
    const seed = async (store: StorePort) => {
      const before = await liveSession(store, { channelId: 'c0', startsAt: at(-7 * 24 * 60) });
      await store.messages.ingest(message(before.id, 'old1', 'hello', { authorName: 'mod', isModerator: true, postedAt: at(-7 * 24 * 60) }));
      await store.messages.ingest(message(before.id, 'old2', 'hi', { authorName: 'ret', postedAt: at(-7 * 24 * 60 + 1) }));
      const s = await liveSession(store);
      const base = { sessionId: s.id, questionNumber: null, state: 'planned' as const, postedAt: null, messageId: null };
      for (const [kind, n, minute, id] of [['question', 1, 1, 'bq1'], ['question', 2, 10, 'bq2'], ['outro', null, 20, 'bout']] as const) {
        const p = await store.prompts.create({ ...base, kind, questionNumber: n, plannedAt: at(minute), text: n ? `Q${n}: question ${n}?` : 'Thanks!' });
        await store.prompts.markPosted(p.id, id, at(minute), false);
        await store.messages.ingest(message(s.id, id, p.text, { authorName: 'Emcee', postedAt: at(minute), fromSelf: true }));
      }
      const say = async (id: string, authorName: string, minute: number, text: string, extra: { replyTo?: string; answers?: AnswerTarget; moderator?: boolean } = {}) => {
        const { message: m } = await store.messages.ingest(message(s.id, id, text, { authorName, postedAt: at(minute), replyToId: extra.replyTo ?? null, isModerator: extra.moderator ?? false }));
        if (extra.answers !== undefined) await store.messages.recordAttribution(m, { kind: 'answer', question: extra.answers, via: 'label', label: `A${extra.answers}:`, text });
      };
      await say('m1', 'mod', 0, 'Welcome everyone!', { moderator: true });
      await say('m2', 'ret', 2, 'A1: I like https://Example.com/guide?utm_source=tw&utm_medium=x&id=7 a lot', { replyTo: 'bq1', answers: 1 });
      await say('m3', 'newA', 3, 'A1: hello, first time here', { answers: 1 });
      await say('m4', 'mod', 4, 'Welcome newA!', { replyTo: 'm3', moderator: true });
      await say('m5', 'new<B>', 5, 'A1: see https://example.com/guide?id=7&fbclid=abc.', { answers: 1 });
      await say('m6', 'ret', 6, 'A1: great point', { replyTo: 'm5', answers: 1 });
      await say('m7', 'newC', 11, 'A2: mine is http://blog.test/post?gclid=1&si=2', { answers: 2 });
      await say('m8', 'ret', 12, 'A2: again https://example.com/guide?id=7', { answers: 2 });
      await say('m9', 'newA', 13, 'A2: agreed', { replyTo: 'm8', answers: 2 });
      await say('m12', 'ghost', 15, 'https://ghost.test/', { replyTo: 'm7' });
      await store.messages.delete('m12', at(16));
      await say('m10', 'new<B>', 21, 'thanks all');
      await say('m11', 'ret', 22, 'bye https://x.test/?mc_cid=1&mc_eid=2');
      return s;
    };

    it('counts conversation, first-timers and links, and shows each figure in Markdown, HTML and JSON', async () => {
      const store = await open();
      const s = await seed(store);
      const recap = await buildRecap(store, s.id);
      const insights = {
        conversation: { repliesToParticipants: 3, plainAnswers: 5, postedOnce: 1, mostActiveTenth: { people: 1, messages: 4, share: 4 / 11 }, afterOutro: 2 },
        firstTimers: { count: 3, replied: 2, repliedByModerator: 1, repliedByParticipant: 1 },
        links: [
          { url: 'https://example.com/guide?id=7', sharedBy: ['ret', 'new<B>'], question: 1 },
          { url: 'http://blog.test/post', sharedBy: ['newC'], question: 2 },
          { url: 'https://x.test/', sharedBy: ['ret'], question: null },
        ],
      };
      expect(recap.insights).toEqual(insights);
      expect(recap.stats).toMatchObject({ messages: 11, participants: 5, firstTimers: 3, answers: 7 });

      const md = renderMarkdown(recap);
      expect(md).toContain([
        '## Conversation', '',
        '3 replies to other participants · 5 plain answers · 1 person posted once · the most active 10% (1 person) wrote 36% of the messages · 2 messages after the outro', '',
        '## First-timers', '',
        '3 first-timers · 2 got a reply (1 from a moderator, 1 from a participant)', '',
        '## Links shared', '',
        '- [https://example.com/guide?id=7](https://example.com/guide?id=7) shared by **ret**, **new&lt;B>** under Q1',
        '- [http://blog.test/post](http://blog.test/post) shared by **newC** under Q2',
        '- [https://x.test/](https://x.test/) shared by **ret**', '',
      ].join('\n'));
      expect((await collect(streamMarkdown(store, s.id))).join('')).toBe(md);

      const html = renderHtml(recap);
      expect(html).toContain('<p class="counts">3 replies to other participants · 5 plain answers · 1 person posted once · the most active 10% (1 person) wrote 36% of the messages · 2 messages after the outro</p>');
      expect(html).toContain('<p class="counts">3 first-timers · 2 got a reply (1 from a moderator, 1 from a participant)</p>');
      expect(html).toContain('<li class="link"><a href="https://example.com/guide?id=7" rel="nofollow noopener"><bdi>example.com/guide?id=7</bdi></a> <span class="by">shared by <bdi>ret</bdi>, <bdi>new&lt;B&gt;</bdi> under Q1</span></li>');
      expect(html).toContain('<li class="link"><a href="http://blog.test/post" rel="nofollow noopener"><bdi>blog.test/post</bdi></a> <span class="by">shared by <bdi>newC</bdi> under Q2</span></li>');
      expect(html).toContain('<li class="link"><a href="https://x.test/" rel="nofollow noopener"><bdi>x.test/</bdi></a> <span class="by">shared by <bdi>ret</bdi></span></li>');
      const links = html.slice(html.indexOf('<h2 id="h-links">'));
      expect(links).not.toMatch(/ghost\.test|utm_|fbclid|gclid|mc_cid/);
      expect(links.match(/<li /g)).toHaveLength(3);

      const json = JSON.parse((await collect(exportJson(store, s.id))).join(''));
      expect(json.insights).toEqual(insights);
    });

    // An imported Twitter archive has no Discord replies: a tweet names who it replies to
    // (in_reply_to, handles, the replied-to author first). By hand: host (moderator) replies
    // to NEWBIE's handle in another case: a reply to a first-timer by a moderator; vet's a4
    // replies first to someone not in the chat (not a reply to a participant); vet's a5
    // replies to host; newbie's a6 to themself (never counted). Replies 2 (a3, a5). Answers
    // a2 a4 a5 = 3, a5 a reply: 2 plain. First-timers newbie and vet (host moderates):
    // 2, 1 replied (newbie, by the moderator).
    it('an archive reply (a tweet in reply to a handle) is a reply to that participant', async () => {
      const store = await open();
      const s = await liveSession(store);
      const say = async (id: string, authorName: string, minute: number, text: string, inReplyTo: string[], answers?: number, moderator = false) => {
        const { message: m } = await store.messages.ingest(message(s.id, id, text, { authorName, postedAt: at(minute), inReplyTo, isModerator: moderator }));
        if (answers !== undefined) await store.messages.recordAttribution(m, { kind: 'answer', question: answers, via: 'label', label: `A${answers}:`, text });
      };
      await say('a1', 'host', 0, 'Welcome!', [], undefined, true);
      await say('a2', 'newbie', 1, 'A1: hi', [], 1);
      await say('a3', 'host', 2, 'Welcome newbie!', ['NEWBIE', 'outsider'], undefined, true);
      await say('a4', 'vet', 3, 'A1: yes', ['outsider', 'newbie'], 1);
      await say('a5', 'vet', 4, 'A1: thanks', ['host'], 1);
      await say('a6', 'newbie', 5, 'and more', ['newbie']);
      const { insights } = await buildRecap(store, s.id);
      expect(insights.conversation).toMatchObject({ repliesToParticipants: 2, plainAnswers: 2 });
      expect(insights.firstTimers).toEqual({ count: 2, replied: 1, repliedByModerator: 1, repliedByParticipant: 0 });
    });

    it('an empty session has no insight but zeros', async () => {
      const store = await open();
      const s = await liveSession(store);
      expect((await buildRecap(store, s.id)).insights).toEqual({
        conversation: { repliesToParticipants: 0, plainAnswers: 0, postedOnce: 0, mostActiveTenth: { people: 0, messages: 0, share: 0 }, afterOutro: null },
        firstTimers: { count: 0, replied: 0, repliedByModerator: 0, repliedByParticipant: 0 },
        links: [],
      });
    });
  });
}

describe('links found in a message', () => {
  it('keeps http(s) only, drops tracking parameters and sentence punctuation, each link once', () => {
    expect(findUrls('see (https://a.test/x?utm_campaign=c&q=1), javascript:alert(1) and https://a.test/x?q=1&igshid=9!')).toEqual(['https://a.test/x?q=1']);
    expect(findUrls('https://en.wikipedia.org/wiki/Badge_(disambiguation) and <https://b.test/?ref_src=twsrc>')).toEqual(['https://en.wikipedia.org/wiki/Badge_(disambiguation)', 'https://b.test/']);
    expect(normalizeUrl('ftp://c.test/')).toBeNull();
    expect(normalizeUrl('HTTPS://C.TEST/Path?b=2&a=1')).toBe('https://c.test/Path?b=2&a=1');
  });
});
