import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { discordWorld, opt, runCommand, sub, type DiscordWorld } from '../helpers/discord-world.ts';
import { seedPath } from '../helpers/seeds.ts';

// Monday 2026-11-23, 12:00 in Denver.
const NOW = new Date('2026-11-23T19:00:00Z');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** The world's guild (A) and a second server (B) the same bot is in, each with a channel. */
async function twoServers() {
  const w = await discordWorld(NOW, cleanups);
  const guildB = w.sandbox.createGuild('Other Server');
  const channelB = w.sandbox.createChannel('otherchat', { guildId: guildB.id });
  await w.sandbox.waitFor(() => w.bot.client.channels.cache.get(channelB.id));
  return { w, a: w.channelId, b: channelB.id, guildA: w.sandbox.guild.id, guildB: guildB.id };
}

/** /bank add through its form, in a channel. */
async function addSet(w: DiscordWorld, channelId: string, title: string, questions: string) {
  const field = (id: string, value: string) => ({ type: 1, components: [{ type: 4, custom_id: id, value }] });
  const i = w.sandbox.interact({ userId: w.admin, channelId, name: 'bank-add', type: 5, data: { components: [field('title', title), field('questions', questions), field('welcome', ''), field('outro', '')] } });
  const content = ((await i.callback()).data as { content: string }).content;
  const id = Number(/#(\d+)/.exec(content)?.[1]);
  expect(id).toBeGreaterThan(0);
  return id;
}

async function autocompleteSets(w: DiscordWorld, channelId: string) {
  const i = w.sandbox.interact({ userId: w.admin, channelId, name: 'bank', type: 4, options: sub('show', [{ name: 'set', type: 4, value: '', focused: true }]) });
  return ((await i.callback()).data as { choices: { value: number }[] }).choices.map((c) => c.value);
}

describe('question sets belong to the server that made them (issue 10, item 6)', () => {
  it('/bank list, /bank show, autocomplete, /chat start and /chat setup only see this server\'s sets and shared ones', async () => {
    const { w, a, b, guildA, guildB } = await twoServers();
    const mine = await addSet(w, a, 'Server A only', 'Secret A?');
    const theirs = await addSet(w, b, 'Server B only', 'Secret B?');
    const operator = await w.store.bank.create({ title: 'Operator draft', source: 'archive', questions: ['Draft?'] });
    const shared = await w.store.bank.create({ title: 'For everyone', source: 'archive', questions: ['Shared?'], shared: true });
    expect(await w.store.bank.get(mine)).toMatchObject({ guildId: guildA, shared: false });
    expect(await w.store.bank.get(theirs)).toMatchObject({ guildId: guildB, shared: false });

    const listA = (await runCommand(w, w.member, 'bank', 'list', [], a)).content;
    expect(listA).toContain('Server A only');
    expect(listA).toContain('For everyone');
    expect(listA).not.toContain('Server B only');
    expect(listA).not.toContain('Operator draft');
    const listB = (await runCommand(w, w.member, 'bank', 'list', [], b)).content;
    expect(listB).toContain('Server B only');
    expect(listB).not.toContain('Server A only');

    expect(await autocompleteSets(w, a)).toEqual([shared.id, mine]);
    expect(await autocompleteSets(w, b)).toEqual([shared.id, theirs]);

    // Another server's set is refused exactly like an unknown one.
    const unknown = 999;
    const show = async (id: number) => (await runCommand(w, w.member, 'bank', 'show', [opt('set', 4, id)], b)).content;
    expect(await show(mine)).toBe((await show(unknown)).replace(`#${unknown}`, `#${mine}`));
    expect(await show(operator.id)).toBe(`There is no question set #${operator.id}; /bank list shows them.`);
    expect(await show(shared.id)).toContain('Shared?');

    const start = async (id: number) => (await runCommand(w, w.admin, 'chat', 'start', [opt('questions', 3, String(id))], b)).content;
    expect(await start(mine)).toBe(`there is no question set #${mine} in the bank`);
    expect(await start(operator.id)).toBe(`there is no question set #${operator.id} in the bank`);
    expect(await w.store.series.list()).toEqual([]);
    const setup = await runCommand(w, w.admin, 'chat', 'setup', [opt('tag', 3, '#Other'), opt('questions', 4, mine)], b);
    expect(setup.content).toBe(`questions: there is no question set #${mine}; /bank list shows them`);
    expect(await w.store.series.list()).toEqual([]);

    expect(await start(theirs)).toMatch(/has started/);
    expect((await runCommand(w, w.admin, 'chat', 'start', [opt('questions', 3, String(shared.id))], a)).content).toMatch(/has started/);
  });

  it('a chat the operator set up with an operator set still starts with its own set; a set id typed in is checked', async () => {
    const { w, b, guildB } = await twoServers();
    const operator = await w.store.bank.create({ title: 'Operator set', source: 'archive', questions: ['Op?'] });
    await w.store.series.saveForChannel({ guildId: guildB, channelId: b, tag: '#Other', timezone: 'UTC', schedule: null, settings: { questionSetId: operator.id } });
    expect((await runCommand(w, w.admin, 'chat', 'start', [opt('questions', 3, String(operator.id))], b)).content).toBe(`there is no question set #${operator.id} in the bank`);
    expect((await runCommand(w, w.admin, 'chat', 'start', [], b)).content).toMatch(/has started/);
  });

  it('/bank import makes the set this server\'s; the same archive imported in another server gives that server its own copy', async () => {
    const { w, a, b, guildA, guildB } = await twoServers();
    const file = w.sandbox.hostFile('2018-10-22-badgechat.txt', readFileSync(seedPath('001_390feaa8c4f3efe6.txt')));
    const importIn = async (channelId: string) => {
      const i = w.sandbox.interact({ userId: w.admin, channelId, name: 'bank', options: sub('import', [opt('file', 11, file.id)]), data: { resolved: { attachments: { [file.id]: file } } } });
      await i.callback();
      return (await w.sandbox.waitFor(() => {
        const text = String((i.followUps()[0] as { content?: string } | undefined)?.content);
        return /Imported|imported before|already imported|Nothing was imported|went wrong/.test(text) ? text : undefined;
      }));
    };
    expect(await importIn(a)).toMatch(/Question set #1 is in the bank/);
    expect(await w.store.bank.get(1)).toMatchObject({ guildId: guildA });
    const again = await importIn(b);
    expect(again).toMatch(/was imported before \(session #1\); its question set #2 is now in this server's bank/);
    expect(await w.store.bank.get(2)).toMatchObject({ guildId: guildB, questions: (await w.store.bank.get(1))!.questions });
    expect(await importIn(b)).toMatch(/already imported.*question set #2/);
    expect(await w.store.bank.list()).toHaveLength(2);
  });
});
