import { afterEach, describe, expect, it } from 'vitest';
import { FORGET_EXPLAINED } from '../../src/discord/forget-me.ts';
import { RECAP_FORMATS, recapToString } from '../../src/recap/index.ts';
import type { SandboxMessage } from '../../src/sandbox/index.ts';
import { discordWorld, opt, runCommand } from '../helpers/discord-world.ts';
import { MINUTE } from '../helpers/live.ts';
import { pollUntil } from '../helpers/poll.ts';

// /chat forget-me end to end (issue 15, Privacy): the real discord.js client on the loopback
// sandbox, the ephemeral "Forget me" button, the store and every export of the session.

const T0 = new Date('2026-11-23T23:30:00Z');
const SECRET = 'Saffron-Nebula-6473';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A session started with /chat start, and a second server's session where amy wrote too. */
async function setUp() {
  const w = await discordWorld(T0, cleanups, { validateSchemas: true });
  expect((await runCommand(w, w.admin, 'chat', 'start', [opt('questions', 3, 'One?|Two?')])).content).toMatch(/^Session #1 of/);
  await w.time.advanceTo(T0.getTime() + 10 * MINUTE, () => w.bot.live.engine.whenIdle());
  const guildB = w.sandbox.createGuild('Other Server');
  const channelB = w.sandbox.createChannel('otherchat', { guildId: guildB.id });
  const seriesB = await w.store.series.saveForChannel({ guildId: guildB.id, channelId: channelB.id, tag: '#Other', timezone: 'UTC', schedule: null, settings: {} });
  const sessionB = await w.store.sessions.create({ seriesId: seriesB.id, questionSetId: null, state: 'ended', startsAt: T0, source: 'live', channelId: channelB.id });
  return { ...w, session: (await w.store.sessions.get(1))!, sessionB, amy: w.sandbox.createUser('amy').id, ben: w.sandbox.createUser('ben').id };
}

type World = Awaited<ReturnType<typeof setUp>>;

async function says(w: World, userId: string, text: string): Promise<SandboxMessage> {
  const m = w.sandbox.userSays(w.channelId, userId, text);
  await pollUntil(() => w.store.messages.get(m.id));
  return m;
}

const buttonOf = (m: { components?: unknown[] } | undefined) =>
  (m?.components?.[0] as { components: { custom_id: string; label: string; style: number }[] } | undefined)?.components[0];

describe('/chat forget-me', () => {
  it("asks first; the asker's Forget me erases their text in this server's sessions from the store and every export", async () => {
    const w = await setUp();
    const mine = await says(w, w.amy, `A1 ${SECRET} is my answer`);
    await says(w, w.ben, 'A1 ben keeps this answer');
    w.sandbox.userEdits(mine.id, `A1 ${SECRET} edited`);
    await pollUntil(async () => (await w.store.messages.get(mine.id))?.text.includes('edited'));
    await w.bot.live.ingest.whenIdle();
    await w.store.messages.ingest({
      sessionId: w.sessionB.id, platformId: '999000000000000001', channelId: null, threadId: null, authorId: w.amy, authorName: 'amy',
      isModerator: false, postedAt: T0, text: `A1 ${SECRET} elsewhere`, replyToId: null, inReplyTo: [], quote: null, archiveIndex: null,
    });
    for (const format of RECAP_FORMATS) expect(await recapToString(w.store, w.session.id, format), format).toContain(SECRET);

    // The command only asks: an ephemeral explanation with the button; nothing is forgotten yet.
    const asked = await runCommand(w, w.amy, 'chat', 'forget-me');
    expect(asked.ephemeral).toBe(true);
    expect(asked.content).toBe(FORGET_EXPLAINED);
    expect((await w.store.messages.get(mine.id))!.text).toContain(SECRET);
    const original = await pollUntil(async () => asked.interaction.original());
    const button = buttonOf(original);
    expect(button).toMatchObject({ label: 'Forget me', custom_id: `emcee:forget:${w.amy}`, style: 4 });

    // Someone else pressing it (a forwarded custom id) is refused and forgets nobody.
    const other = w.sandbox.interact({ type: 3, userId: w.ben, channelId: w.channelId, name: button!.custom_id, messageId: original!.id });
    const refused = await other.callback();
    expect(refused.type).toBe(4);
    expect((refused.data as { content: string }).content).toBe('This button forgets only the person who asked for it; run /chat forget-me yourself.');
    expect((await w.store.messages.get(mine.id))!.text).toContain(SECRET);

    const click = w.sandbox.interact({ type: 3, userId: w.amy, channelId: w.channelId, name: button!.custom_id, messageId: original!.id });
    const done = await click.callback();
    expect(done.type).toBe(7); // the ephemeral message updated in place, its button gone
    expect((done.data as { content: string; components: unknown[] })).toMatchObject({
      content: 'Forgotten: 1 message in 1 session (text, earlier edits and answers erased), 0 reactions removed.', components: [],
    });

    const gone = (await w.store.messages.get(mine.id))!;
    expect([gone.text, gone.authorName, gone.deletedAt !== null]).toEqual(['', '(forgotten)', true]);
    expect(await w.store.messages.previousTexts(mine.id)).toEqual([]);
    for (const format of RECAP_FORMATS) {
      const out = await recapToString(w.store, w.session.id, format);
      expect(out, format).toContain('ben keeps this answer');
      expect(out, format).not.toContain(SECRET);
    }
    const log = (await w.store.controls.list(w.session.id)).filter((e) => e.action === 'forget');
    expect(log.map((e) => [e.actor, e.details])).toEqual([[w.amy, { author: w.amy, messages: 1 }]]);
    expect(JSON.stringify(await w.store.controls.list(w.session.id))).not.toContain(SECRET);
    // Tenancy: the other server's message is untouched.
    expect((await w.store.messages.get('999000000000000001'))!.text).toBe(`A1 ${SECRET} elsewhere`);
  });
});
