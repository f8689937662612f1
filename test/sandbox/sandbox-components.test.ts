import {
  ActionRowBuilder, ApplicationCommandType, ButtonBuilder, ButtonStyle, MessageFlags, ModalBuilder,
  StringSelectMenuBuilder, TextInputBuilder, TextInputStyle,
} from 'discord.js';
import { describe, expect, test } from 'vitest';
import { alice, connect, general, next, sandbox, useSandbox } from './support.ts';

// Message components (buttons, select menus: interaction type 3), modals opened from them
// (type 5 with the message), and message context-menu commands (type 2, command type 3).

useSandbox();

async function postWithButton() {
  const client = await connect();
  const channel = await client.channels.fetch(general.id);
  if (!channel?.isSendable()) throw new Error('expected a text channel');
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId('answer:7').setLabel('Answer').setStyle(ButtonStyle.Primary),
    new ButtonBuilder().setCustomId('off').setLabel('Off').setStyle(ButtonStyle.Secondary).setDisabled(true),
    new ButtonBuilder().setURL('https://example.org/').setLabel('Link').setStyle(ButtonStyle.Link),
  );
  const posted = await channel.send({ content: 'Q1: What is a badge?', components: [row] });
  return { client, posted };
}

describe('sandbox: components, modals and message context menus with the real discord.js client', () => {
  test('a button click reaches the bot as a ButtonInteraction carrying its message; showModal, then the modal submit', async () => {
    const { client, posted } = await postWithButton();
    const clicked = next(client, 'interactionCreate');
    const click = sandbox.interact({ type: 3, userId: alice.id, channelId: general.id, name: 'answer:7', messageId: posted.id });
    const [button] = await clicked;
    if (!button.isButton()) throw new Error('expected a button interaction');
    expect(button.customId).toBe('answer:7');
    expect(button.message.id).toBe(posted.id);
    expect(button.user.id).toBe(alice.id);
    const modal = new ModalBuilder().setCustomId('answer-modal:7').setTitle('Your answer to Q1').addComponents(
      new ActionRowBuilder<TextInputBuilder>().addComponents(new TextInputBuilder().setCustomId('text').setLabel('Answer').setStyle(TextInputStyle.Paragraph)),
    );
    await button.showModal(modal);
    expect(await click.callback()).toMatchObject({ type: 9, data: { custom_id: 'answer-modal:7', title: 'Your answer to Q1' } });

    const submitted = next(client, 'interactionCreate');
    const submit = sandbox.interact({
      type: 5, userId: alice.id, channelId: general.id, name: 'answer-modal:7',
      data: { components: [{ type: 1, components: [{ type: 4, custom_id: 'text', value: 'A badge is a credential' }] }] },
    });
    const [modalSubmit] = await submitted;
    if (!modalSubmit.isModalSubmit()) throw new Error('expected a modal submit');
    expect(modalSubmit.fields.getTextInputValue('text')).toBe('A badge is a credential');
    expect(modalSubmit.isFromMessage() && modalSubmit.message.id).toBe(posted.id);
    // A deferred reply, then its edit: the response's interaction_metadata names the button's
    // interaction as the one that opened the modal (Discord's schema requires it).
    await modalSubmit.deferReply({ flags: MessageFlags.Ephemeral });
    expect(await submit.callback()).toMatchObject({ type: 5 });
    await modalSubmit.editReply({ content: 'Saved' });
    expect(submit.original()).toMatchObject({
      content: 'Saved',
      interaction_metadata: { id: submit.id, type: 5, triggering_interaction_metadata: { id: click.id, type: 3, interacted_message_id: posted.id } },
    });
    expect(sandbox.schemaViolations()).toEqual([]);
  });

  test('a user cannot click what the message does not carry: an unknown custom id, a disabled button, no message named', async () => {
    const { posted } = await postWithButton();
    const click = (name: string) => () => sandbox.interact({ type: 3, userId: alice.id, channelId: general.id, name, messageId: posted.id });
    expect(click('nope')).toThrow(/no component with custom_id "nope"/);
    expect(click('off')).toThrow(/disabled/);
    expect(() => sandbox.interact({ type: 3, userId: alice.id, channelId: general.id, name: 'answer:7' })).toThrow(/needs the messageId/);
  });

  test('a select menu in an ephemeral reply: values checked against its options; update() edits that message (type 7)', async () => {
    const client = await connect();
    await client.application?.commands.set([{ name: 'pick', description: 'Pick one' }]);
    const got = next(client, 'interactionCreate');
    const command = sandbox.interact({ userId: alice.id, channelId: general.id, name: 'pick' });
    const [slash] = await got;
    if (!slash.isChatInputCommand()) throw new Error('expected a slash command');
    const select = new StringSelectMenuBuilder().setCustomId('which').addOptions(
      { label: 'Q1', value: '1' }, { label: 'Q2', value: '2' }, { label: 'Takeaway', value: 'takeaway' },
    );
    await slash.reply({ content: 'Which question?', components: [new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(select)], flags: MessageFlags.Ephemeral });
    await command.callback();
    const reply = command.original()!;
    expect(() => sandbox.interact({ type: 3, userId: alice.id, channelId: general.id, name: 'which', messageId: reply.id, values: ['9'] })).toThrow(/no option "9"/);
    expect(() => sandbox.interact({ type: 3, userId: alice.id, channelId: general.id, name: 'which', messageId: reply.id, values: ['1', '2'] })).toThrow(/takes 1–1 values/);

    const chosen = next(client, 'interactionCreate');
    const pick = sandbox.interact({ type: 3, userId: alice.id, channelId: general.id, name: 'which', messageId: reply.id, values: ['2'] });
    const [menu] = await chosen;
    if (!menu.isStringSelectMenu()) throw new Error('expected a string select');
    expect(menu.values).toEqual(['2']);
    await menu.update({ content: 'Counted under Q2', components: [] });
    expect(await pick.callback()).toMatchObject({ type: 7 });
    expect(sandbox.message(reply.id)).toMatchObject({ content: 'Counted under Q2', components: [], flags: 64 });
  });

  test('a message context-menu command: registered without description, delivered with its target message', async () => {
    const client = await connect();
    await expect(client.application?.commands.set([{ name: 'Not an answer', type: ApplicationCommandType.Message, description: 'no' } as never])).rejects.toThrow(/Invalid Form Body/);
    await client.application?.commands.set([{ name: 'Not an answer', type: ApplicationCommandType.Message }], sandbox.guild.id);
    expect(sandbox.commands()).toMatchObject([{ name: 'Not an answer', type: 3, description: '' }]);
    const said = sandbox.userSays(general.id, alice.id, 'I think so too');
    expect(() => sandbox.interact({ userId: sandbox.owner.id, channelId: general.id, name: 'Not an answer' })).toThrow(/needs the messageId/);
    const got = next(client, 'interactionCreate');
    const menu = sandbox.interact({ userId: sandbox.owner.id, channelId: general.id, name: 'Not an answer', messageId: said.id });
    const [received] = await got;
    if (!received.isMessageContextMenuCommand()) throw new Error('expected a message context-menu command');
    expect(received.commandName).toBe('Not an answer');
    expect(received.targetMessage.id).toBe(said.id);
    expect(received.targetMessage.content).toBe('I think so too');
    expect(received.targetMessage.author.id).toBe(alice.id);
    // Updating a message (6, 7) only answers a component: Discord refuses it here, and the interaction stays open.
    const refused = await fetch(`${sandbox.apiBase}/v10/interactions/${menu.id}/${menu.token}/callback`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 6 }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 50035, errors: { type: { _errors: [{ code: 'INTERACTION_CALLBACK_TYPE_INVALID' }] } } });
    await received.reply({ content: 'Done', flags: MessageFlags.Ephemeral });
    expect(await menu.callback()).toMatchObject({ type: 4 });
  });
});
