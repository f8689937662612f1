import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { applicationCommandsJson } from '../../src/discord/commands/index.ts';
import { deployCommands } from '../../src/discord/deploy-commands.ts';
import type { SeriesSettingsInput } from '../../src/domain/settings.ts';
import { exitCodeOf, type CheckResult } from '../../src/doctor/report.ts';
import { runDoctor } from '../../src/doctor/run.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { openDatabase } from '../../src/store/db.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { systemClock } from '../../src/domain/clock.ts';

/** `emcee doctor` against the loopback Discord: each check's verdicts, passing and failing. */

const sandboxes: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((s) => s.close()));
});

interface World {
  sandbox: Sandbox;
  env: Record<string, string>;
  path: string;
  channel: string;
}

/** A sandbox, a database with one series in #chat (`settings`), and the environment doctor reads. */
async function world({ settings = { scheduledEvents: false }, sandbox: options = {}, migrate }: { settings?: SeriesSettingsInput; sandbox?: SandboxOptions; migrate?: number } = {}): Promise<World> {
  const sandbox = await startSandbox(options);
  sandboxes.push(sandbox);
  const path = join(mkdtempSync(join(tmpdir(), 'emcee-doctor-')), 'emcee.sqlite');
  const channel = sandbox.createChannel('chat').id;
  if (migrate) {
    openDatabase(path, migrations.slice(0, migrate)).close(); // an older schema: the series row as an older Emcee wrote it
    const db = new Database(path);
    db.prepare("INSERT INTO series (guild_id, channel_id, tag, tag_key, settings, created_at) VALUES (?, ?, '#BadgeChat', '#badgechat', ?, '2026-01-01T00:00:00Z')")
      .run(sandbox.guild.id, channel, JSON.stringify(settings));
    db.close();
  } else {
    const store = await SqliteStore.open(path, systemClock);
    await store.series.saveForChannel({ guildId: sandbox.guild.id, channelId: channel, tag: '#BadgeChat', timezone: 'UTC', schedule: null, settings });
    await store.close();
  }
  const env = { DISCORD_TOKEN: sandbox.token, DISCORD_APPLICATION_ID: sandbox.applicationId, DISCORD_API_BASE: sandbox.apiBase, DATABASE_PATH: path };
  return { sandbox, env, path, channel };
}

async function deploy(w: World): Promise<void> {
  expect(await deployCommands([], w.env, { write: () => true } as unknown as typeof process.stdout)).toBe(0);
}

async function doctor(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; checks: CheckResult[] }> {
  let stdout = '';
  const io: CliIo = { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: () => true }, env: { LOG_LEVEL: 'silent', ...env } };
  const code = await main(['doctor', '--json', ...args], io);
  const report = JSON.parse(stdout) as { ok: boolean; checks: CheckResult[] };
  expect(report.ok).toBe(code === 0);
  return { code, stdout, checks: report.checks };
}

const verdicts = (checks: CheckResult[]) => checks.map((c) => `${c.check}: ${c.verdict}`);
const find = (checks: CheckResult[], check: CheckResult['check']) => checks.filter((c) => c.check === check);
const fingerprint = (path: string) => ({ hash: createHash('sha256').update(readFileSync(path)).digest('hex'), mtimeMs: statSync(path).mtimeMs });

