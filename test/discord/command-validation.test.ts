import { afterEach, describe, expect, it } from 'vitest';
import { discordWorld, opt, runCommand } from '../helpers/discord-world.ts';

// Monday 2026-11-23, 12:00 in Denver.
const NOW = new Date('2026-11-23T19:00:00Z');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const tables = async (w: Awaited<ReturnType<typeof discordWorld>>) =>
  JSON.stringify(await Promise.all((['series', 'sessions', 'prompts', 'control_log', 'question_sets', 'questions'] as const).map((t) => w.store.dumpTable(t))));

describe('every command validates all its input before its first write (issue 10, item 7)', () => {
  it.each([
    ['too many inline questions', [opt('questions', 3, Array(11).fill('q').join(' | '))], 'give between 1 and 10 questions'],
    ['an empty inline question list', [opt('questions', 3, ' | | ')], 'give between 1 and 10 questions'],
    ['an inline question too long to post', [opt('questions', 3, `ok? | ${'x'.repeat(1999)}`)], /^Q2 is too long/],
    ['an unknown question set', [opt('questions', 3, '42')], 'there is no question set #42 in the bank'],
    ['no questions at all', [], /^no questions/],
  ])('/chat start with %s in a channel without a chat is refused and leaves no series behind', async (_name, options, message) => {
    const w = await discordWorld(NOW, cleanups);
    const before = await tables(w);
    const r = await runCommand(w, w.admin, 'chat', 'start', options);
    expect(r.ephemeral).toBe(true);
    if (typeof message === 'string') expect(r.content).toBe(message);
    else expect(r.content).toMatch(message);
    expect(await w.store.series.list()).toEqual([]);
    expect(await tables(w)).toBe(before);
  });

  it('a good one-off start in a fresh channel still creates its chat and runs', async () => {
    const w = await discordWorld(NOW, cleanups);
    const r = await runCommand(w, w.admin, 'chat', 'start', [opt('questions', 3, 'One? | Two?')]);
    expect(r.content).toMatch(/^Session #\d+ of \*\*#badgechat\*\* has started\.$/);
    expect(await w.store.series.list()).toHaveLength(1);
  });
});

describe('refusals read naturally (issue 10, item 11)', () => {
  it.each([
    ['next', [], 'to move on to the next question'],
    ['skip', [], 'to skip a question'],
    ['pause', [], 'to pause the session'],
    ['resume', [], 'to resume the session'],
    ['extend', [opt('minutes', 4, 5)], 'to give the current question more time'],
    ['end', [], 'to end the session'],
    ['cancel', [], 'to cancel the session'],
    ['start', [], 'to start a session'],
  ])('/chat %s by a member without rights', async (name, options, action) => {
    const w = await discordWorld(NOW, cleanups);
    await runCommand(w, w.admin, 'chat', 'setup', [opt('tag', 3, '#BadgeChat'), opt('moderator-role', 8, w.modRole)]);
    if (name !== 'start') await runCommand(w, w.admin, 'chat', 'start', [opt('questions', 3, 'One? | Two?')]);
    const r = await runCommand(w, w.member, 'chat', name, options);
    expect(r.content).toBe(`You need the Manage Server permission or the <@&${w.modRole}> role ${action}.`);
    expect(r.content).not.toMatch(/to (next|skip|pause|resume|extend|end|cancel) a session/);
  });
});
