import { describe, expect, it } from 'vitest';
import { applicationCommandsJson } from '../../src/discord/commands/index.ts';
import { describeCommandDiff, diffCommands, normalizeCommand } from '../../src/discord/command-diff.ts';

type Json = Record<string, unknown>;

const local: Json = {
  name: 'chat', description: 'Run chats', contexts: [0], default_member_permissions: '32', type: 1,
  options: [
    { type: 1, name: 'start', description: 'Start now', options: [{ type: 3, name: 'questions', description: 'Which', autocomplete: true }] },
    { type: 1, name: 'next', description: 'Next question', options: [] },
  ],
};

/** What Discord answers for `local` after a bulk overwrite: its own fields, defaults filled in. */
const asDiscordReturnsIt = (c: Json, extra: Json = {}): Json => ({
  id: '1300000000000000001', application_id: '1300000000000000000', version: '1300000000000000002',
  name_localizations: null, description_localizations: null, nsfw: false, integration_types: [0], dm_permission: false,
  ...c,
  options: (c.options as Json[]).map((o) => ({
    ...o, name_localizations: null, description_localizations: null,
    ...(o.options && (o.options as Json[]).length ? { options: (o.options as Json[]).map((x) => ({ required: false, ...x })) } : { options: undefined }),
  })),
  ...extra,
});

describe('the deployed-commands diff (pure)', () => {
  const cases: { name: string; deployed: Json[]; local: Json[]; added?: string[]; removed?: string[]; changed?: { command: string; fields: string[] }[] }[] = [
    { name: 'the same commands as Discord returns them: Discord\'s own fields and defaults are no change', deployed: [asDiscordReturnsIt(local)], local: [local] },
    { name: 'a global command whose contexts Discord reports as null and whose dm_permission it fills in', deployed: [{ ...asDiscordReturnsIt({ ...local, contexts: undefined }), contexts: null, dm_permission: true }], local: [{ ...local, contexts: undefined }] },
    { name: 'nothing deployed: every local command is added', deployed: [], local: [local], added: ['/chat'] },
    { name: 'a deployed command this build no longer has is removed', deployed: [asDiscordReturnsIt(local), asDiscordReturnsIt({ ...local, name: 'old' })], local: [local], removed: ['/old'] },
    { name: 'a context-menu command with the same name as a slash command is another command', deployed: [asDiscordReturnsIt(local)], local: [local, { name: 'chat', type: 3, contexts: [0] }], added: ['"chat" (message menu)'] },
    { name: 'a changed description', deployed: [asDiscordReturnsIt(local)], local: [{ ...local, description: 'Run chats, better' }], changed: [{ command: '/chat', fields: ['description'] }] },
    { name: 'a changed permission', deployed: [asDiscordReturnsIt(local)], local: [{ ...local, default_member_permissions: '8' }], changed: [{ command: '/chat', fields: ['default_member_permissions'] }] },
    { name: 'permissions Discord returns as a string where the local JSON had a number', deployed: [asDiscordReturnsIt(local)], local: [{ ...local, default_member_permissions: 32 }] },
    {
      name: 'a nested option made required, named by its path', deployed: [asDiscordReturnsIt(local)],
      local: [{ ...local, options: [{ ...(local.options as Json[])[0], options: [{ type: 3, name: 'questions', description: 'Which', autocomplete: true, required: true }] }, (local.options as Json[])[1]] }],
      changed: [{ command: '/chat', fields: ['options.start.options.questions.required'] }],
    },
    {
      name: 'a subcommand added and one removed', deployed: [asDiscordReturnsIt(local)],
      local: [{ ...local, options: [(local.options as Json[])[0], { type: 1, name: 'skip', description: 'Skip' }] }],
      changed: [{ command: '/chat', fields: ['options.skip (added)', 'options.next (removed)'] }],
    },
    { name: 'subcommands reordered', deployed: [asDiscordReturnsIt(local)], local: [{ ...local, options: [...(local.options as Json[])].reverse() }], changed: [{ command: '/chat', fields: ['options (order)'] }] },
    { name: 'localizations: an empty map is none', deployed: [asDiscordReturnsIt(local, { name_localizations: {} })], local: [local] },
    { name: 'localizations added', deployed: [asDiscordReturnsIt(local)], local: [{ ...local, description_localizations: { fr: 'Animer' } }], changed: [{ command: '/chat', fields: ['description_localizations'] }] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(diffCommands(c.deployed, c.local)).toEqual({ added: c.added ?? [], removed: c.removed ?? [], changed: c.changed ?? [] });
    });
  }

  it('guild commands: no integration_types or dm_permission on either side, guild_id is Discord\'s', () => {
    const { integration_types: _i, dm_permission: _d, ...guildReturn } = asDiscordReturnsIt(local, { guild_id: '1300000000000000009' });
    expect(diffCommands([guildReturn], [local], 'guild')).toEqual({ added: [], removed: [], changed: [] });
    expect(normalizeCommand(guildReturn, 'guild')).not.toHaveProperty('guild_id');
  });

  it('this build\'s own commands, as Discord would return them, are no change', () => {
    const mine = JSON.parse(JSON.stringify(applicationCommandsJson())) as Json[];
    const returned = mine.map((c) => ({ ...c, id: '1', application_id: '2', version: '3', nsfw: false, integration_types: [0], dm_permission: false, name_localizations: null, description_localizations: null }));
    expect(diffCommands(returned, mine)).toEqual({ added: [], removed: [], changed: [] });
  });

  it('describes a diff in lines, and "no changes" when there are none', () => {
    expect(describeCommandDiff({ added: [], removed: [], changed: [] })).toEqual(['no changes']);
    expect(describeCommandDiff({ added: ['/bank'], removed: ['/old'], changed: [{ command: '/chat', fields: ['description', 'options.start.required'] }] })).toEqual([
      '+ /bank (new)', '- /old (no longer in this build)', '~ /chat: description, options.start.required',
    ]);
  });
});
