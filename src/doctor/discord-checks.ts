/**
 * `emcee doctor`'s checks against Discord (3 to 6): the token, the Message Content intent, each
 * series' channel, and the deployed slash commands. Only GET requests; nothing is changed.
 */
import { ApplicationFlags } from 'discord-api-types/v10';
import type { BotConfig } from '../config.ts';
import type { Series } from '../domain/series.ts';
import { applicationCommandsJson } from '../discord/commands/index.ts';
import { diffCommands, isNoChange, describeCommandDiff } from '../discord/command-diff.ts';
import { discordProbe, ProbeError, type DiscordProbe } from '../discord/doctor-probe.ts';
import { seriesChecks } from './channel-checks.ts';
import type { CheckResult } from './report.ts';

export type ProbeFactory = (config: BotConfig) => DiscordProbe;

const defaultProbe: ProbeFactory = (c) => discordProbe({ token: c.discordToken, apiBase: c.apiBase, timeoutMs: c.connectTimeoutMs });

/** Message Content as Discord reports it in the application's flags (approved for a verified app, or switched on for an unverified one). */
export const MESSAGE_CONTENT_FLAGS = ApplicationFlags.GatewayMessageContent | ApplicationFlags.GatewayMessageContentLimited;

/** series: the database's, or why they could not be read. */
export async function discordChecks(config: BotConfig | null, series: Series[] | string, probeFactory: ProbeFactory = defaultProbe): Promise<CheckResult[]> {
  const skip = (check: CheckResult['check'], message: string): CheckResult => ({ check, verdict: 'skipped', message });
  if (!config) {
    const why = 'needs a valid DISCORD_TOKEN and DISCORD_APPLICATION_ID (see the configuration above)';
    return [skip('token', why), skip('message-content', why), skip('channel', why), skip('commands', why)];
  }
  const probe = probeFactory(config);
  const results: CheckResult[] = [];

  // 3. The token works, and belongs to the configured application.
  let application;
  try {
    const me = await probe.me();
    application = await probe.application();
    if (application.id !== config.applicationId) {
      results.push({
        check: 'token', verdict: 'fail',
        message: `the token belongs to ${me.username} (application ${application.id}), but DISCORD_APPLICATION_ID is ${config.applicationId}`,
        fix: 'Set DISCORD_APPLICATION_ID to the Application ID on the Developer Portal\'s General Information page of the bot whose token this is.',
      });
      application = null;
    } else {
      results.push({ check: 'token', verdict: 'ok', message: `Discord accepts it: the bot is ${me.username} (${me.id})` });
    }
  } catch (err) {
    results.push(tokenFailure(err));
    application = null;
  }
  if (!application) {
    const why = 'the token check failed (see above)';
    return [...results, skip('message-content', why), skip('channel', why), skip('commands', why)];
  }

  // 4. The Message Content intent.
  results.push(messageContentVerdict(application.flags ?? 0, config.messageContent));

  // 5. Every series' channel.
  if (typeof series === 'string') results.push(skip('channel', series));
  else results.push(...await seriesChecks(probe, config.applicationId, series));

  // 6. The slash commands deployed match this build's.
  results.push(...await commandChecks(probe, config.applicationId, typeof series === 'string' ? [] : series));
  return results;
}

function tokenFailure(err: unknown): CheckResult {
  const e = err instanceof ProbeError ? err : new ProbeError(0, null, String(err));
  if (e.status === 401) {
    return {
      check: 'token', verdict: 'fail', message: `the token is wrong or was reset: Discord answered 401 (${e.message})`,
      fix: 'On the Developer Portal, Bot page, choose Reset Token and put the new token in DISCORD_TOKEN.',
    };
  }
  if (e.status === 0) {
    return { check: 'token', verdict: 'fail', message: e.message, fix: 'Check this machine\'s network and DNS; leave DISCORD_API_BASE empty unless you run a proxy.' };
  }
  return { check: 'token', verdict: 'fail', message: `Discord refused the check (${e.status}${e.code !== null ? `, code ${e.code}` : ''}): ${e.message}`, fix: 'Try again shortly; if it persists, see https://discordstatus.com.' };
}

/** 4: the application's flags against MESSAGE_CONTENT (on: labels are read; off: answers by button and replies that ping the bot). */
export function messageContentVerdict(flags: number, wanted: boolean): CheckResult {
  const enabled = (flags & MESSAGE_CONTENT_FLAGS) !== 0;
  if (enabled && wanted) return { check: 'message-content', verdict: 'ok', message: 'enabled: answers are read from message text ("A1: …" labels)' };
  if (enabled) {
    return { check: 'message-content', verdict: 'ok', message: 'enabled in the Developer Portal, but MESSAGE_CONTENT=off: answers come by the Answer button, /chat answer and replies that ping the bot; labels are not read' };
  }
  if (!wanted) {
    return { check: 'message-content', verdict: 'ok', message: 'not enabled, and MESSAGE_CONTENT=off: answers come by the Answer button, /chat answer and replies that ping the bot' };
  }
  return {
    check: 'message-content', verdict: 'warn',
    message: 'not enabled: "A1: …" labels are not read; answers still count from the Answer button, /chat answer and replies that ping the bot',
    fix: 'Switch on Message Content Intent on the Developer Portal\'s Bot page, or set MESSAGE_CONTENT=off to run without it on purpose\n(README: "Answering without the Message Content intent").',
  };
}

/** 6: global commands, and those of each series' server that has its own (deploy-commands --guild). */
async function commandChecks(probe: DiscordProbe, applicationId: string, series: readonly Series[]): Promise<CheckResult[]> {
  const local = applicationCommandsJson() as unknown as Record<string, unknown>[];
  const fix = 'Run npm run deploy-commands (or with -- --guild SERVER_ID for one server); it prints these differences before it overwrites.';
  try {
    const global = await probe.commands(applicationId) as unknown as Record<string, unknown>[];
    const guilds = [...new Set(series.map((s) => s.guildId).filter((g): g is string => g !== null))];
    const perGuild = await Promise.all(guilds.map(async (g) => [g, await probe.commands(applicationId, g) as unknown as Record<string, unknown>[]] as const));
    const deployments = [
      ...(global.length > 0 ? [{ scope: 'global' as const, where: 'globally', list: global }] : []),
      ...perGuild.filter(([, list]) => list.length > 0).map(([g, list]) => ({ scope: 'guild' as const, where: `in server ${g}`, list })),
    ];
    if (deployments.length === 0) {
      return [{ check: 'commands', verdict: 'fail', message: 'none are deployed: /chat and /bank do not show in Discord', fix }];
    }
    const missingIn = global.length > 0 ? [] : perGuild.filter(([, list]) => list.length === 0).map(([g]) => g);
    const results: CheckResult[] = deployments.map(({ scope, where, list }) => {
      const diff = diffCommands(list, local, scope);
      return isNoChange(diff)
        ? { check: 'commands', subject: where, verdict: 'ok', message: `the ${list.length} deployed match this build` }
        : { check: 'commands', subject: where, verdict: 'fail', message: `out of date: ${describeCommandDiff(diff).join('; ')}`, fix };
    });
    for (const g of missingIn) results.push({ check: 'commands', subject: `in server ${g}`, verdict: 'fail', message: 'none are deployed there (nor globally)', fix });
    return results;
  } catch (err) {
    return [{ check: 'commands', verdict: 'fail', message: `the deployed commands could not be read: ${(err as Error).message}`, fix: 'Try again shortly.' }];
  }
}

