/**
 * --anonymize (issue 15, Privacy): participants as stable pseudonyms, moderators by name, in
 * every export (recap md/html/csv/json/archive, series report md/html/json) and the site.
 * The check is on the bytes written: no participant's name or Discord id anywhere.
 *
 * The series, by hand: S1 Nov 2: HostHelen (moderator), Amelia Quartz, borisvoss;
 * S2 Nov 9: HostHelen, borisvoss, Cyrilla Mint. Numbered by first message in the series:
 * Amelia Quartz is Participant 1, borisvoss Participant 2, Cyrilla Mint Participant 3.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { persistSession } from '../../src/live/persist.ts';
import { Pseudonyms } from '../../src/recap/anonymize.ts';
import { openStore } from '../../src/store/index.ts';
import { emcee } from '../helpers/emcee-cli.ts';

const SECRETS = ['Amelia Quartz', 'borisvoss', 'Cyrilla Mint', 'id-amelia-8123', 'id-boris-8124', 'id-cyrilla-8125', '812300000000000001', '812300000000000002'];

let dir = '';
let db = '';
let seriesId = 0;
const sessionIds: number[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'emcee-anonymize-'));
  db = join(dir, 'emcee.sqlite');
  const store = openStore(db, new ManualClock(new Date('2026-11-20T00:00:00Z')));
  const series = await store.series.saveForChannel({ guildId: '10', channelId: '20', tag: '#Anon', timezone: 'UTC', schedule: null, settings: {} });
  seriesId = series.id;
  let seq = 0;
  type Line = { who: string; id: string; text: string; answers?: number | 'TA'; moderator?: boolean; replyTo?: string; inReplyTo?: string[]; quote?: { author: string; text: string } };
  const sessionOf = async (day: number, question: string, lines: Line[]) => {
    const s = await persistSession(store, { series, startsAt: new Date(`2026-11-${String(day).padStart(2, '0')}T18:00:00Z`), questions: [question], questionSetId: null, state: 'ended' });
    sessionIds.push(s.id);
    for (const l of lines) {
      const { message } = await store.messages.ingest({
        sessionId: s.id, platformId: `9${String(++seq).padStart(17, '0')}`, channelId: '20', threadId: null, authorId: l.id, authorName: l.who, isModerator: l.moderator ?? false,
        postedAt: new Date(s.startsAt.getTime() + seq * 60_000), text: l.text, replyToId: l.replyTo ?? null, inReplyTo: l.inReplyTo ?? [], quote: l.quote ?? null, archiveIndex: null,
      });
      if (l.answers !== undefined) await store.messages.recordAttribution(message, { kind: 'answer', question: l.answers, via: 'label', label: 'A1:', text: l.text });
      if (l.answers === 1) await store.reactions.add({ messageId: message.platformId, emoji: '👍', userId: '812300000000000002', burst: false });
    }
  };
  await sessionOf(2, 'Why badges?', [
    { who: 'HostHelen', id: '812300000000000009', text: 'Welcome! Say hi, @Amelia Quartz and <@812300000000000002>', moderator: true },
    { who: 'Amelia Quartz', id: '812300000000000001', text: 'A1: badges motivate https://example.org/?utm_source=x', answers: 1 },
    { who: 'borisvoss', id: '812300000000000002', text: 'A1: agree with @amelia quartz!', answers: 1, replyTo: '900000000000000002', inReplyTo: ['Amelia Quartz'] },
    { who: 'borisvoss', id: '812300000000000002', text: 'TA: thanks @HostHelen', answers: 'TA', quote: { author: 'Amelia Quartz', text: 'badges motivate' } },
  ]);
  await sessionOf(9, 'Who issues?', [
    { who: 'HostHelen', id: '812300000000000009', text: 'Welcome back', moderator: true },
    { who: 'borisvoss', id: '812300000000000002', text: 'A1: schools, says <@812300000000000003>', answers: 1 },
    { who: 'Cyrilla Mint', id: '812300000000000003', text: 'A1: employers, @borisvoss', answers: 1, inReplyTo: ['borisvoss', 'strangerhandle'] },
  ]);
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const leaks = (text: string) => SECRETS.filter((s) => text.toLowerCase().includes(s.toLowerCase()));

describe('Pseudonyms', () => {
  it('numbers participants by first message, keeps moderators, replaces mentions whole-word and case-blind', () => {
    const names = new Pseudonyms([
      { name: 'mod', id: '1', moderator: true },
      { name: 'Zed', id: '2', moderator: false },
      { name: 'amy', id: '3', moderator: false },
      { name: 'Zed', id: '2', moderator: false },
      { name: 'mod', id: '1', moderator: false },
    ]);
    expect([names.name('Zed'), names.name('amy'), names.name('mod'), names.name('nobody')]).toEqual(['Participant 1', 'Participant 2', 'mod', 'someone']);
    expect(names.text('hi @ZED and @amy, @amyx and <@3>, <@!1>, <@99>; mail amy@example.org'))
      .toBe('hi @Participant 1 and @Participant 2, @amyx and @Participant 2, @mod, @someone; mail amy@example.org');
  });
});

describe('--anonymize', () => {
  it('every recap format: no participant name or id in the bytes; moderators by name; the same pseudonym in both sessions', async () => {
    for (const format of ['md', 'html', 'csv', 'json', 'archive']) {
      const outputs: string[] = [];
      for (const id of sessionIds) {
        const run = await emcee('recap', String(id), '--format', format, '--anonymize', '--db', db);
        expect(run, format).toMatchObject({ code: 0, stderr: '' });
        expect(leaks(run.stdout), `${format} of session ${id}`).toEqual([]);
        outputs.push(run.stdout);
      }
      expect(outputs[0], format).toContain('HostHelen');
      expect(outputs[0], format).toContain('Participant 1');
      expect(outputs[0], format).toContain('Participant 2');
      // borisvoss is Participant 2 in both sessions; Cyrilla Mint, new in S2, is 3.
      expect(outputs[1], format).toContain('Participant 2');
      expect(outputs[1], format).toContain('Participant 3');
      expect(outputs[1], format).not.toContain('Participant 1');
    }
    // Without the flag the names are there (the test can fail).
    const plain = await emcee('recap', String(sessionIds[0]), '--format', 'json', '--db', db);
    expect(leaks(plain.stdout)).toEqual(expect.arrayContaining(['Amelia Quartz', 'borisvoss']));
  });

  it('json: authors, reply targets, quotes and mentions are pseudonyms', async () => {
    const json = JSON.parse((await emcee('recap', String(sessionIds[0]), '--format', 'json', '--anonymize', '--db', db)).stdout) as {
      answers: { author: string; text: string }[]; messages: { author: string; text: string; inReplyTo: string[]; quote: { author: string } | null }[];
    };
    expect(json.answers.map((a) => [a.author, a.text])).toEqual([
      ['Participant 1', 'A1: badges motivate https://example.org/?utm_source=x'],
      ['Participant 2', 'A1: agree with @Participant 1!'],
      ['Participant 2', 'TA: thanks @HostHelen'],
    ]);
    expect(json.messages[0]!.text).toBe('Welcome! Say hi, @Participant 1 and @Participant 2');
    expect(json.messages[2]!.inReplyTo).toEqual(['Participant 1']);
    expect(json.messages[3]!.quote?.author).toBe('Participant 1');
  });

  it('series report in md, html and json', async () => {
    for (const format of ['md', 'html', 'json']) {
      const run = await emcee('series', 'report', String(seriesId), '--format', format, '--anonymize', '--db', db);
      expect(run, format).toMatchObject({ code: 0, stderr: '' });
      expect(leaks(run.stdout), format).toEqual([]);
    }
    const json = JSON.parse((await emcee('series', 'report', String(seriesId), '--format', 'json', '--anonymize', '--db', db)).stdout) as { streaks: { author: string }[] };
    expect(json.streaks.map((s) => s.author)).toEqual(['Participant 2']);
  });

  it('the site: no file holds a participant name or id', async () => {
    const out = join(dir, 'site');
    expect(await emcee('site', '--out', out, '--anonymize', '--db', db)).toMatchObject({ code: 0 });
    const files = (function walk(d: string): string[] {
      return readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
    })(out);
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) expect(leaks(readFileSync(f, 'utf8')), f).toEqual([]);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('Participant 2');
  });
});

describe('--anonymize on the seed archives', () => {
  it("the site of all five: not one participant's handle in any file (only the host, SenorG, by name)", async () => {
    const seeds = join(dir, 'seeds.sqlite');
    const archives = readdirSync('seeds').filter((f) => f.endsWith('.txt')).map((f) => join('seeds', f));
    expect(await emcee('import', ...archives, '--db', seeds)).toMatchObject({ code: 0 });
    const raw = new Database(seeds, { readonly: true });
    const people = raw.prepare('SELECT DISTINCT author_name AS name, max(is_moderator) AS moderator FROM messages WHERE author_name IS NOT NULL AND from_self = 0 GROUP BY author_name').all() as { name: string; moderator: number }[];
    raw.close();
    const participants = people.filter((p) => !p.moderator).map((p) => p.name.toLowerCase());
    expect(people.filter((p) => p.moderator).map((p) => p.name)).toEqual(['SenorG']);
    expect(participants.length).toBeGreaterThan(20);
    const out = join(dir, 'seed-site');
    expect(await emcee('site', '--out', out, '--anonymize', '--db', seeds)).toMatchObject({ code: 0 });
    const pages = ['index.html', ...readdirSync(join(out, 'sessions')).map((f) => join('sessions', f)), ...readdirSync(join(out, 'series')).map((f) => join('series', f))];
    for (const page of pages) {
      const text = readFileSync(join(out, page), 'utf8').toLowerCase();
      expect(participants.filter((p) => text.includes(p)), page).toEqual([]);
    }
  });
});
