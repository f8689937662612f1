/**
 * The sandbox against Discord's published schema (discord-api-spec): every route names an
 * operation of the spec and schemas that exist; the payloads the issue found wanting now
 * validate; and an exchange that disagrees is recorded (and would fail the test that made it,
 * through test/setup/sandbox-schemas.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { guildCreatePayload, guildPayload, readyPayload } from '../../src/sandbox/gateway-payloads.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { createRoutes } from '../../src/sandbox/routes.ts';
import { checkExchange, loadSpec, unknownSchemas, validate } from '../../src/sandbox/schema-check.ts';
import { takeSchemaViolations } from '../../src/sandbox/schema-violations.ts';
import { World } from '../../src/sandbox/state.ts';

// The package's "types" point at its TypeScript sources, which do not compile under this
// project's settings (verbatimModuleSyntax in a CommonJS package): load it by a specifier in
// a variable, so tsc does not type-check node_modules, and type what is used here.
const SPEC = 'discord-api-spec';
const { pathsList } = (await import(SPEC)) as { pathsList: Record<string, readonly string[]> };

const clock = new ManualClock(new Date('2025-03-01T12:00:00Z'));
const world = () => new World(clock, () => 'http://127.0.0.1:1');
const spec = await loadSpec();

const sandboxes: Sandbox[] = [];
afterEach(async () => {
  while (sandboxes.length) await sandboxes.pop()!.close();
});

async function sandbox(): Promise<Sandbox> {
  const s = await startSandbox({ validateSchemas: true });
  sandboxes.push(s);
  return s;
}

async function api(s: Sandbox, method: string, path: string, body?: unknown) {
  const res = await fetch(`${s.apiBase}/v10${path}`, {
    method,
    headers: { authorization: `Bot ${s.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

describe('the route table', () => {
  const routes = createRoutes(world(), () => 'ws://127.0.0.1:1');

  it('lists the routes the sandbox serves, each an operation of Discord\'s OpenAPI spec', () => {
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      const listed = pathsList[route.method.toLowerCase()] ?? [];
      expect(listed, `${route.method} ${route.template} -> ${route.spec.path}`).toContain(route.spec.path);
      // The sandbox's pattern and the spec's path have the same shape ({param} <-> :id/:token/:any).
      expect(route.template.replace(/:(id|token|any)/g, '*'), route.template).toBe(route.spec.path.replace(/\{[^}]+\}/g, '*'));
    }
  });

  it('gives every route a schema check: its success responses, and the request body where one is sent', () => {
    for (const route of routes) {
      const where = `${route.method} ${route.template}`;
      const statuses = Object.keys(route.spec.responses);
      expect(statuses.length, `${where} has no response schema`).toBeGreaterThan(0);
      for (const status of statuses) {
        const ref = route.spec.responses[Number(status)];
        if (ref === null || ref === undefined) expect(status, `${where}: only 204 goes without a body`).toBe('204');
        else expect(unknownSchemas(spec, ref), `${where} ${status}: ${ref}`).toEqual([]);
      }
      if (route.method !== 'GET' && route.method !== 'DELETE') {
        expect(route.spec.request, `${where} takes a body but has no request schema`).toBeTypeOf('string');
        expect(unknownSchemas(spec, route.spec.request!), where).toEqual([]);
      }
    }
  });

  it('no two routes answer the same method and path', () => {
    const keys = routes.map((r) => `${r.method} ${r.template}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('payloads the issue found wanting now match Discord\'s schema', () => {
  it('a message: author.primary_guild is there (null when the user shows no server tag)', async () => {
    const s = await sandbox();
    const channel = s.createChannel('general');
    const user = s.createUser('alice');
    const message = s.userSays(channel.id, user.id, 'hello');
    expect(message.author).toHaveProperty('primary_guild', null);
    expect(validate(spec, 'MessageResponseSchema', message)).toBeNull();
    expect(validate(spec, 'MessageResponseSchema', { ...message, author: { ...message.author, primary_guild: undefined } }))
      .toMatch(/author\.primary_guild/);
  });

  it('the bot user of READY (the /users/@me user): mfa_enabled and locale', () => {
    const ready = readyPayload(world().dir, 'session', [0, 1], 'ws://127.0.0.1:1');
    expect(validate(spec, 'UserPIIResponseSchema', ready.user)).toBeNull();
    const { mfa_enabled: _m, locale: _l, ...without } = ready.user;
    expect(validate(spec, 'UserPIIResponseSchema', without)).toMatch(/mfa_enabled/);
  });

  it('the guild, alone and in GUILD_CREATE, has every field Discord requires', () => {
    const w = world();
    expect(validate(spec, 'GuildResponseSchema', guildPayload(w.dir, w.dir.guild.id))).toBeNull();
    expect(validate(spec, 'GuildResponseSchema', guildCreatePayload(w.dir, w.dir.guild.id))).toBeNull();
    const { home_header: _h, ...without } = guildPayload(w.dir, w.dir.guild.id) as unknown as Record<string, unknown>;
    expect(validate(spec, 'GuildResponseSchema', without)).toMatch(/home_header/);
  });

  it('an embed comes back with its type and every field\'s inline, as Discord stores it', async () => {
    const s = await sandbox();
    const channel = s.createChannel('general');
    const sent = await api(s, 'POST', `/channels/${channel.id}/messages`, { embeds: [{ title: 'Q1', fields: [{ name: 'a', value: 'b' }] }] });
    expect(sent.status).toBe(200);
    expect(sent.body?.embeds).toEqual([{ type: 'rich', title: 'Q1', fields: [{ name: 'a', value: 'b', inline: false }] }]);
    expect(s.schemaViolations()).toEqual([]);
  });
});

describe('an exchange that disagrees with Discord\'s schema is recorded', () => {
  it('a request body the sandbox accepted but Discord\'s schema refuses: one line naming the route and the field', async () => {
    const s = await sandbox();
    const channel = s.createChannel('general');
    const sent = await api(s, 'POST', `/channels/${channel.id}/messages`, { content: 'x', embeds: [{ title: 42 }] });
    expect(sent.status).toBe(200);
    const recorded = takeSchemaViolations();
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded).toEqual(s.schemaViolations());
    expect(recorded[0]).toMatch(/^POST \/channels\/\{channel_id\}\/messages: the bot's request body does not match Discord's schema: MessageCreateRequestSchema: embeds\.0\.title: /);
    expect(recorded.every((line) => !line.includes('\n'))).toBe(true);
  });

  it('a body the sandbox refused, as Discord would, is not counted: the bot already got the error', async () => {
    const s = await sandbox();
    const channel = s.createChannel('general');
    const refused = await api(s, 'POST', `/channels/${channel.id}/messages`, { content: 5 });
    expect(refused.status).toBe(400);
    expect(s.schemaViolations()).toEqual([]);
  });

  it('a response missing a required field, a status the spec does not list, a body on 204, a malformed error', () => {
    const w = world();
    const [route] = createRoutes(w, () => 'ws://127.0.0.1:1').filter((r) => r.method === 'POST' && r.template === '/channels/:id/messages');
    const channel = w.dir.createChannel('general');
    const message = w.messages.userSays(channel.id, w.dir.owner.id, 'hi');
    const exchange = { method: 'POST', path: `/channels/${channel.id}/messages`, route, requestBody: { content: 'hi' } };
    expect(checkExchange(spec, { ...exchange, status: 200, responseBody: message })).toEqual([]);
    const { pinned: _p, ...unpinned } = message;
    expect(checkExchange(spec, { ...exchange, status: 200, responseBody: unpinned })).toEqual([
      expect.stringMatching(/^POST \/channels\/\{channel_id\}\/messages: the sandbox's 200 response does not match Discord's schema: MessageResponseSchema: pinned: /),
    ]);
    expect(checkExchange(spec, { ...exchange, status: 201, responseBody: message })).toEqual([
      expect.stringMatching(/answered 201, which Discord's spec does not list/),
    ]);
    expect(checkExchange(spec, { ...exchange, status: 400, responseBody: { message: 'Bad' } })).toEqual([
      expect.stringMatching(/400 error does not match Discord's schema: ErrorSchema: code: /),
    ]);
    const [deleteRoute] = createRoutes(w, () => '').filter((r) => r.method === 'DELETE');
    expect(checkExchange(spec, { ...exchange, method: 'DELETE', route: deleteRoute, status: 204, responseBody: {} })).toEqual([
      expect.stringMatching(/answered 204 with a body; Discord sends none/),
    ]);
  });
});
