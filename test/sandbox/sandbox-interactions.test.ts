import { MessageFlags } from 'discord.js';
import { describe, expect, test } from 'vitest';
import { alice, connect, general, next, sandbox, useSandbox } from './support.ts';

// Application commands and interactions: slash commands, replies, deferred replies, follow-ups, autocomplete, modals.

useSandbox();

describe('sandbox with the real discord.js client', () => {
  test('application commands: bulk overwrite is recorded and keeps ids', async () => {
    const client = await connect();
    const set = await client.application?.commands.set([
      { name: 'session', description: 'Run a session', options: [{ type: 3, name: 'set', description: 'Question set' }] },
    ]);
    expect(set?.first()?.name).toBe('session');
    expect(sandbox.commands()).toMatchObject([{ name: 'session', description: 'Run a session', type: 1 }]);
    const put = sandbox.requests.find((r) => r.method === 'PUT');
    expect(put?.path).toBe(`/applications/${sandbox.applicationId}/commands`);
    const guildSet = await client.application?.commands.set([{ name: 'session', description: 'Guild version' }], sandbox.guild.id);
    expect(guildSet?.first()?.guildId).toBe(sandbox.guild.id);
    expect(sandbox.commands()).toMatchObject([{ name: 'session', guild_id: sandbox.guild.id }]);
    await expect(client.application?.commands.set([{ name: 'Bad Name', description: 'x' }])).rejects.toThrow(/Invalid Form Body/);
  });

  test('an interaction: interactionCreate, then reply (ephemeral) recorded as the callback', async () => {
    const client = await connect();
    const modRole = sandbox.createRole('moderator', 1n << 5n);
    sandbox.addRole(alice.id, modRole.id);
    const got = next(client, 'interactionCreate');
    const interaction = sandbox.interact({
      userId: alice.id,
      channelId: general.id,
      name: 'session',
      options: [{ type: 1, name: 'start', options: [{ type: 6, name: 'host', value: alice.id }] }],
    });
    const [received] = await got;
    if (!received.isChatInputCommand()) throw new Error('expected a chat input command');
    expect(received.commandName).toBe('session');
    expect(received.options.getSubcommand()).toBe('start');
    expect(received.options.getUser('host')?.id).toBe(alice.id);
    expect(received.user.id).toBe(alice.id);
    expect(received.channelId).toBe(general.id);
    expect(received.memberPermissions?.has('ManageGuild')).toBe(true);
    await received.reply({ content: 'Started', flags: MessageFlags.Ephemeral });
    const callback = await interaction.callback();
    expect(callback).toEqual({ type: 4, data: expect.objectContaining({ content: 'Started', flags: 64 }) });
    expect(interaction.followUps()[0]).toMatchObject({ content: 'Started', flags: 64 });
    // Ephemeral: not in the channel.
    expect(sandbox.messages(general.id)).toEqual([]);
    await expect(received.reply('twice')).rejects.toThrow();
  });

  test('deferReply + editReply + followUp go through the interaction webhook', async () => {
    const client = await connect();
    const got = next(client, 'interactionCreate');
    const interaction = sandbox.interact({ userId: alice.id, channelId: general.id, name: 'recap' });
    const [received] = await got;
    if (!received.isChatInputCommand()) throw new Error('expected a chat input command');
    await received.deferReply();
    expect(await interaction.callback()).toMatchObject({ type: 5 });
    const edited = await received.editReply('Here is the recap');
    expect(edited.content).toBe('Here is the recap');
    const patch = sandbox.requests.find((r) => r.method === 'PATCH');
    expect(patch?.path).toBe(`/webhooks/${sandbox.applicationId}/${interaction.token}/messages/@original`);
    expect(patch?.body).toMatchObject({ content: 'Here is the recap' });
    await received.followUp('and one more thing');
    expect(interaction.followUps().map((m) => m.content)).toEqual(['Here is the recap', 'and one more thing']);
    expect(sandbox.messages(general.id).map((m) => m.content)).toEqual(['Here is the recap', 'and one more thing']);
    const fetched = await received.fetchReply();
    expect(fetched.id).toBe(interaction.original()?.id);
  });

  test('autocomplete and modal submit interactions', async () => {
    const client = await connect();
    const gotAuto = next(client, 'interactionCreate');
    const auto = sandbox.interact({
      userId: alice.id,
      channelId: general.id,
      name: 'session',
      type: 4,
      options: [{ type: 3, name: 'set', value: 'ba', focused: true }],
    });
    const [autoInteraction] = await gotAuto;
    if (!autoInteraction.isAutocomplete()) throw new Error('expected autocomplete');
    expect(autoInteraction.options.getFocused()).toBe('ba');
    await autoInteraction.respond([{ name: 'BadgeChat', value: 'badgechat' }]);
    expect(await auto.callback()).toEqual({ type: 8, data: { choices: [{ name: 'BadgeChat', value: 'badgechat' }] } });

    const gotModal = next(client, 'interactionCreate');
    const modal = sandbox.interact({
      userId: alice.id,
      channelId: general.id,
      name: 'question-form',
      type: 5,
      data: { components: [{ type: 1, components: [{ type: 4, custom_id: 'text', value: 'Q1: hello' }] }] },
    });
    const [modalInteraction] = await gotModal;
    if (!modalInteraction.isModalSubmit()) throw new Error('expected modal submit');
    expect(modalInteraction.customId).toBe('question-form');
    expect(modalInteraction.fields.getTextInputValue('text')).toBe('Q1: hello');
    await modalInteraction.reply('saved');
    expect((await modal.callback()).type).toBe(4);
    expect(sandbox.messages(general.id).map((m) => m.content)).toEqual(['saved']);
  });
});
