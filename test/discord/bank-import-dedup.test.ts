import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { discordWorld, opt, sub } from '../helpers/discord-world.ts';
import { ROOT } from '../helpers/seeds.ts';

/** /bank import recognises an archive imported before whatever its line endings or BOM (issue 10, item 13). */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('/bank import of the same chat with other line endings', () => {
  it('is "already imported", with no second session or question set', async () => {
    const w = await discordWorld(new Date('2026-11-23T19:00:00Z'), cleanups);
    const original = readFileSync(`${ROOT}seeds/2018-10-22-badgechat.txt`, 'utf8');
    const importIn = async (name: string, text: string) => {
      const file = w.sandbox.hostFile(name, Buffer.from(text));
      const i = w.sandbox.interact({ userId: w.admin, channelId: w.channelId, name: 'bank', options: sub('import', [opt('file', 11, file.id)]), data: { resolved: { attachments: { [file.id]: file } } } });
      await i.callback();
      return w.sandbox.waitFor(() => {
        const text = String((i.followUps()[0] as { content?: string } | undefined)?.content);
        return /Imported|imported before|already imported|Nothing was imported|went wrong/.test(text) ? text : undefined;
      });
    };
    expect(await importIn('chat.txt', original)).toMatch(/Question set #1 is in the bank/);
    expect(await importIn('chat-crlf.txt', `\uFEFF${original.replace(/\n/g, '\r\n')}\r\n\r\n`)).toMatch(/already imported/);
    expect(await w.store.bank.list()).toHaveLength(1);
    expect(await w.store.dumpTable('sessions')).toHaveLength(1);
  });
});
