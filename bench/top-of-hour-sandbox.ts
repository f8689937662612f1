/**
 * The sandbox side of the top-of-the-hour benchmark (bench/top-of-hour.ts), in its own
 * process: the loopback Discord with GUILDS guilds of CHANNELS text channels each, Discord's
 * rate limits on (the global 50 requests/s per bot token, 5 posts per 5 s per channel), on
 * real time. Running apart keeps the sandbox's work and memory (every guild, channel and
 * message) out of the bot's figures, as against the real Discord.
 *
 * Each POST of a message that carries a nonce (the prompt marker) and is accepted is stamped with
 * epoch milliseconds (performance.timeOrigin + performance.now(), the same wall clock the
 * bot's process reads), so lateness is measured where Discord would see the post.
 *
 * Commands (IPC): { cmd: 'watch', nonces } names the posts to count; { cmd: 'count' } replies
 * { kind: 'count', arrived } (how many of them arrived); { cmd: 'stats' } replies
 * { kind: 'stats', arrivals, rateLimited, requests }; { cmd: 'close' }.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { systemClock } from '../src/domain/clock.ts';
import { startSandbox, type RecordedRequest } from '../src/sandbox/index.ts';

export type TopSandboxEvent =
  | { kind: 'ready'; apiBase: string; token: string; guilds: { id: string; channels: string[] }[] }
  | { kind: 'stats'; arrivals: [string, number][]; rateLimited: Record<string, number>; requests: number; loopDelayMaxMs: number }
  | { kind: 'count'; arrived: number };

const guildCount = Number(process.argv[2]);
const channelsPerGuild = Number(process.argv[3] ?? 1);
if (!process.send || !(guildCount > 0)) throw new Error('bench/top-of-hour-sandbox.ts is forked by bench/top-of-hour.ts');
const send = (event: TopSandboxEvent) => process.send!(event);
const wallMs = () => performance.timeOrigin + performance.now();

const sandbox = await startSandbox({ clock: systemClock });
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const guilds: { id: string; channels: string[] }[] = [];
for (let g = 0; g < guildCount; g++) {
  const guildId = g === 0 ? sandbox.guild.id : sandbox.createGuild(`guild-${g}`).id;
  const channels = Array.from({ length: channelsPerGuild }, (_, c) => sandbox.createChannel(`chat-${c}`, { guildId }).id);
  guilds.push({ id: guildId, channels });
}

const arrivals = new Map<string, number>();
let watched = new Set<string>();
let arrived = 0;
let requests = 0;
const recorded = sandbox.requests;
const push = recorded.push.bind(recorded);
recorded.push = (...items: RecordedRequest[]) => {
  const at = wallMs();
  for (const r of items) {
    requests++;
    const nonce = (r.body as { nonce?: unknown } | undefined)?.nonce;
    if (r.method === 'POST' && r.status < 300 && typeof nonce === 'string' && !arrivals.has(nonce)) {
      arrivals.set(nonce, at);
      if (watched.has(nonce)) arrived++;
    }
  }
  // Keep no request log: the run makes thousands, and the figures need only the arrivals.
  return recorded.length;
};
void push;

process.on('message', (raw) => {
  const msg = raw as { cmd: 'stats' | 'close' | 'count' } | { cmd: 'watch'; nonces: string[] };
  if (msg.cmd === 'watch') {
    watched = new Set(msg.nonces);
    arrived = msg.nonces.filter((n) => arrivals.has(n)).length;
  }
  if (msg.cmd === 'count') send({ kind: 'count', arrived });
  if (msg.cmd === 'stats') send({ kind: 'stats', arrivals: [...arrivals], rateLimited: { ...sandbox.rateLimited() }, requests, loopDelayMaxMs: loopDelay.max / 1e6 });
  if (msg.cmd === 'close') void sandbox.close().then(() => process.disconnect());
});
send({ kind: 'ready', apiBase: sandbox.apiBase, token: sandbox.token, guilds });
process.on('disconnect', () => process.exit(0));
