import { afterEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../helpers/poll.ts';
import { discordWorld, opt, runCommand } from '../helpers/discord-world.ts';
import { MINUTE } from '../helpers/live.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/**
 * Issue 15, "Live, for moderators", through the real discord.js client on the sandbox:
 * /chat status names the first-timers nobody has replied to (with a link to their first
 * message) until someone replies, leaves returning participants out, and gives the current
 * question's answers and the time since the last one.
 */

// Monday 2026-11-23, 12:00 in Denver.
const NOW = new Date('2026-11-23T19:00:00Z');

describe('/chat status: first-timers and the current question', () => {
  it('shows an unanswered first-timer with a link, not once someone replied; a returning participant is no first-timer', async () => {
    const w = await discordWorld(NOW, cleanups);
    const guild = w.sandbox.guild.id; // the link names the server
    const newbie = w.sandbox.createUser('__nb__ @everyone').id;
    const ret = w.sandbox.createUser('ret').id;
    await runCommand(w, w.admin, 'chat', 'setup', [opt('tag', 3, '#BadgeChat')]);
    const started = await runCommand(w, w.admin, 'chat', 'start', [opt('questions', 3, 'One? | Two?')]);
    const sessionId = Number(/#(\d+)/.exec(started.content)![1]);
    await runCommand(w, w.admin, 'chat', 'next');
    const stored = async (n: number) => pollUntil(async () => {
      const all = await w.store.messages.listBySession(sessionId);
      return all.filter((m) => !m.fromSelf).length === n ? all.filter((m) => !m.fromSelf) : undefined;
    });

    let status = await runCommand(w, w.mod, 'chat', 'status');
    expect(status.ephemeral).toBe(true);
    expect(status.content).toContain('Now: Q1: no answers yet');
    expect(status.content).toContain('First-timers: none yet');

    const first = w.sandbox.userSays(w.channelId, newbie, 'A1: my first chat');
    w.sandbox.userSays(w.channelId, ret, 'A1: here again');
    const retMessage = (await stored(2)).find((m) => m.authorId === ret);
    // "ret" wrote in last week's session of the same series.
    const session = (await w.store.sessions.get(sessionId))!;
    const last = await w.store.sessions.create({ seriesId: session.seriesId, questionSetId: null, state: 'ended', startsAt: new Date(NOW.getTime() - 7 * 24 * 60 * MINUTE), source: 'live', channelId: w.channelId });
    await w.store.messages.ingest({ ...retMessage!, sessionId: last.id, platformId: 'last-week-1', postedAt: last.startsAt, replyToId: null });
    await w.time.advanceTo(w.time.now().getTime() + 90_000, () => w.bot.live.engine.whenIdle());

    status = await runCommand(w, w.mod, 'chat', 'status');
    expect((status.callback.data as { allowed_mentions?: unknown }).allowed_mentions).toEqual({ parse: [] });
    expect(status.content).toContain('Now: Q1: 2 answers, last 1 min ago');
    expect(status.content).toContain('First-timers: 1 (\\_\\_nb\\_\\_ @everyone)');
    expect(status.content).toContain(`Nobody has replied to 1 of them yet:\n- \\_\\_nb\\_\\_ @everyone: https://discord.com/channels/${guild}/${w.channelId}/${first.id}`);
    expect(status.content).not.toMatch(/\bret\b/);

    w.sandbox.userSays(w.channelId, newbie, 'and more', { replyTo: first.id }); // their own reply is not one
    await stored(3);
    expect((await runCommand(w, w.mod, 'chat', 'status')).content).toContain(`/${first.id}`);
    w.sandbox.userSays(w.channelId, ret, 'welcome!', { replyTo: first.id, ping: false });
    await stored(4);
    status = await runCommand(w, w.mod, 'chat', 'status');
    expect(status.content).not.toContain(`/${first.id}`);
    expect(status.content).toContain('First-timers: 1 (\\_\\_nb\\_\\_ @everyone)\nEvery first-timer has had a reply.');
  });
});
