import { PermissionFlagsBits } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.ts';
import { recapToString } from '../../src/recap/index.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { EVENTS_OFF_NOTE } from '../../src/discord/scheduled-events.ts';
import { discordWorld, opt, runCommand, type DiscordWorld } from '../helpers/discord-world.ts';
import { silentLog } from '../helpers/live.ts';

// A Scheduled Event for every session, end to end: the real discord.js client against the
// sandbox, whose events are Discord's (validated, dispatched, checked against the OpenAPI schema).

const NOW = new Date('2026-11-23T19:00:00Z'); // a Monday
const START = new Date('2026-11-23T20:00:00Z');
const MINUTE = 60_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const grantEvents = (sandbox: Sandbox) => {
  const role = sandbox.createRole('Events', PermissionFlagsBits.ManageEvents);
  sandbox.addRole(sandbox.botUser.id, role.id);
};

async function settled(w: DiscordWorld, bot = w.bot): Promise<void> {
  await bot.live.engine.whenIdle();
  await bot.live.events!.idle();
}

/** A weekly series (Mondays 20:00 UTC) with a question set: the planner plans its next session. */
async function weeklySeries(w: DiscordWorld, settings: Record<string, unknown> = {}) {
  const set = await w.store.bank.create({ title: 'Open source', source: 'moderator', questions: ['Why?', 'How?'], guildId: w.sandbox.guild.id });
  await w.store.series.saveForChannel({
    guildId: w.sandbox.guild.id, channelId: w.channelId, tag: '#BadgeChat', timezone: 'UTC', schedule: '0 20 * * 1',
    settings: { questionSetId: set.id, ...settings },
  });
  await w.bot.live.engine.kick();
  await settled(w);
  const [session] = await w.store.sessions.listActive();
  return session!;
}

