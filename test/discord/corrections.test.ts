import { REST, Routes } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { applicationCommandsJson } from '../../src/discord/commands/index.ts';
import { exportCsv } from '../../src/recap/csv.ts';
import { exportJson } from '../../src/recap/json.ts';
import { renderMarkdown, streamMarkdown } from '../../src/recap/markdown.ts';
import { buildRecap } from '../../src/recap/model.ts';
import { renderHtml } from '../../src/recap/html.ts';
import type { SandboxMessage } from '../../src/sandbox/index.ts';
import { discordWorld } from '../helpers/discord-world.ts';
import { MINUTE } from '../helpers/live.ts';
import { pollUntil } from '../helpers/poll.ts';

// Moderator corrections (the "Count as answer…" and "Not an answer" message context-menu
// commands) and reactions, end to end: the real discord.js client on the loopback sandbox,
// the bot's store, and the recap's formats.

const T0 = new Date('2026-11-23T23:30:00Z');
const minute = (n: number) => T0.getTime() + n * MINUTE;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A running session in the world's channel (Q1 at T+2, Q2 at T+4, Q3 at T+6), with Q1 and Q2 out; amy and ben take part. */
async function setUp() {
  const world = await discordWorld(new Date(minute(-1)), cleanups, { validateSchemas: true });
  const { sandbox, store, bot, time, channelId } = world;
  const settings = { firstQuestionAtMinutes: 2, questionIntervalMinutes: 2, guidelinesAtMinutes: 1, headsUpMinutesBefore: 0.5, graceMinutes: 2, durationMinutes: 5 };
  const series = await store.series.saveForChannel({ guildId: sandbox.guild.id, channelId, tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings });
  // What `npm run deploy-commands` registers, the context-menu commands with them.
  await new REST({ api: sandbox.apiBase }).setToken(sandbox.token).put(Routes.applicationCommands(sandbox.applicationId), { body: applicationCommandsJson() });
  const step = (to: number) => time.advanceTo(to, () => bot.live.engine.whenIdle());
  await step(minute(0));
  const session = await bot.live.controls.start(series, 'tester', { questions: ['One?', 'Two?', 'Three?'] });
  await step(minute(4.5));
  return {
    ...world, session, elsewhere: sandbox.createChannel('random').id,
    amy: sandbox.createUser('amy').id, ben: sandbox.createUser('ben').id,
  };
}

type World = Awaited<ReturnType<typeof setUp>>;

/** A participant's message, once the bot has stored it. */
async function says(w: World, userId: string, text: string, channelId = w.channelId): Promise<SandboxMessage> {
  const m = w.sandbox.userSays(channelId, userId, text);
  if (channelId === w.channelId) await pollUntil(() => w.store.messages.get(m.id));
  return m;
}

/** Runs a message context-menu command on `target` as `userId`: the bot's (ephemeral) reply. */
async function menu(w: World, userId: string, name: string, target: string) {
  const i = w.sandbox.interact({ userId, channelId: w.channelId, name, messageId: target });
  const callback = await i.callback();
  return { i, callback, data: callback.data as { content: string; flags?: number; components?: { components: { custom_id: string; options: { label: string; value: string }[] }[] }[] } };
}

const csvRows = async (w: World) => {
  let csv = '';
  for await (const chunk of exportCsv(w.store, w.session.id)) csv += chunk;
  const [head, ...rows] = csv.trimEnd().split('\r\n');
  const columns = head!.split(',');
  // The texts in these tests have no commas or quotes: a plain split is the CSV.
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, k) => [columns[k], v])));
};
const json = async (w: World) => {
  let text = '';
  for await (const chunk of exportJson(w.store, w.session.id)) text += chunk;
  return JSON.parse(text) as { questions: { number: number; highlights: { text: string; reactions: number }[] }[]; answers: { question: number | 'TA'; text: string; via: string; reactions: number; correctedBy: string | null }[] };
};

