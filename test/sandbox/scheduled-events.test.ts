import { DiscordAPIError, GatewayIntentBits, PermissionFlagsBits, Routes, type Client } from 'discord.js';
import { describe, expect, test } from 'vitest';
import { clients, connect, general, next, sandbox, useSandbox, Guilds } from './support.ts';

// Guild scheduled events as Discord has them, through discord.js's REST client (every exchange
// is checked against Discord's OpenAPI schema by the tests' setup).

useSandbox();

const HOUR = 60 * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

function external(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const start = Date.now() + HOUR;
  return {
    name: '#TestChat: what is next',
    description: 'Questions at the top of the hour.',
    privacy_level: 2,
    entity_type: 3,
    entity_metadata: { location: '#general' },
    scheduled_start_time: iso(start),
    scheduled_end_time: iso(start + HOUR),
    ...overrides,
  };
}

async function botWithEvents(permission: bigint = PermissionFlagsBits.ManageEvents): Promise<Client> {
  const role = sandbox.createRole('events', permission);
  sandbox.addRole(sandbox.botUser.id, role.id);
  return connect({ intents: [Guilds, GatewayIntentBits.GuildScheduledEvents] });
}

async function apiError(promise: Promise<unknown>): Promise<DiscordAPIError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DiscordAPIError);
  return error as DiscordAPIError;
}

