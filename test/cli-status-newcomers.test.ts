import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { expect, it } from 'vitest';
import { systemClock } from '../src/domain/clock.ts';
import { openStore } from '../src/store/index.ts';
import { emcee } from './helpers/emcee-cli.ts';

/** Issue 15: `emcee session status` shows the first-timers nobody replied to, with the same Discord link as /chat status. */

const CHANNEL = '111111111111111111';

it('emcee session status lists an unanswered first-timer with the link to their first message', async () => {
  const db = `${mkdtempSync(`${tmpdir()}/emcee-status-`)}/emcee.sqlite`;
  expect((await emcee('series', 'setup', '--guild', '222', '--channel', CHANNEL, '--tag', '#ghost', '--timezone', 'UTC', '--db', db)).code).toBe(0);
  expect((await emcee('session', 'start', '--channel', CHANNEL, '--questions', 'One?', '--db', db)).code).toBe(0);
  const store = openStore(db, systemClock);
  try {
    const m = (platformId: string, authorName: string, replyToId: string | null = null) => store.messages.ingest({
      sessionId: 1, platformId, channelId: CHANNEL, threadId: null, authorId: authorName, authorName, isModerator: false,
      postedAt: new Date('2026-11-23T19:01:00Z'), text: 'hello', replyToId, inReplyTo: [], quote: null, archiveIndex: null,
    });
    await m('901', 'amy');
    await m('902', 'bo');
    await m('903', 'amy', '902');
  } finally {
    store.close();
  }
  const run = await emcee('session', 'status', '--session', '1', '--db', db);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`First-timers: 2 (amy, bo)\nNobody has replied to 1 of them yet:\n- amy: https://discord.com/channels/222/${CHANNEL}/901\n`);
});