describe('moderator corrections', () => {
  it('Count as answer… moves a misattributed message to the question picked, live; it stays there when the author edits it', async () => {
    const w = await setUp();
    const m = await says(w, w.amy, 'A1 meant for the second question');
    expect((await csvRows(w)).map((r) => [r.question, r.via, r.text])).toEqual([['1', 'label', 'A1 meant for the second question']]);

    const { i, callback, data } = await menu(w, w.admin, 'Count as answer…', m.id);
    expect(callback.type).toBe(4);
    expect(data.flags! & 64).toBe(64); // only the moderator sees it
    const select = data.components![0]!.components[0]!;
    expect(select.options.map((o) => [o.label, o.value])).toEqual([['Q1: One?', '1'], ['Q2: Two?', '2'], ['Takeaway', 'TA']]);
    const pick = w.sandbox.interact({ type: 3, userId: w.admin, channelId: w.channelId, name: select.custom_id, messageId: i.original()!.id, values: ['2'] });
    expect(await pick.callback()).toMatchObject({ type: 7, data: { content: 'Done: counted as an answer to Q2 (an edit will not change that).', components: [] } });

    expect((await csvRows(w)).map((r) => [r.question, r.via, r.text, r.corrected_by])).toEqual([['2', 'correction', 'A1 meant for the second question', 'admin']]);
    w.sandbox.userEdits(m.id, 'A1 meant for the second question (edited)');
    await pollUntil(async () => (await w.store.messages.get(m.id))?.editedAt);
    await w.bot.live.ingest.whenIdle();
    expect((await csvRows(w)).map((r) => [r.question, r.via, r.text])).toEqual([['2', 'correction', 'A1 meant for the second question (edited)']]);
    expect((await w.store.controls.list(w.session.id)).filter((c) => c.action === 'correct'))
      .toEqual([expect.objectContaining({ actor: expect.stringMatching(/^admin \(\d+\)$/), details: { messageId: m.id, target: 2 } })]);
    const md = renderMarkdown(await buildRecap(w.store, w.session.id));
    expect(md).toContain('_via correction, corrected by admin_');
    expect(renderHtml(await buildRecap(w.store, w.session.id))).toContain('corrected by <bdi>admin</bdi>');
    expect((await json(w)).answers).toEqual([expect.objectContaining({ question: 2, via: 'correction', correctedBy: 'admin' })]);
  });

  it('Not an answer takes a message out of the answers, and an edit does not bring it back', async () => {
    const w = await setUp();
    const m = await says(w, w.amy, 'A2 just chatting');
    const kept = await says(w, w.ben, 'A2 a real answer');
    expect((await menu(w, w.admin, 'Not an answer', m.id)).data.content).toBe('Done: that message no longer counts as an answer (an edit will not change that).');
    expect((await csvRows(w)).map((r) => r.text)).toEqual(['A2 a real answer']);
    w.sandbox.userEdits(m.id, 'A2 just chatting, really');
    await pollUntil(async () => (await w.store.messages.get(m.id))?.editedAt);
    await w.bot.live.ingest.whenIdle();
    expect((await csvRows(w)).map((r) => r.text)).toEqual(['A2 a real answer']);
    expect(kept.id).not.toBe(m.id);
  });

  it('refuses a non-moderator, the bot\'s own post and a message outside any session, changing nothing', async () => {
    const w = await setUp();
    const m = await says(w, w.amy, 'A1 hello');
    const refused = await menu(w, w.ben, 'Not an answer', m.id);
    expect(refused.data.content).toBe('You need the Manage Server permission to correct answers.');
    expect(refused.data.flags! & 64).toBe(64);
    const q1 = w.sandbox.messages(w.channelId).find((x) => x.embeds[0]?.title === 'Q1')!;
    await pollUntil(() => w.store.messages.get(q1.id));
    expect((await menu(w, w.admin, 'Count as answer…', q1.id)).data.content).toBe("that is one of Emcee's own posts: only participants' messages can be corrected");
    const outside = await says(w, w.amy, 'A1 somewhere else', w.elsewhere);
    const i = w.sandbox.interact({ userId: w.admin, channelId: w.elsewhere, name: 'Not an answer', messageId: outside.id });
    expect(((await i.callback()).data as { content: string }).content).toBe('that message is not part of any chat session');
    expect(await w.store.corrections.listBySession(w.session.id)).toEqual([]);
    expect((await csvRows(w)).map((r) => [r.question, r.via])).toEqual([['1', 'label']]);
    expect(w.sandbox.schemaViolations()).toEqual([]);
  });
});