describe('guild scheduled events', () => {
  test('create, get with user_count, modify through ACTIVE to COMPLETED, delete: each dispatched', async () => {
    const client = await botWithEvents();
    const guild = sandbox.guild.id;
    const created = next(client, 'guildScheduledEventCreate');
    const event = (await client.rest.post(Routes.guildScheduledEvents(guild), { body: external() })) as { id: string; status: number; creator_id: string };
    expect(event).toMatchObject({ status: 1, creator_id: sandbox.botUser.id, entity_metadata: { location: '#general' } });
    expect((await created)[0].id).toBe(event.id);

    const bob = sandbox.createUser('bob');
    sandbox.scheduledEvents.markInterested(event.id, [bob.id]);
    const counted = (await client.rest.get(Routes.guildScheduledEvent(guild, event.id), { query: new URLSearchParams({ with_user_count: 'true' }) })) as { user_count: number };
    expect(counted.user_count).toBe(1);
    const listed = (await client.rest.get(Routes.guildScheduledEvents(guild), { query: new URLSearchParams({ with_user_count: 'true' }) })) as { user_count: number }[];
    expect(listed.map((e) => e.user_count)).toEqual([1]);
    const users = (await client.rest.get(Routes.guildScheduledEventUsers(guild, event.id))) as { user_id: string }[];
    expect(users.map((u) => u.user_id)).toEqual([bob.id]);

    const later = iso(Date.now() + 3 * HOUR);
    const updated = next(client, 'guildScheduledEventUpdate');
    await client.rest.patch(Routes.guildScheduledEvent(guild, event.id), { body: { scheduled_end_time: later } });
    expect((await updated)[1].scheduledEndAt?.toISOString()).toBe(later);
    await client.rest.patch(Routes.guildScheduledEvent(guild, event.id), { body: { status: 2 } });
    await client.rest.patch(Routes.guildScheduledEvent(guild, event.id), { body: { status: 3 } });
    expect(sandbox.scheduledEvents.list().map((e) => e.status)).toEqual([3]);
    // A finished event cannot change any more.
    expect((await apiError(client.rest.patch(Routes.guildScheduledEvent(guild, event.id), { body: { name: 'again' } }))).code).toBe(180000);

    const deleted = next(client, 'guildScheduledEventDelete');
    await client.rest.delete(Routes.guildScheduledEvent(guild, event.id));
    expect((await deleted)[0].id).toBe(event.id);
    expect(sandbox.scheduledEvents.list()).toEqual([]);
    expect((await apiError(client.rest.get(Routes.guildScheduledEvent(guild, event.id)))).code).toBe(10070);
  });

  test('validation like Discord: name, description, location, end time, channel, past start, transitions', async () => {
    const client = await botWithEvents(PermissionFlagsBits.CreateEvents);
    const post = (body: Record<string, unknown>) => apiError(client.rest.post(Routes.guildScheduledEvents(sandbox.guild.id), { body }));
    const field = (e: DiscordAPIError) => JSON.stringify(e.rawError);
    expect(field(await post(external({ name: '' })))).toMatch(/"name"/);
    expect(field(await post(external({ name: 'x'.repeat(101) })))).toMatch(/"name"/);
    expect(field(await post(external({ description: 'x'.repeat(1001) })))).toMatch(/"description"/);
    expect(field(await post(external({ entity_metadata: {} })))).toMatch(/"location"/);
    expect(field(await post(external({ entity_metadata: { location: 'x'.repeat(101) } })))).toMatch(/"location"/);
    expect(field(await post(external({ scheduled_end_time: undefined })))).toMatch(/"scheduled_end_time"/);
    expect(field(await post(external({ entity_type: 2, entity_metadata: undefined })))).toMatch(/"channel_id"/);
    expect(field(await post(external({ scheduled_start_time: iso(Date.now() - 60_000) })))).toMatch(/SCHEDULE_PAST/);
    for (const e of [await post(external({ name: '' }))]) expect(e.status).toBe(400);

    const event = (await client.rest.post(Routes.guildScheduledEvents(sandbox.guild.id), { body: external() })) as { id: string };
    const patch = (body: Record<string, unknown>) => apiError(client.rest.patch(Routes.guildScheduledEvent(sandbox.guild.id, event.id), { body }));
    // SCHEDULED -> COMPLETED is not a transition Discord allows.
    expect(field(await patch({ status: 3 }))).toMatch(/"status"/);
    await client.rest.patch(Routes.guildScheduledEvent(sandbox.guild.id, event.id), { body: { status: 2 } });
    // ACTIVE -> CANCELED neither.
    expect(field(await patch({ status: 4 }))).toMatch(/"status"/);
  });

  test('without Manage Events or Create Events: 403 Missing Permissions (50013)', async () => {
    const client = await connect();
    const error = await apiError(client.rest.post(Routes.guildScheduledEvents(sandbox.guild.id), { body: external() }));
    expect([error.status, error.code]).toEqual([403, 50013]);
  });

  test('at most 100 scheduled or active events per guild (30038); a cancelled one frees a place', async () => {
    const client = await botWithEvents();
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      ids.push(((await client.rest.post(Routes.guildScheduledEvents(sandbox.guild.id), { body: external({ name: `chat ${i}` }) })) as { id: string }).id);
    }
    const error = await apiError(client.rest.post(Routes.guildScheduledEvents(sandbox.guild.id), { body: external() }));
    expect([error.status, error.code]).toEqual([400, 30038]);
    await client.rest.patch(Routes.guildScheduledEvent(sandbox.guild.id, ids[0]!), { body: { status: 4 } });
    await client.rest.post(Routes.guildScheduledEvents(sandbox.guild.id), { body: external({ name: 'fits again' }) });
    expect(sandbox.scheduledEvents.list().length).toBe(101);
  }, 60_000);

  test('a lost create response: the event exists, the bot gets an error and no retry makes another', async () => {
    const client = await botWithEvents();
    sandbox.scheduledEvents.loseCreateResponse(1);
    await expect(client.rest.post(Routes.guildScheduledEvents(sandbox.guild.id), { body: external() })).rejects.toThrow();
    expect(sandbox.scheduledEvents.list().map((e) => e.name)).toEqual(['#TestChat: what is next']);
    expect(sandbox.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/scheduled-events')).length).toBe(1);
    // The next create answers normally.
    await client.rest.post(Routes.guildScheduledEvents(sandbox.guild.id), { body: external({ name: 'second' }) });
    expect(sandbox.scheduledEvents.list().length).toBe(2);
    expect(clients.length).toBe(1);
    void general;
  });
});
