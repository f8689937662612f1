/**
 * `emcee doctor`'s check 5: for every series set up in a channel, the bot can see it and post
 * there (embeds, history, files), open threads where the series uses threads, and create
 * events where it uses Scheduled Events. Its permissions are computed from Discord's REST
 * objects (the channel's overwrites, the server's roles, the bot's member roles).
 */
import { OverwriteType, PermissionFlagsBits as P } from 'discord-api-types/v10';
import type { APIChannel, APIGuildMember, APIRole } from 'discord-api-types/v10';
import type { Series } from '../domain/series.ts';
import { channelPermissions } from '../discord/channel-permissions.ts';
import { ProbeError, type DiscordProbe } from '../discord/doctor-probe.ts';
import type { CheckResult } from './report.ts';

type Need = readonly [bigint, string];

const POST: readonly Need[] = [[P.ViewChannel, 'View Channel'], [P.SendMessages, 'Send Messages'], [P.EmbedLinks, 'Embed Links'], [P.ReadMessageHistory, 'Read Message History']];
const THREADS: readonly Need[] = [[P.CreatePublicThreads, 'Create Public Threads'], [P.SendMessagesInThreads, 'Send Messages in Threads']];
const FILES: Need = [P.AttachFiles, 'Attach Files'];

interface Guild {
  roles: APIRole[];
  member: APIGuildMember;
}

const missing = (bits: bigint, needs: readonly Need[]) => needs.filter(([bit]) => (bits & bit) === 0n).map(([, name]) => name);
const is = (err: unknown, status: number) => err instanceof ProbeError && err.status === status;

export async function seriesChecks(probe: DiscordProbe, botId: string, series: readonly Series[]): Promise<CheckResult[]> {
  const placed = series.filter((s): s is Series & { guildId: string; channelId: string } => s.guildId !== null && s.channelId !== null);
  if (placed.length === 0) return [{ check: 'channel', verdict: 'ok', message: 'no series is set up in a channel yet (nothing to check)' }];
  const guilds = new Map<string, Promise<Guild>>();
  const guildOf = (id: string) => {
    if (!guilds.has(id)) guilds.set(id, Promise.all([probe.roles(id), probe.member(id, botId)]).then(([roles, member]) => ({ roles, member })));
    return guilds.get(id)!;
  };
  const results: CheckResult[] = [];
  for (const s of placed) results.push(await checkSeries(probe, botId, s, guildOf));
  return results;
}

async function checkSeries(probe: DiscordProbe, botId: string, s: Series & { guildId: string; channelId: string }, guildOf: (id: string) => Promise<Guild>): Promise<CheckResult> {
  let subject = `${s.tag} in channel ${s.channelId}`;
  const result = (verdict: CheckResult['verdict'], message: string, fix?: string): CheckResult => ({ check: 'channel', subject, verdict, message, ...(fix ? { fix } : {}) });
  const elsewhere = `Or move the chat: /chat setup channel:<another> in that server (or emcee series setup --guild ${s.guildId} --channel ID).`;
  let channel: APIChannel;
  let guild: Guild;
  try {
    channel = await probe.channel(s.channelId);
    if ('name' in channel && channel.name) subject = `${s.tag} in #${channel.name} (${s.channelId})`;
  } catch (err) {
    if (is(err, 404)) return result('fail', 'the channel no longer exists (deleted)', elsewhere.replace(/^Or move/, 'Move'));
    if (is(err, 403)) return result('fail', 'the bot cannot see this channel (no View Channel there, or it has left the server)', `In the channel's settings, Permissions: allow Emcee View Channel. ${elsewhere}`);
    return result('fail', `the channel could not be read: ${(err as Error).message}`, 'Try again shortly.');
  }
  try {
    guild = await guildOf(s.guildId);
  } catch (err) {
    if (is(err, 404) || is(err, 403)) return result('fail', `the bot is not in server ${s.guildId}`, 'Invite it again with the URL from npx emcee invite-url.');
    return result('fail', `the server's roles could not be read: ${(err as Error).message}`, 'Try again shortly.');
  }
  const overwrites = 'permission_overwrites' in channel ? (channel.permission_overwrites ?? []) : [];
  const input = { guildId: s.guildId, roles: guild.roles, memberId: botId, memberRoles: guild.member.roles, overwrites };
  let bits = channelPermissions(input);
  // Without Send Messages, Discord denies Embed Links and Attach Files too: name only what
  // must be allowed, Send Messages and whatever would still be missing once it is.
  if ((bits & P.ViewChannel) !== 0n && (bits & P.SendMessages) === 0n) {
    bits = channelPermissions({ ...input, overwrites: [...overwrites, { id: botId, type: OverwriteType.Member, allow: String(P.SendMessages), deny: '0' }] }) & ~P.SendMessages;
  }
  if ((bits & P.ViewChannel) === 0n) {
    return result('fail', 'the bot cannot see this channel (View Channel is denied there)', `In the channel's settings, Permissions: allow Emcee View Channel. ${elsewhere}`);
  }
  const needs = [...POST, ...(s.settings.threads ? THREADS : [])];
  const lacking = missing(bits, needs);
  const optional = [...missing(bits, [FILES]), ...await eventsLacking(probe, botId, s, guild)];
  const uses = `posts${s.settings.threads ? ', threads' : ''}${s.settings.scheduledEvents ? ', events' : ''}`;
  const grant = (names: string[]) => `In the channel's settings, Permissions, Emcee (its role or the bot): allow ${names.join(', ')}.`;
  if (lacking.length > 0) {
    const what = s.settings.threads && missing(bits, THREADS).length > 0 && missing(bits, POST).length === 0
      ? 'the bot cannot open question threads here' : 'the bot cannot run the chat here';
    return result('fail', `${what}: missing ${[...lacking, ...optional].join(', ')}`, grant([...lacking, ...optional.filter((n) => n === FILES[1])]));
  }
  if (optional.length > 0) {
    const events = optional.includes('Create Events');
    return result('warn', `the chat runs, but without ${[events ? 'Scheduled Events' : '', optional.includes(FILES[1]) ? 'recap files' : ''].filter(Boolean).join(' or ')}: missing ${optional.join(', ')}`,
      events ? 'Give Emcee\'s role Create Events (Server Settings, Roles; or invite again with npx emcee invite-url --events),\nor turn the series\' Scheduled Events off (setting scheduledEvents: false).' : grant([FILES[1]]));
  }
  return result('ok', `the bot can see and post here (${uses})`);
}

/** Scheduled Events: Create Events (or Manage Events) in the server, or in the stage or voice channel the events take place in. */
async function eventsLacking(probe: DiscordProbe, botId: string, s: Series & { guildId: string }, guild: Guild): Promise<string[]> {
  if (!s.settings.scheduledEvents) return [];
  let overwrites: { id: string; type: number; allow: string; deny: string }[] = [];
  if (s.settings.eventChannelId) {
    try {
      const place = await probe.channel(s.settings.eventChannelId);
      overwrites = 'permission_overwrites' in place ? (place.permission_overwrites ?? []) : [];
    } catch {
      return ['Create Events'];
    }
  }
  const bits = channelPermissions({ guildId: s.guildId, roles: guild.roles, memberId: botId, memberRoles: guild.member.roles, overwrites });
  return (bits & (P.CreateEvents | P.ManageEvents)) === 0n ? ['Create Events'] : [];
}