describe('reactions', () => {
  it('a reaction right behind its message (not stored yet when it arrives) is counted', async () => {
    const w = await setUp();
    // Both events reach the bot back to back: the message is still in the ingest's pipeline.
    const m = w.sandbox.userSays(w.channelId, w.amy, 'A1 quick one');
    w.sandbox.reactions.add(m.id, w.ben, '👍');
    w.sandbox.reactions.add(m.id, w.admin, '🎉');
    const rows = await pollUntil(async () => {
      const found = (await csvRows(w)).find((r) => r.text === 'A1 quick one');
      return found?.reactions === '2' ? found : null;
    }, 3_000);
    expect(rows).toMatchObject({ question: '1', reactions: '2' });
  });

  it('add, remove, remove-emoji and remove-all reach the recap: each answer\'s count and each question\'s most-reacted answers', async () => {
    const w = await setUp();
    const users = [w.admin, w.amy, w.ben, w.member];
    const a = await says(w, w.amy, 'A1 first idea');
    const b = await says(w, w.ben, 'A1 second idea');
    const c = await says(w, w.amy, 'A2 other idea');
    const party = { id: '222222222222222222', name: 'party' };
    for (const u of users.slice(0, 3)) w.sandbox.reactions.add(b.id, u, '👍');
    w.sandbox.reactions.add(b.id, users[3]!, party);
    w.sandbox.reactions.add(a.id, w.ben, '🔥');
    w.sandbox.reactions.add(a.id, w.ben, '🔥', { burst: true });
    w.sandbox.reactions.add(c.id, w.ben, '👍');
    w.sandbox.reactions.remove(b.id, w.admin, '👍');
    w.sandbox.reactions.removeEmoji(b.id, party);
    w.sandbox.reactions.add(c.id, w.amy, '🎉');
    w.sandbox.reactions.removeAll(c.id);
    // Events are handled in the order they came: the last one done, all are.
    const counts = () => pollUntil(async () => {
      const rows = await csvRows(w);
      return rows.find((r) => r.text === 'A2 other idea')?.reactions === '0' && rows.find((r) => r.text === 'A1 second idea')?.reactions === '2' ? rows : null;
    });
    expect((await counts()).map((r) => [r.question, r.text, r.reactions])).toEqual([['1', 'A1 first idea', '2'], ['1', 'A1 second idea', '2'], ['2', 'A2 other idea', '0']]);

    const recap = await buildRecap(w.store, w.session.id);
    expect(recap.questions.map((q) => q.highlights.map((h) => [h.text, h.reactions]))).toEqual([[['A1 first idea', 2], ['A1 second idea', 2]], [], []]);
    const md = renderMarkdown(recap);
    expect(md).toContain('**Most reacted:**\n\n- **amy**');
    expect(md).toContain('A1 second idea');
    expect(md).toContain('_2 reactions_');
    let streamed = '';
    for await (const chunk of streamMarkdown(w.store, w.session.id)) streamed += chunk;
    expect(streamed).toBe(md);
    expect(renderHtml(recap)).toContain('<div class="highlights"><h4>Most reacted</h4>');
    const j = await json(w);
    expect(j.questions.map((q) => q.highlights.map((h) => h.reactions))).toEqual([[2, 2], [], []]);
    expect(j.answers.map((x) => x.reactions)).toEqual([2, 2, 0]);
  });
});
