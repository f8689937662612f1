import { GatewayIntentBits, Partials } from 'discord.js';
import { describe, expect, test } from 'vitest';
import { MAX_REACTION_EMOJI } from '../../src/sandbox/reactions.ts';
import { alice, connect, general, GuildMessages, Guilds, next, restartSandbox, sandbox, useSandbox } from './support.ts';

// Reactions: the control API, the four MESSAGE_REACTION_* events as the real discord.js client
// reads them (on messages it never cached: partials), and the counts on the message object.

useSandbox();

const withReactions = () => connect({
  intents: [Guilds, GuildMessages, GatewayIntentBits.GuildMessageReactions],
  partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User],
});

describe('sandbox reactions', () => {
  test('add, remove, remove-emoji and remove-all reach discord.js, and the message carries the counts', async () => {
    await restartSandbox({ validateSchemas: true });
    const general2 = sandbox.createChannel('general');
    const bob = sandbox.createUser('bob');
    const carol = sandbox.createUser('carol');
    const dave = sandbox.createUser('dave');
    const posted = sandbox.userSays(general2.id, bob.id, 'an answer');
    const client = await withReactions();
    const party = { id: '111111111111111111', name: 'party' };

    const raw: { t: string; d: Record<string, unknown> }[] = [];
    client.on('raw', (packet: { t: string; d: Record<string, unknown> }) => {
      if (packet.t?.startsWith('MESSAGE_REACTION')) raw.push(packet);
    });
    const added = next(client, 'messageReactionAdd');
    expect(sandbox.reactions.add(posted.id, carol.id, '👍')).toBe(true);
    const [reaction, user, details] = await added;
    expect(reaction.message.id).toBe(posted.id);
    expect(reaction.message.partial).toBe(true); // never cached: the event alone
    expect(reaction.emoji.name).toBe('👍');
    expect(user.id).toBe(carol.id);
    expect(details).toMatchObject({ burst: false, type: 0 });
    expect(raw[0]?.d).toMatchObject({
      user_id: carol.id, channel_id: general2.id, message_id: posted.id, guild_id: sandbox.guild.id, message_author_id: bob.id,
      member: { user: { id: carol.id } }, emoji: { id: null, name: '👍' }, burst: false, burst_colors: [], type: 0,
    });

    expect(sandbox.reactions.add(posted.id, carol.id, '👍')).toBe(false); // already there: no event
    const custom = next(client, 'messageReactionAdd');
    sandbox.reactions.add(posted.id, dave.id, party, { burst: true });
    const [superReaction, , superDetails] = await custom;
    expect(superReaction.emoji.id).toBe(party.id);
    expect(superDetails).toMatchObject({ burst: true, type: 1 });
    sandbox.reactions.add(posted.id, dave.id, '👍');

    const fetched = await (await client.channels.fetch(general2.id) as import('discord.js').TextChannel).messages.fetch(posted.id);
    expect(fetched.reactions.cache.map((r) => [r.emoji.name, r.count])).toEqual([['👍', 2], ['party', 1]]);
    expect(sandbox.message(posted.id)?.reactions).toEqual([
      { count: 2, count_details: { burst: 0, normal: 2 }, me: false, me_burst: false, emoji: { id: null, name: '👍' }, burst_colors: [] },
      { count: 1, count_details: { burst: 1, normal: 0 }, me: false, me_burst: false, emoji: { id: party.id, name: 'party' }, burst_colors: expect.any(Array) },
    ]);

    const removed = next(client, 'messageReactionRemove');
    expect(sandbox.reactions.remove(posted.id, carol.id, '👍')).toBe(true);
    const [gone, who] = await removed;
    expect([gone.emoji.name, who.id]).toEqual(['👍', carol.id]);
    expect(sandbox.reactions.remove(posted.id, carol.id, '👍')).toBe(false);

    const emojiGone = next(client, 'messageReactionRemoveEmoji');
    sandbox.reactions.removeEmoji(posted.id, party);
    expect((await emojiGone)[0].emoji.id).toBe(party.id);

    const allGone = next(client, 'messageReactionRemoveAll');
    sandbox.reactions.removeAll(posted.id);
    expect((await allGone)[0].id).toBe(posted.id);
    expect(sandbox.message(posted.id)?.reactions).toBeUndefined();
    expect(raw.map((p) => p.t)).toEqual([
      'MESSAGE_REACTION_ADD', 'MESSAGE_REACTION_ADD', 'MESSAGE_REACTION_ADD', 'MESSAGE_REACTION_REMOVE', 'MESSAGE_REACTION_REMOVE_EMOJI', 'MESSAGE_REACTION_REMOVE_ALL',
    ]);
    expect(raw[3]!.d).toEqual({ user_id: carol.id, channel_id: general2.id, message_id: posted.id, guild_id: sandbox.guild.id, emoji: { id: null, name: '👍' }, burst: false, type: 0 });
    expect(raw[5]!.d).toEqual({ channel_id: general2.id, message_id: posted.id, guild_id: sandbox.guild.id });
    expect(sandbox.schemaViolations()).toEqual([]);
  });

  test('without the GuildMessageReactions intent the client hears nothing', async () => {
    const posted = sandbox.userSays(general.id, alice.id, 'hello');
    const client = await connect({ partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User] });
    let heard = 0;
    client.on('messageReactionAdd', () => heard++);
    const marker = next(client, 'messageCreate');
    sandbox.reactions.add(posted.id, alice.id, '👍');
    sandbox.userSays(general.id, alice.id, 'after'); // events go in order: this comes after the reaction's would have
    await marker;
    expect(heard).toBe(0);
  });

  test('Discord\'s limits: 20 distinct emoji a message, an unknown message', async () => {
    const posted = sandbox.userSays(general.id, alice.id, 'popular');
    for (let i = 0; i < MAX_REACTION_EMOJI; i++) sandbox.reactions.add(posted.id, alice.id, { id: String(100000000000000000n + BigInt(i)), name: `e${i}` });
    expect(() => sandbox.reactions.add(posted.id, alice.id, '👍')).toThrow(/Maximum number of reactions reached \(20\)/);
    sandbox.reactions.add(posted.id, sandbox.owner.id, { id: '100000000000000000', name: 'e0' }); // an emoji already there: fine
    expect(sandbox.message(posted.id)?.reactions?.[0]?.count).toBe(2);
    expect(() => sandbox.reactions.add('123', alice.id, '👍')).toThrow(/Unknown Message/);
  });
});
