/**
 * Shared setup of the sandbox tests (sandbox-*.test.ts): a fresh sandbox with #general and
 * alice for each test, and a real discord.js client logged in to it.
 */
import { Client, GatewayIntentBits, Partials, type ClientEvents, type ClientOptions } from 'discord.js';
import { afterEach, beforeEach } from 'vitest';
import { startSandbox, type Sandbox, type SandboxChannel, type SandboxUser } from '../../src/sandbox/index.ts';

export const { Guilds, GuildMembers, GuildMessages, MessageContent } = GatewayIntentBits;

/** The sandbox of the running test, its #general channel and its user alice (live bindings). */
export let sandbox: Sandbox;
export let general: SandboxChannel;
export let alice: SandboxUser;
/** Clients to destroy after the test. */
export const clients: Client[] = [];

/** Registers a test file's hooks: a new sandbox before each test; its clients and the sandbox closed after it. */
export function useSandbox(): void {
  beforeEach(async () => {
    sandbox = await startSandbox();
    general = sandbox.createChannel('general');
    alice = sandbox.createUser('alice');
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.destroy();
    await sandbox.close();
  });
}

/** Closes this test's sandbox and starts another with these options, closed after the test as usual. */
export async function restartSandbox(options: Parameters<typeof startSandbox>[0]): Promise<Sandbox> {
  await sandbox.close();
  sandbox = await startSandbox(options);
  return sandbox;
}

/** A real discord.js client, logged in to the sandbox and ready. */
export async function connect(options: Partial<ClientOptions> = {}): Promise<Client> {
  const client = new Client({
    intents: [Guilds, GuildMessages, MessageContent],
    partials: [Partials.Message, Partials.Channel],
    rest: { api: sandbox.apiBase },
    ...options,
  });
  clients.push(client);
  const ready = new Promise((resolve) => client.once('clientReady', resolve));
  await client.login(sandbox.token);
  await ready;
  return client;
}

/** Resolves with the arguments of the next `event` that passes `filter`. */
export function next<K extends keyof ClientEvents>(
  client: Client,
  event: K,
  filter: (...args: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`no ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args: ClientEvents[K]): void => {
      if (!filter(...args)) return;
      clearTimeout(timer);
      client.off(event, listener);
      resolve(args);
    };
    client.on(event, listener);
  });
}

export async function sendable(client: Client, channelId: string) {
  const channel = await client.channels.fetch(channelId);
  if (!channel?.isSendable()) throw new Error(`channel ${channelId} is not sendable`);
  return channel;
}
