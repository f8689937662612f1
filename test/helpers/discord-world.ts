import { PermissionFlagsBits } from 'discord.js';
import { startApp, type RunningApp } from '../../src/app.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { FakeTime, silentLog } from './live.ts';

/** A bot on the sandbox with an admin (Manage Server), a moderator-role user and a plain member. */
export interface DiscordWorld {
  time: FakeTime;
  sandbox: Sandbox;
  store: Store;
  bot: RunningApp;
  channelId: string;
  admin: string;
  mod: string;
  member: string;
  modRole: string;
}

export async function discordWorld(
  now: Date, cleanups: (() => Promise<void> | void)[], sandboxOptions: Omit<SandboxOptions, 'clock'> = {},
  /** Runs before the bot starts (what its GUILD_CREATE should already show, e.g. a role of the bot's). */
  beforeStart?: (sandbox: Sandbox) => void,
): Promise<DiscordWorld> {
  const time = new FakeTime(now);
  const sandbox = await startSandbox({ clock: time, ...sandboxOptions });
  const store = openStore(':memory:', time);
  const channel = sandbox.createChannel('badgechat');
  const adminRole = sandbox.createRole('Admins', PermissionFlagsBits.ManageGuild);
  const modRole = sandbox.createRole('Chat mods', 0n);
  beforeStart?.(sandbox);
  const bot = await startApp({ token: sandbox.token, apiBase: sandbox.apiBase, store, clock: time, timers: time, log: silentLog, minuteTick: false });
  cleanups.push(() => sandbox.close(), () => store.close(), () => bot.stop());
  return {
    time, sandbox, store, bot, channelId: channel.id, modRole: modRole.id,
    admin: sandbox.createUser('admin', { roles: [adminRole.id] }).id,
    mod: sandbox.createUser('mod', { roles: [modRole.id] }).id,
    member: sandbox.createUser('member').id,
  };
}

export const sub = (name: string, options: unknown[] = []) => [{ type: 1, name, options }];
export const opt = (name: string, type: number, value: unknown) => ({ name, type, value });

/** Runs /<command> <sub> as a user (in `channelId`, default the world's channel) and returns what the bot answered. */
export async function runCommand(w: DiscordWorld, userId: string, command: string, subcommand: string, options: unknown[] = [], channelId = w.channelId) {
  const interaction = w.sandbox.interact({ userId, channelId, name: command, options: sub(subcommand, options) });
  const callback = await interaction.callback();
  await w.bot.live.engine.whenIdle();
  const data = callback.data as { content?: string; flags?: number } | undefined;
  // A deferred command (type 5) shows its outcome in the original response once done.
  const content = callback.type === 5
    ? (await w.sandbox.waitFor(() => {
      const m = interaction.original();
      return m && ((m.flags ?? 0) & 128) === 0 ? m : undefined;
    })).content
    : data?.content ?? '';
  return { callback, content, ephemeral: ((data?.flags ?? 0) & 64) === 64, interaction };
}
