import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { forgetParticipant } from '../../src/live/forget.ts';
import { persistSession } from '../../src/live/persist.ts';
import { RECAP_FORMATS, recapToString } from '../../src/recap/index.ts';
import { writeSite } from '../../src/recap/site.ts';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite.ts';

/**
 * Forget-me leaves no trace of the text in the SQLite file (issue 15, "Done when"): a
 * participant writes distinctive text (an answer, an edit's earlier text, a quote), is
 * forgotten, the WAL is checkpointed, and neither the database file nor its WAL holds the
 * text's bytes, in UTF-8 or UTF-16; no export of the session shows it.
 */
const SECRET = 'Xylophone-Kumquat-7741';
const EARLIER = 'Pomegranate-Vortex-3310';
const QUOTED = 'Marmalade-Quasar-9902';
const START = new Date('2026-11-23T23:30:00Z');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function bytesOf(path: string): Buffer {
  return Buffer.concat([path, `${path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p)));
}

function traces(bytes: Buffer): string[] {
  return [SECRET, EARLIER, QUOTED].flatMap((t) => [
    ...(bytes.includes(Buffer.from(t, 'utf8')) ? [`${t} (utf-8)`] : []),
    ...(bytes.includes(Buffer.from(t, 'utf16le')) ? [`${t} (utf-16le)`] : []),
    ...(bytes.includes(Buffer.from(t, 'utf16le').swap16()) ? [`${t} (utf-16be)`] : []),
  ]);
}

async function chat(store: SqliteStore, clock: ManualClock) {
  const series = await store.series.saveForChannel({ guildId: 'g1', channelId: 'c1', tag: '#ForgetChat', timezone: 'UTC', schedule: null, settings: {} });
  const session = await persistSession(store, { series, startsAt: START, questionSetId: null, state: 'running', questions: ['One?'] });
  let n = 0;
  const say = async (author: string, text: string, quote: { author: string; text: string } | null = null) => {
    const { message } = await store.messages.ingest({
      sessionId: session.id, platformId: `70${++n}`, channelId: 'c1', threadId: null, authorId: author, authorName: `${author}-name`,
      isModerator: false, postedAt: new Date(START.getTime() + n * 60_000), text, replyToId: null, inReplyTo: [], quote, archiveIndex: null,
    });
    await store.messages.recordAttribution(message, { kind: 'answer', question: 1, via: 'label', label: 'A1', text: message.text });
    return message;
  };
  await say('u2', 'A1 kept answer from ann');
  const mine = await say('u1', `A1 ${EARLIER}`, { author: 'someone', text: QUOTED });
  const edited = (await store.messages.edit(mine.platformId, `A1 ${SECRET}`, clock.now()))!;
  await store.messages.recordAttribution(edited, { kind: 'answer', question: 1, via: 'label', label: 'A1', text: edited.text });
  await store.reactions.add({ messageId: mine.platformId, emoji: '👍', userId: 'u2', burst: false });
  await store.sessions.setState(session.id, 'ended', { endedAt: new Date(START.getTime() + 3_600_000) });
  return session.id;
}

describe('forget-me: no trace of the text in the SQLite file or the exports', () => {
  it('checkpointed WAL and database bytes lack the text (UTF-8 and UTF-16), and every export lacks it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emcee-forget-'));
    dirs.push(dir);
    const path = join(dir, 'emcee.db');
    const clock = new ManualClock(START);
    const store = await openSqliteStore(path, clock);
    try {
      const sessionId = await chat(store, clock);
      await store.pragma('wal_checkpoint(TRUNCATE)');
      // The test can see the text before: the scan and the exports are not blind.
      expect(traces(bytesOf(path))).toEqual(expect.arrayContaining([`${SECRET} (utf-8)`, `${EARLIER} (utf-8)`, `${QUOTED} (utf-8)`]));
      for (const format of ['md', 'html', 'csv', 'json', 'archive'] as const) expect(await recapToString(store, sessionId, format)).toContain(SECRET);

      clock.advance(60_000);
      const counts = await forgetParticipant(store, clock, { authorId: 'u1', guildId: 'g1', actor: 'u1' });
      expect([counts.messages, counts.edits, counts.answers, counts.reactions]).toEqual([1, 1, 1, 1]);

      expect(RECAP_FORMATS).toEqual(['md', 'html', 'csv', 'json', 'archive']);
      for (const format of RECAP_FORMATS) {
        const out = await recapToString(store, sessionId, format);
        expect(out, format).toContain('kept answer from ann');
        for (const t of [SECRET, EARLIER, QUOTED, 'u1-name']) expect(out, format).not.toContain(t);
      }
      const site = await writeSite(store, join(dir, 'site'));
      const pages = [site.index, ...site.pages].map((p) => readFileSync(p, 'utf8'));
      expect(pages.join('\n')).toContain('kept answer from ann');
      for (const t of [SECRET, EARLIER, QUOTED]) expect(pages.join('\n')).not.toContain(t);
      const log = (await store.controls.list(sessionId)).filter((e) => e.action === 'forget');
      expect(log.map((e) => [e.actor, e.at, e.details])).toEqual([['u1', clock.now(), { author: 'u1', messages: 1 }]]);

      // Before a checkpoint the WAL may still hold the old pages; after it, nothing does.
      await store.pragma('wal_checkpoint(TRUNCATE)');
      expect(traces(bytesOf(path))).toEqual([]);
    } finally {
      await store.close();
    }
    expect(traces(bytesOf(path))).toEqual([]);
  });
});
