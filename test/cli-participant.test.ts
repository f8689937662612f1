import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/domain/clock.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import { dumpDb, emcee } from './helpers/emcee-cli.ts';

/** `emcee participant forget <id> [--guild ID]` (issue 15, Privacy). */

const G1 = '100000000000000001';
const G2 = '100000000000000002';
const USER = '300000000000000003';
const SECRET = 'Tangerine-Glacier-5120';
let dbPath: string;

beforeEach(async () => {
  dbPath = `${mkdtempSync(`${tmpdir()}/emcee-participant-`)}/emcee.sqlite`;
  const store = await openSqliteStore(dbPath, new ManualClock(new Date('2026-11-23T23:30:00Z')));
  try {
    for (const [guildId, channelId, n] of [[G1, '200000000000000001', 1], [G2, '200000000000000002', 2]] as const) {
      const series = await store.series.saveForChannel({ guildId, channelId, tag: '#Chat', timezone: 'UTC', schedule: null, settings: {} });
      const s = await store.sessions.create({ seriesId: series.id, questionSetId: null, state: 'ended', startsAt: new Date('2026-11-23T23:30:00Z'), source: 'live', channelId });
      for (const [author, text] of [[USER, `A1 ${SECRET} ${n}`], ['400000000000000004', `A1 other ${n}`]] as const) {
        await store.messages.ingest({
          sessionId: s.id, platformId: `50000000000000000${n}${author === USER ? 1 : 2}`, channelId, threadId: null, authorId: author, authorName: `name-${author}`,
          isModerator: false, postedAt: new Date('2026-11-23T23:40:00Z'), text, replyToId: null, inReplyTo: [], quote: null, archiveIndex: null,
        });
      }
    }
  } finally {
    await store.close();
  }
});

const texts = () => (dumpDb(dbPath).messages as { author_id: string; text: string }[]).map((m) => [m.author_id, m.text]);

describe('emcee participant forget', () => {
  it('--guild forgets in that server only, logs the control without the text; without it, everywhere', async () => {
    const one = await emcee('participant', 'forget', USER, '--guild', G1, '--db', dbPath);
    expect(one).toEqual({
      code: 0, stderr: '',
      stdout: `Forgotten: 1 message in 1 session (text, earlier edits and answers erased), 0 reactions removed. (server ${G1})\n`,
    });
    expect(texts()).toEqual([[USER, ''], ['400000000000000004', 'A1 other 1'], [USER, `A1 ${SECRET} 2`], ['400000000000000004', 'A1 other 2']]);
    const log = dumpDb(dbPath).control_log as { session_id: number; action: string; actor: string; details: string }[];
    expect(log.map((e) => [e.session_id, e.action, e.actor.startsWith('cli:'), JSON.parse(e.details)])).toEqual([[1, 'forget', true, { author: USER, messages: 1 }]]);

    const all = await emcee('participant', 'forget', USER, '--db', dbPath);
    expect(all.stdout).toBe('Forgotten: 1 message in 1 session (text, earlier edits and answers erased), 0 reactions removed. (every server)\n');
    expect(texts().filter(([a]) => a === USER)).toEqual([[USER, ''], [USER, '']]);
    expect(readFileSync(dbPath).includes(Buffer.from(SECRET))).toBe(false);
    expect((await emcee('participant', 'forget', USER, '--db', dbPath)).stdout).toBe('Nothing to forget: no stored messages or reactions of this participant. (every server)\n');
  });

  it('bad input: one line naming what is wrong, exit 2, nothing changed', async () => {
    const before = dumpDb(dbPath);
    expect(await emcee('participant', 'forget', '--db', dbPath)).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^emcee: participant forget needs the participant's user id: usage: emcee participant forget <user id> \[--guild ID\]\n$/) });
    expect(await emcee('participant', 'remember', USER, '--db', dbPath)).toMatchObject({ code: 2, stderr: 'emcee: usage: emcee participant forget <user id> [--guild ID]\n' });
    expect(await emcee('participant', 'forget', USER, '--guild', 'abc', '--db', dbPath)).toMatchObject({ code: 2, stderr: 'emcee: --guild must be a server id (17 to 20 digits), not "abc"\n' });
    expect(await emcee('participant', 'forget', USER, 'extra', '--db', dbPath)).toMatchObject({ code: 2 });
    expect((await emcee('participant', '--help')).stdout).toContain('Usage: emcee participant forget <user id> [--guild ID]');
    expect(dumpDb(dbPath)).toEqual(before);
  });
});
