import { afterEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../helpers/poll.ts';
import { discordWorld, opt, runCommand } from '../helpers/discord-world.ts';
import { MINUTE } from '../helpers/live.ts';

// Monday 2026-11-23, 12:00 in Denver.
const NOW = new Date('2026-11-23T19:00:00Z');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('user text is shown literally, never as Markdown (issue 10, item 9)', () => {
  it('names, tags, questions and takeaways in replies, status, /chat recap and the recap embed', async () => {
    const w = await discordWorld(NOW, cleanups);
    const x = w.sandbox.createUser('__x__').id;
    const setup = await runCommand(w, w.admin, 'chat', 'setup', [opt('tag', 3, '#__x__')]);
    expect(setup.content).toMatch(/^Set up \*\*#\\_\\_x\\_\\_\*\* in /);
    const started = await runCommand(w, w.admin, 'chat', 'start', [opt('questions', 3, 'Why *this*? | Two?')]);
    expect(started.content).toMatch(/^Session #\d+ of \*\*#\\_\\_x\\_\\_\*\* has started\.$/);
    const sessionId = Number(/#(\d+)/.exec(started.content)![1]);
    await runCommand(w, w.admin, 'chat', 'next');
    w.sandbox.userSays(w.channelId, x, 'A1: because');
    await pollUntil(async () => (await w.store.messages.answers(sessionId)).length === 1 || undefined);

    expect((await runCommand(w, w.member, 'chat', 'status')).content).toMatch(/^\*\*#\\_\\_x\\_\\_\*\* session #\d+: running/);
    const recap = (await runCommand(w, w.member, 'chat', 'recap')).content;
    expect(recap).toContain('**#\\_\\_x\\_\\_** session');
    expect(recap).toContain('Q1: Why \\*this\\*?');
    expect(recap).toContain('1 answer from \\_\\_x\\_\\_');

    await runCommand(w, w.admin, 'chat', 'end');
    w.sandbox.userSays(w.channelId, x, 'TA: see [x](https://evil.example) **now**');
    await pollUntil(async () => (await w.store.messages.answers(sessionId)).length === 2 || undefined);
    await w.time.advanceTo(w.time.now().getTime() + 20 * MINUTE, () => w.bot.live.engine.whenIdle());
    const post = await w.sandbox.waitFor(() => w.sandbox.messages(w.channelId).find((m) => m.embeds[0]?.title?.endsWith(' recap')));
    const embed = post.embeds[0]!;
    expect(embed.title).toBe('#\\_\\_x\\_\\_ recap');
    const takeaways = embed.fields!.find((f) => f.name === 'Takeaways')!.value;
    expect(takeaways).toBe('• \\_\\_x\\_\\_: TA: see \\[x\\](https://evil.example) \\*\\*now\\*\\*');
  });

  it('/bank add, list and show, and /bank import progress', async () => {
    const w = await discordWorld(NOW, cleanups);
    const field = (id: string, value: string) => ({ type: 1, components: [{ type: 4, custom_id: id, value }] });
    const i = w.sandbox.interact({ userId: w.admin, channelId: w.channelId, name: 'bank-add', type: 5, data: { components: [
      field('title', '**Bold** [x](https://evil.example)'), field('questions', 'Why _this_?\n# Big'), field('welcome', '> quoted'), field('outro', '||spoiler||'),
    ] } });
    const added = ((await i.callback()).data as { content: string }).content;
    expect(added).toBe('Question set #1 "\\*\\*Bold\\*\\* \\[x\\](https://evil.example)" is in the bank with 2 questions.');
    expect((await runCommand(w, w.member, 'bank', 'list')).content).toBe('**#1** \\*\\*Bold\\*\\* \\[x\\](https://evil.example) (2 questions)');
    expect((await runCommand(w, w.member, 'bank', 'show', [opt('set', 4, 1)])).content).toBe([
      '**#1 \\*\\*Bold\\*\\* \\[x\\](https://evil.example)**', 'Q1. Why \\_this\\_?', 'Q2. \\# Big', '', 'Welcome: \\> quoted', 'Outro: \\|\\|spoiler\\|\\|',
    ].join('\n'));

    const file = w.sandbox.hostFile('__evil__.txt', '#x Archive\nMonday October 22, 2018\nnot a time');
    const imp = w.sandbox.interact({ userId: w.admin, channelId: w.channelId, name: 'bank', options: [{ type: 1, name: 'import', options: [opt('file', 11, file.id)] }], data: { resolved: { attachments: { [file.id]: file } } } });
    await imp.callback();
    const text = await w.sandbox.waitFor(() => {
      const t = String((imp.followUps()[0] as { content?: string } | undefined)?.content);
      return t.startsWith('Nothing') ? t : undefined;
    });
    expect(text).toMatch(/^Nothing was imported: \\_\\_evil\\_\\_\.txt:3: /);
    const edits = w.sandbox.requests.filter((r) => r.method === 'PATCH' && r.path.includes(imp.token)).map((r) => (r.body as { content: string }).content);
    expect(edits[0]).toBe('Downloading \\_\\_evil\\_\\_.txt (1 KB)…');
  });
});