describe('a Scheduled Event for every session (sandbox, real discord.js client)', () => {
  it('created once when planned, its end moved by extend, ACTIVE at T+0, COMPLETED at close, the interested count in the recap', async () => {
    const w = await discordWorld(NOW, cleanups, {}, grantEvents);
    const session = await weeklySeries(w);
    const events = () => w.sandbox.scheduledEvents.list();
    expect(events()).toHaveLength(1);
    const close = (await w.store.prompts.listBySession(session.id)).find((p) => p.kind === 'close')!;
    expect(events()[0]).toMatchObject({
      name: '#BadgeChat: Open source', status: 1, entity_type: 3, creator_id: w.sandbox.botUser.id,
      scheduled_start_time: START.toISOString(), scheduled_end_time: close.plannedAt.toISOString(),
      entity_metadata: { location: `https://discord.com/channels/${w.sandbox.guild.id}/${w.channelId}` },
    });
    const eventId = events()[0]!.id;

    // Planning runs every engine cycle: still one event.
    await w.bot.live.engine.kick();
    await settled(w);
    expect(events()).toHaveLength(1);

    const fans = ['ann', 'ben', 'cat'].map((name) => w.sandbox.createUser(name).id);
    w.sandbox.scheduledEvents.markInterested(eventId, fans);
    await w.time.advanceTo(START, () => settled(w));
    expect(events()[0]).toMatchObject({ status: 2 });
    expect(await w.store.scheduledEvents.get(session.id)).toMatchObject({ state: 'active', interestedAtStart: 3 });

    await w.bot.live.controls.extend(session.id, 'mod', 10);
    await settled(w);
    const closeAt = close.plannedAt.getTime() + 10 * MINUTE;
    expect(events()[0]!.scheduled_end_time).toBe(new Date(closeAt).toISOString());

    w.sandbox.userSays(w.channelId, fans[0]!, 'A1: because it is fun');
    w.sandbox.scheduledEvents.markInterested(eventId, [w.member]);
    await w.time.advanceTo(closeAt, () => settled(w));
    expect((await w.store.sessions.get(session.id))!.state).toBe('ended');
    expect(events().find((e) => e.id === eventId)).toMatchObject({ status: 3 });
    expect(await w.store.scheduledEvents.get(session.id)).toMatchObject({ state: 'completed', interestedAtStart: 3, interestedAtClose: 4 });
    // The next Monday's session has its own event; each was made once.
    expect(events()).toHaveLength(2);
    expect(w.sandbox.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/scheduled-events'))).toHaveLength(2);

    // The recap: interested vs took part (one fan wrote).
    expect(await recapToString(w.store, session.id, 'md')).toContain(' · 4 interested, 1 took part');
    expect(await recapToString(w.store, session.id, 'html')).toContain('<dt>Interested / took part</dt><dd>4 <small>/</small> 1</dd>');
    expect(JSON.parse(await recapToString(w.store, session.id, 'json')).event).toEqual({ interested: 4, interestedAtStart: 3, tookPart: 1 });
    const csv = (await recapToString(w.store, session.id, 'csv')).trim().split('\r\n');
    const columns = csv[0]!.split(',');
    const [interested, tookPart] = [columns.indexOf('event_interested'), columns.indexOf('event_took_part')];
    expect([interested, tookPart].every((i) => i > 0)).toBe(true);
    // Counted from the end of the row: a comma in the answer's text (quoted) would shift the start.
    const fromEnd = (cells: string[], i: number) => cells.at(i - columns.length);
    expect(csv.slice(1).map((line) => line.split(',')).map((cells) => [fromEnd(cells, interested), fromEnd(cells, tookPart)])).toEqual([['4', '1']]);
  });

  it('cancel cancels the event', async () => {
    const w = await discordWorld(NOW, cleanups, {}, grantEvents);
    const session = await weeklySeries(w);
    await w.bot.live.controls.cancel(session.id, 'mod');
    await settled(w);
    expect(w.sandbox.scheduledEvents.list().find((e) => e.scheduled_start_time === START.toISOString())).toMatchObject({ status: 4 });
  });

  it('without Manage Events: no event request at all, and the chat runs', async () => {
    const w = await discordWorld(NOW, cleanups);
    await weeklySeries(w);
    await w.time.advanceTo(START.getTime() + MINUTE, () => settled(w));
    expect(w.sandbox.scheduledEvents.list()).toEqual([]);
    expect(w.sandbox.requests.filter((r) => r.path.includes('/scheduled-events'))).toEqual([]);
    expect(w.sandbox.messages(w.channelId).some((m) => m.author.id === w.sandbox.botUser.id && /Welcome/.test(m.content))).toBe(true);
  });

  it('reminderRoleId: one post five minutes before the start, pinging that role and nothing else', async () => {
    const w = await discordWorld(NOW, cleanups, {}, grantEvents);
    const fans = w.sandbox.createRole('Chat fans', 0n);
    await weeklySeries(w, { reminderRoleId: fans.id });
    await w.time.advanceTo(START.getTime() - 6 * MINUTE, () => settled(w));
    const reminders = () => w.sandbox.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${w.channelId}/messages` && String((r.body as { content?: string }).content).startsWith('<@&'));
    expect(reminders()).toEqual([]);
    await w.time.advanceTo(START.getTime() - 2 * MINUTE, () => settled(w));
    expect(reminders().map((r) => r.body)).toEqual([{ content: `<@&${fans.id}> #BadgeChat starts in 5 minutes.`, allowed_mentions: { parse: [], roles: [fans.id] } }]);
    const [post] = w.sandbox.messages(w.channelId).filter((m) => m.content.startsWith('<@&'));
    expect(post).toMatchObject({ mention_roles: [fans.id], mention_everyone: false, mentions: [] });
  });

  it('/chat setup says when the bot lacks the permission, and says nothing when it has it', async () => {
    const without = await discordWorld(NOW, cleanups);
    const { content } = await runCommand(without, without.admin, 'chat', 'setup', [opt('tag', 3, '#BadgeChat')]);
    expect(content.split('\n')).toContain(EVENTS_OFF_NOTE);
    expect(content).toMatch(/^Scheduled Events: off for now\. The bot lacks the Create Events \(or Manage Events\) permission/m);
    const granted = await discordWorld(NOW, cleanups, {}, grantEvents);
    expect((await runCommand(granted, granted.admin, 'chat', 'setup', [opt('tag', 3, '#BadgeChat')])).content).not.toMatch(/Scheduled Events/);
  });

  it('killed between the create and its record (the answer lost): the restarted bot finds the event by its marker, no duplicate', async () => {
    const w = await discordWorld(NOW, cleanups, {}, grantEvents);
    w.sandbox.scheduledEvents.loseCreateResponse(1);
    const session = await weeklySeries(w);
    expect(w.sandbox.scheduledEvents.list()).toHaveLength(1);
    expect(await w.store.scheduledEvents.get(session.id)).toMatchObject({ state: 'creating', eventId: null });
    await w.bot.stop(); // the process is gone; what it knew is only what it recorded

    const again = await startApp({ token: w.sandbox.token, apiBase: w.sandbox.apiBase, store: w.store, clock: w.time, timers: w.time, log: silentLog, minuteTick: false });
    cleanups.push(() => again.stop());
    await settled(w, again);
    const [event] = w.sandbox.scheduledEvents.list();
    expect(w.sandbox.scheduledEvents.list()).toHaveLength(1);
    expect(await w.store.scheduledEvents.get(session.id)).toMatchObject({ state: 'scheduled', eventId: event!.id });
    expect(w.sandbox.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/scheduled-events'))).toHaveLength(1);
  });

  it('the record write fails after Discord made the event: a restart adopts it instead of making another', async () => {
    const w = await discordWorld(NOW, cleanups, {}, grantEvents);
    const repo = w.store.scheduledEvents;
    const update = repo.update.bind(repo);
    let failing = true;
    repo.update = async (id, change, at) => {
      if (failing && change.eventId) throw new Error('disk full (simulated)');
      return update(id, change, at);
    };
    const session = await weeklySeries(w);
    expect(await w.store.scheduledEvents.get(session.id)).toMatchObject({ state: 'creating' });
    await w.bot.stop();
    failing = false;

    const again = await startApp({ token: w.sandbox.token, apiBase: w.sandbox.apiBase, store: w.store, clock: w.time, timers: w.time, log: silentLog, minuteTick: false });
    cleanups.push(() => again.stop());
    await settled(w, again);
    expect(w.sandbox.scheduledEvents.list()).toHaveLength(1);
    expect(await w.store.scheduledEvents.get(session.id)).toMatchObject({ state: 'scheduled', eventId: w.sandbox.scheduledEvents.list()[0]!.id });
  });
});
