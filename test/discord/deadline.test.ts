import { afterEach, describe, expect, it } from 'vitest';
import { discordWorld, opt, sub } from '../helpers/discord-world.ts';

// Monday 2026-11-23, 12:00 in Denver.
const NOW = new Date('2026-11-23T19:00:00Z');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('the 3-second deadline (issue 10, item 8)', () => {
  it('with every message post taking 5 s, every /chat command is still answered or deferred in time, and finishes', async () => {
    const w = await discordWorld(NOW, cleanups);
    const set = await w.store.bank.create({ title: 'Failure', source: 'moderator', questions: ['Why fail?', 'How to fail well?', 'What next?'], guildId: w.sandbox.guild.id });
    const slow = w.sandbox.delay({ method: 'POST', path: /^\/channels\/\d+\/messages$/ }, 5_000);
    cleanups.push(() => slow.stop());

    // The sandbox refuses an initial response later than 3 s (10062), and callback() then
    // rejects: each await below fails if that command's handler answered too late.
    const sent: { name: string; interaction: ReturnType<typeof w.sandbox.interact> }[] = [];
    const ack = async (name: string, options: unknown[] = []) => {
      const interaction = w.sandbox.interact({ userId: w.admin, channelId: w.channelId, name: 'chat', options: sub(name, options) });
      await interaction.callback();
      sent.push({ name, interaction });
    };
    await ack('setup', [opt('tag', 3, '#BadgeChat'), opt('questions', 4, set.id), opt('moderator-role', 8, w.modRole)]);
    await ack('start');
    await ack('status');
    await ack('next');
    await ack('pause');
    await ack('resume');
    await ack('extend', [opt('minutes', 4, 5)]);
    await ack('skip', [opt('question', 4, 3)]);
    await ack('recap');
    await ack('end');
    await ack('cancel');

    // Every command was acknowledged while no post of the bot had gone through yet.
    expect(w.sandbox.messages(w.channelId).filter((m) => m.author.id === w.sandbox.botUser.id && !m.interaction_metadata)).toEqual([]);

    // Let Discord be fast again; every command then shows its outcome.
    slow.stop();
    await w.bot.live.engine.whenIdle();
    const outcome = async (name: string) => {
      const { interaction } = sent.find((s) => s.name === name)!;
      const message = await w.sandbox.waitFor(() => {
        const m = interaction.original();
        return m && ((m.flags ?? 0) & 128) === 0 ? m : undefined;
      });
      expect((message.flags ?? 0) & 64).toBe(64); // ephemeral
      return message.content;
    };
    expect(await outcome('setup')).toMatch(/^Set up \*\*#BadgeChat\*\*/);
    expect(await outcome('start')).toMatch(/^Session #\d+ of \*\*#BadgeChat\*\* has started\.$/);
    expect(await outcome('status')).toMatch(/session #\d+: running/);
    expect(await outcome('next')).toBe('Q1 is going out now; the rest of the timetable moved up.');
    expect(await outcome('pause')).toMatch(/^Paused/);
    expect(await outcome('resume')).toMatch(/^Resumed/);
    expect(await outcome('extend')).toBe('Extended by 5 minutes.');
    expect(await outcome('skip')).toBe('Q3 is skipped.');
    expect(await outcome('recap')).toContain('Q1: Why fail?');
    expect(await outcome('end')).toMatch(/^The outro is going out now/);
    expect(await outcome('cancel')).toMatch(/cancel/);
  }, 20_000);
});