describe('emcee doctor', () => {
  it('all is well: every check ok, exit 0, and the text report says so; nothing is written to the database or to Discord', async () => {
    const w = await world({ settings: { threads: true, scheduledEvents: true } });
    const events = w.sandbox.createRole('events', P.CreateEvents);
    w.sandbox.addRole(w.sandbox.botUser.id, events.id);
    await deploy(w);
    const before = fingerprint(w.path);
    const requestsBefore = w.sandbox.requests.length;
    const run = await doctor(w.env);
    expect(verdicts(run.checks)).toEqual(['config: ok', 'database: ok', 'token: ok', 'message-content: ok', 'channel: ok', 'commands: ok']);
    expect(run.code).toBe(0);
    expect(find(run.checks, 'channel')[0]).toMatchObject({ subject: `#BadgeChat in #chat (${w.channel})`, message: 'the bot can see and post here (posts, threads, events)' });
    expect(find(run.checks, 'database')[0]!.message).toBe(`SQLite ${w.path}, schema version ${migrations.length} (current)`);

    let textOut = '';
    const text = await main(['doctor'], { stdout: { write: (s: string) => ((textOut += s), true) }, stderr: { write: () => true }, env: { LOG_LEVEL: 'silent', ...w.env } });
    expect(text).toBe(0);
    expect(textOut.trim().split('\n').at(-1)).toBe('All 6 checks passed.');
    expect(textOut).toMatch(/^ok {4}configuration: valid/);

    expect(fingerprint(w.path)).toEqual(before);
    expect(w.sandbox.requests.slice(requestsBefore).filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('a bad configuration: FAIL with the variable\'s line; the database is still checked, Discord checks are skipped', async () => {
    const w = await world();
    const run = await doctor({ ...w.env, DISCORD_APPLICATION_ID: 'my-bot' });
    expect(verdicts(run.checks)).toEqual(['config: fail', 'database: ok', 'token: skipped', 'message-content: skipped', 'channel: skipped', 'commands: skipped']);
    expect(run.checks[0]!.message).toBe('invalid configuration:\n  DISCORD_APPLICATION_ID: must be the numeric application id from the Developer Portal');
    expect(run.checks[2]!.message).toMatch(/needs a valid DISCORD_TOKEN/);
    expect(run.code).toBe(1);
    // No token at all: the same, with ConfigError's own line.
    const { DISCORD_TOKEN: _t, ...noToken } = w.env;
    expect((await doctor(noToken)).checks[0]!.message).toMatch(/^DISCORD_TOKEN is not set/);
  });

  it('a malformed .env: FAIL with its file and line, everything after it skipped', async () => {
    const dotEnv = join(mkdtempSync(join(tmpdir(), 'emcee-doctor-')), '.env');
    writeFileSync(dotEnv, 'DISCORD_TOKEN=abc\nDISCORD_APPLICATION_ID="123\n');
    const checks = await runDoctor({ env: {}, dotEnv });
    expect(checks[0]).toMatchObject({ check: 'config', verdict: 'fail', message: `${dotEnv}:2: unterminated quote` });
    expect(checks.slice(1).map((c) => c.verdict)).toEqual(['skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(exitCodeOf(checks)).toBe(1);
  });

  it('a bad database setting: the configuration and the database both fail', async () => {
    const w = await world();
    const run = await doctor({ ...w.env, DATABASE_URL: 'mysql://x' });
    expect(verdicts(run.checks).slice(0, 2)).toEqual(['config: fail', 'database: skipped']);
  });

  it('pending migrations: a warning naming each by number and name, and the file is left at its version, byte for byte', async () => {
    const w = await world({ migrate: 9 });
    await deploy(w);
    const before = fingerprint(w.path);
    const run = await doctor(w.env);
    expect(find(run.checks, 'database')[0]).toMatchObject({
      verdict: 'warn',
      message: `SQLite ${w.path} is at schema version 9 of ${migrations.length}; pending: 010 session events, 011 corrections and reactions, 012 multi answers`,
    });
    expect(find(run.checks, 'channel')[0]!.verdict).toBe('ok'); // the series are read all the same
    expect(run.code).toBe(0);
    expect(fingerprint(w.path)).toEqual(before);
    const db = new Database(w.path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(9);
    db.close();
  });

  it('a database newer than this build: FAIL', async () => {
    const w = await world();
    const db = new Database(w.path);
    db.pragma('user_version = 99');
    db.close();
    const run = await doctor(w.env);
    expect(find(run.checks, 'database')[0]).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/schema version 99, newer than this build/) });
    expect(run.code).toBe(1);
  });

  it('no database yet: a warning that it is created at first start (and nothing is created)', async () => {
    const w = await world();
    const missing = join(mkdtempSync(join(tmpdir(), 'emcee-doctor-')), 'none.sqlite');
    const run = await doctor({ ...w.env, DATABASE_PATH: missing });
    expect(find(run.checks, 'database')[0]).toMatchObject({ verdict: 'warn', message: `SQLite ${missing}: there is no database there yet` });
    expect(() => statSync(missing)).toThrow();
    // --db names the file instead
    expect(find((await doctor({ ...w.env, DATABASE_PATH: missing }, '--db', w.path)).checks, 'database')[0]!.verdict).toBe('ok');
  });

  it('series that cannot be read (settings edited by hand): the channel check is skipped, saying why, in its place', async () => {
    const w = await world();
    const db = new Database(w.path);
    db.prepare('UPDATE series SET settings = ?').run('{"threads": "yes"}');
    db.close();
    const run = await doctor(w.env);
    expect(verdicts(run.checks)).toEqual(['config: ok', 'database: ok', 'token: ok', 'message-content: ok', 'channel: skipped', 'commands: fail']);
    expect(find(run.checks, 'channel')[0]!.message).toMatch(/^the series could not be read: .*series #1 #BadgeChat: threads/);
  });

  it('a wrong token: 401, "the token is wrong or was reset", and the checks that need it skipped', async () => {
    const w = await world();
    const run = await doctor({ ...w.env, DISCORD_TOKEN: 'reset-since' });
    expect(verdicts(run.checks)).toEqual(['config: ok', 'database: ok', 'token: fail', 'message-content: skipped', 'channel: skipped', 'commands: skipped']);
    expect(run.checks[2]!.message).toMatch(/^the token is wrong or was reset: Discord answered 401/);
    expect(run.checks[2]!.fix).toMatch(/Reset Token/);
    expect(run.code).toBe(1);
  });

  it('a token of another application than DISCORD_APPLICATION_ID: FAIL naming both', async () => {
    const w = await world();
    const run = await doctor({ ...w.env, DISCORD_APPLICATION_ID: '123456789012345678' });
    expect(find(run.checks, 'token')[0]).toMatchObject({ verdict: 'fail', message: expect.stringContaining(`(application ${w.sandbox.applicationId}), but DISCORD_APPLICATION_ID is 123456789012345678`) });
  });

  it('Discord unreachable: FAIL in one line', async () => {
    const w = await world();
    const run = await doctor({ ...w.env, DISCORD_API_BASE: 'http://127.0.0.1:9/api' });
    expect(find(run.checks, 'token')[0]).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/^Discord could not be reached/) });
  });

  it('Message Content off: a warning saying what still works and how to enable it; ok with MESSAGE_CONTENT=off', async () => {
    const w = await world({ sandbox: { privilegedIntents: { messageContent: false } } });
    await deploy(w);
    const run = await doctor(w.env);
    const check = find(run.checks, 'message-content')[0]!;
    expect(check.verdict).toBe('warn');
    expect(check.message).toMatch(/Answer button, \/chat answer and replies that ping the bot/);
    expect(check.fix).toMatch(/Message Content Intent.*MESSAGE_CONTENT=off/s);
    expect(run.code).toBe(0);
    expect(find((await doctor({ ...w.env, MESSAGE_CONTENT: 'off' })).checks, 'message-content')[0]!.verdict).toBe('ok');
  });

  it('Message Content on a verified application (flag 1 << 18) counts as enabled too', async () => {
    const w = await world({ sandbox: { verifiedApplication: true } });
    expect(find((await doctor(w.env)).checks, 'message-content')[0]).toMatchObject({ verdict: 'ok', message: expect.stringMatching(/^enabled/) });
  });

  it('a channel the bot cannot post in: FAIL naming the series, the channel and the permissions', async () => {
    const w = await world();
    w.sandbox.setPermissionOverwrite(w.channel, { id: w.sandbox.botUser.id, type: 'member', deny: P.SendMessages });
    const run = await doctor(w.env);
    expect(find(run.checks, 'channel')[0]).toMatchObject({
      subject: `#BadgeChat in #chat (${w.channel})`, verdict: 'fail',
      message: 'the bot cannot run the chat here: missing Send Messages',
    });
    expect(run.code).toBe(1);
    // Embed Links denied as well: named too (it is not just the implicit denial).
    w.sandbox.setPermissionOverwrite(w.channel, { id: w.sandbox.botUser.id, type: 'member', deny: P.SendMessages | P.EmbedLinks });
    expect(find((await doctor(w.env)).checks, 'channel')[0]!.message).toBe('the bot cannot run the chat here: missing Send Messages, Embed Links');
    // Allowed back for the bot's role over an @everyone deny: ok (role overwrites count).
    w.sandbox.setPermissionOverwrite(w.channel, { id: w.sandbox.botUser.id, type: 'member' });
    w.sandbox.setPermissionOverwrite(w.channel, { id: w.sandbox.guild.id, type: 'role', deny: P.SendMessages });
    expect(find((await doctor(w.env)).checks, 'channel')[0]!.verdict).toBe('fail');
    const role = w.sandbox.createRole('poster', 0n);
    w.sandbox.addRole(w.sandbox.botUser.id, role.id);
    w.sandbox.setPermissionOverwrite(w.channel, { id: role.id, type: 'role', allow: P.SendMessages });
    expect(find((await doctor(w.env)).checks, 'channel')[0]!.verdict).toBe('ok');
  });

  it('a channel the bot cannot see, and a deleted channel: each its own verdict', async () => {
    const w = await world();
    w.sandbox.setPermissionOverwrite(w.channel, { id: w.sandbox.botUser.id, type: 'member', deny: P.ViewChannel });
    expect(find((await doctor(w.env)).checks, 'channel')[0]).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/^the bot cannot see this channel/) });
    w.sandbox.deleteChannel(w.channel);
    const run = await doctor(w.env);
    expect(find(run.checks, 'channel')[0]).toMatchObject({ subject: `#BadgeChat in channel ${w.channel}`, verdict: 'fail', message: 'the channel no longer exists (deleted)' });
    expect(run.code).toBe(1);
  });

  it('threads: a series in thread mode without Create Public Threads fails; one without threads does not care', async () => {
    const w = await world({ settings: { threads: true, scheduledEvents: false } });
    w.sandbox.setPermissionOverwrite(w.channel, { id: w.sandbox.botUser.id, type: 'member', deny: P.CreatePublicThreads });
    expect(find((await doctor(w.env)).checks, 'channel')[0]).toMatchObject({ verdict: 'fail', message: 'the bot cannot open question threads here: missing Create Public Threads' });
    const plain = await world({ settings: { threads: false, scheduledEvents: false } });
    plain.sandbox.setPermissionOverwrite(plain.channel, { id: plain.sandbox.botUser.id, type: 'member', deny: P.CreatePublicThreads });
    expect(find((await doctor(plain.env)).checks, 'channel')[0]!.verdict).toBe('ok');
  });

  it('events: a series with Scheduled Events and no Create Events warns (the chat runs without them); with the permission, ok', async () => {
    const w = await world({ settings: { scheduledEvents: true } });
    await deploy(w);
    const run = await doctor(w.env);
    expect(find(run.checks, 'channel')[0]).toMatchObject({ verdict: 'warn', message: 'the chat runs, but without Scheduled Events: missing Create Events', fix: expect.stringMatching(/invite-url --events/) });
    expect(run.code).toBe(0);
    const role = w.sandbox.createRole('events', P.ManageEvents);
    w.sandbox.addRole(w.sandbox.botUser.id, role.id);
    expect(find((await doctor(w.env)).checks, 'channel')[0]!.verdict).toBe('ok');
  });

  it('commands: none deployed, out of date (naming the fields), and matching', async () => {
    const w = await world();
    expect(find((await doctor(w.env)).checks, 'commands')[0]).toMatchObject({ verdict: 'fail', message: 'none are deployed: /chat and /bank do not show in Discord', fix: expect.stringMatching(/deploy-commands/) });
    // An older build's commands: /chat's description differs and "Not an answer" is missing.
    const old = (JSON.parse(JSON.stringify(applicationCommandsJson())) as Record<string, unknown>[])
      .filter((c) => c.name !== 'Not an answer').map((c) => (c.name === 'chat' ? { ...c, description: 'An older description' } : c));
    const put = await fetch(`${w.sandbox.apiBase}/v10/applications/${w.sandbox.applicationId}/commands`, {
      method: 'PUT', headers: { authorization: `Bot ${w.sandbox.token}`, 'content-type': 'application/json' }, body: JSON.stringify(old),
    });
    expect(put.status).toBe(200);
    const stale = find((await doctor(w.env)).checks, 'commands')[0]!;
    expect(stale).toMatchObject({ subject: 'globally', verdict: 'fail', message: 'out of date: + "Not an answer" (message menu) (new); ~ /chat: description' });
    await deploy(w);
    expect(find((await doctor(w.env)).checks, 'commands')[0]).toMatchObject({ verdict: 'ok', message: 'the 4 deployed match this build' });
  });

  it('deploy-commands prints the same diff before it overwrites, and "no changes" when there are none', async () => {
    const w = await world();
    const run = async (...argv: string[]) => {
      let out = '';
      expect(await deployCommands(argv, w.env, { write: (t: string) => ((out += t), true) } as unknown as typeof process.stdout)).toBe(0);
      return out.split('\n')[0] === 'Compared with the commands deployed globally: no changes.' ? 'no changes' : out.split('\n').slice(1, -2);
    };
    expect(await run()).toEqual(['  + /bank (new)', '  + /chat (new)', '  + "Count as answer…" (message menu) (new)', '  + "Not an answer" (message menu) (new)']);
    expect(await run()).toBe('no changes');
    const changed = (JSON.parse(JSON.stringify(applicationCommandsJson())) as Record<string, unknown>[]).map((c) => (c.name === 'bank' ? { ...c, default_member_permissions: '8' } : c));
    await fetch(`${w.sandbox.apiBase}/v10/applications/${w.sandbox.applicationId}/commands`, {
      method: 'PUT', headers: { authorization: `Bot ${w.sandbox.token}`, 'content-type': 'application/json' }, body: JSON.stringify([...changed, { name: 'old', description: 'Gone' }]),
    });
    expect(await run()).toEqual(['  - /old (no longer in this build)', '  ~ /bank: default_member_permissions']);
  });

  it('commands deployed in the series\' server only (deploy-commands --guild) count, and are compared there', async () => {
    const w = await world();
    expect(await deployCommands(['--guild', w.sandbox.guild.id], w.env, { write: () => true } as unknown as typeof process.stdout)).toBe(0);
    expect(find((await doctor(w.env)).checks, 'commands')[0]).toMatchObject({ subject: `in server ${w.sandbox.guild.id}`, verdict: 'ok' });
  });

  it('usage: --help explains each check; an argument or option it does not take is exit 2', async () => {
    const out: string[] = [];
    const io: CliIo = { stdout: { write: (t: string) => (out.push(t), true) }, stderr: { write: (t: string) => (out.push(t), true) }, env: { LOG_LEVEL: 'silent' } };
    expect(await main(['doctor', '--help'], io)).toBe(0);
    expect(out.join('')).toMatch(/^Usage: emcee doctor \[--json\] \[--db <path>\]/);
    expect(out.join('')).toMatch(/6\. slash commands/);
    out.length = 0;
    expect(await main(['doctor', 'now'], io)).toBe(2);
    expect(out.join('')).toBe('emcee: doctor does not take "now" (emcee doctor --help)\n');
    expect(await main(['doctor', '--jsno'], io)).toBe(2);
  });
});
