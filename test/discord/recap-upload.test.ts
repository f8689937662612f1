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

/** A short session run to its close; returns the recap message the bot posted then. */
async function sessionToClose(maxUploadBytes: number) {
  const w = await discordWorld(NOW, cleanups, { maxUploadBytes });
  await runCommand(w, w.admin, 'chat', 'setup', [opt('tag', 3, '#BadgeChat')]);
  const started = await runCommand(w, w.admin, 'chat', 'start', [opt('questions', 3, 'One? | Two?')]);
  const sessionId = Number(/#(\d+)/.exec(started.content)![1]);
  await runCommand(w, w.admin, 'chat', 'next');
  w.sandbox.userSays(w.channelId, w.member, 'A1: an answer');
  await pollUntil(async () => (await w.store.messages.answers(sessionId)).length > 0 || undefined);
  await runCommand(w, w.admin, 'chat', 'end');
  await w.time.advanceTo(w.time.now().getTime() + 20 * MINUTE, () => w.bot.live.engine.whenIdle());
  // The sandbox enforces Discord's 5 posts per 5 s per channel: after the prompts, the recap
  // (and its resend without what did not fit) may wait for the window, as on Discord.
  const recap = await w.sandbox.waitFor(() => w.sandbox.messages(w.channelId).find((m) => m.embeds[0]?.title === '#BadgeChat recap'), 15_000);
  return { w, sessionId, recap };
}

describe('the recap post fits Discord\'s upload limit (issue 10, item 10)', () => {
  it('with room for both, the Markdown and the page are attached', async () => {
    const { sessionId, recap } = await sessionToClose(10 * 1024 * 1024);
    expect(recap.attachments.map((a) => a.filename)).toEqual([`BadgeChat-session-${sessionId}.md`, `BadgeChat-session-${sessionId}.html`]);
    expect(recap.attachments[1]!.size).toBeGreaterThan(8 * 1024);
    expect(recap.embeds[0]!.description).toContain('The full recap is attached');
  });

  it('a page too large for the limit is left out with a line saying how to get it; the summary and the Markdown go out', async () => {
    const { sessionId, recap } = await sessionToClose(8 * 1024);
    expect(recap.attachments.map((a) => a.filename)).toEqual([`BadgeChat-session-${sessionId}.md`]);
    expect(recap.embeds[0]!.description).toContain(`too large to attach here; \`emcee recap ${sessionId} --format html\` writes it`);
    expect(recap.embeds[0]!.description).not.toContain('The full recap is attached');
  });

  it('when nothing fits, the summary still goes out, naming both commands', async () => {
    const { sessionId, recap } = await sessionToClose(10);
    expect(recap.attachments).toEqual([]);
    expect(recap.embeds[0]!.description).toContain(`\`emcee recap ${sessionId} --format md\``);
    expect(recap.embeds[0]!.description).toContain(`\`emcee recap ${sessionId} --format html\``);
    expect(recap.embeds[0]!.fields?.[0]?.name).toBe('Q1');
  });

  it('/chat recap leaves out what does not fit the interaction\'s limit, and says so', async () => {
    const { w, sessionId } = await sessionToClose(8 * 1024);
    const r = await runCommand(w, w.member, 'chat', 'recap');
    expect(r.content).toContain(`\`emcee recap ${sessionId} --format html\``);
    expect(r.interaction.original()!.attachments.map((a) => a.filename)).toEqual([`BadgeChat-session-${sessionId}.md`]);
  });
});
