/**
 * Shared pieces of the fault runs (test/faults/*.test.ts): seeded randomness, small waits,
 * and the bot's own posts as the sandbox saw them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Sandbox, SandboxMessage } from '../../src/sandbox/index.ts';

/** The seed of every fault run: FAULT_SEED=n npm run test:faults reproduces a run's choices. */
export function faultSeed(fallback: number): number {
  const raw = process.env.FAULT_SEED;
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`FAULT_SEED must be an integer, not ${raw}`);
  return n;
}

/** mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
export function rng(seed: number): Random {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from nothing');
      return items[Math.floor(next() * items.length)]!;
    },
    chance: (p) => next() < p,
  };
}

export interface Random {
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A bot post as a short label: the embed title for questions (Q1), else the content. */
export function postLabel(m: SandboxMessage): string {
  return m.embeds[0]?.title ?? m.content;
}

/** The bot's messages in a channel, oldest first. */
export function botMessages(sandbox: Sandbox, channelId: string): SandboxMessage[] {
  return sandbox.messages(channelId).filter((m) => m.author.id === sandbox.botUser.id);
}

/** The participants' (everyone but the bot) messages in a channel, oldest first. */
export function userMessages(sandbox: Sandbox, channelId: string): SandboxMessage[] {
  return sandbox.messages(channelId).filter((m) => m.author.id !== sandbox.botUser.id);
}

/** Calls `fn` after every request the sandbox records (the bot's REST calls), synchronously. */
export function onRequest(sandbox: Sandbox, fn: (r: Sandbox['requests'][number]) => void): void {
  const push = sandbox.requests.push.bind(sandbox.requests);
  sandbox.requests.push = (...items) => {
    const n = push(...items);
    for (const item of items) fn(item);
    return n;
  };
}

/** The nonce of a recorded message post, if it has one (the engine's prompt marker). */
export function nonceOf(body: unknown): string | null {
  const nonce = (body as { nonce?: unknown } | undefined)?.nonce;
  return typeof nonce === 'string' ? nonce : null;
}

/**
 * Prompt markers the bot POSTed more than once with a 200 answer: a post whose message
 * existed already went out again (the sandbox, like Discord for a few minutes, answers a
 * repeated enforce_nonce with the earlier message, so the channel does not show it).
 */
export function resentMarkers(sandbox: Sandbox, channelId: string): string[] {
  const ok = new Map<string, number>();
  for (const r of sandbox.requests) {
    if (r.method !== 'POST' || r.path !== `/channels/${channelId}/messages` || r.status !== 200) continue;
    const nonce = nonceOf(r.body);
    if (nonce) ok.set(nonce, (ok.get(nonce) ?? 0) + 1);
  }
  return [...ok].filter(([, n]) => n > 1).map(([nonce, n]) => `${nonce} x${n}`);
}

/** Polls `check` every 20 ms until it is truthy; an error thrown by `check` ends the wait at once. */
export async function until<T>(what: string, check: () => T | undefined | false | null, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** One run of the bot as its own OS process (`node --import tsx src/main.ts`, what `npm start` runs). */
export interface BotLife {
  n: number;
  /** What this process is, for messages ("shard 0, life 3"). */
  name: string;
  proc: ChildProcess;
  /** The tail of its stderr (its log at FAULT_LOG_LEVEL, default warn). */
  stderr: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: boolean;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Starts the bot against the sandbox with `env` on top of this process's environment (the
 * database and shard settings); the sandbox's token and API base are set here. A variable
 * set to undefined in `env` is removed.
 */
export function spawnBot(sandbox: Sandbox, env: Record<string, string | undefined>, n: number, name = `bot process ${n}`): BotLife {
  const full: NodeJS.ProcessEnv = {
    ...process.env,
    DISCORD_TOKEN: sandbox.token, DISCORD_APPLICATION_ID: sandbox.applicationId, DISCORD_API_BASE: sandbox.apiBase,
    LOG_LEVEL: process.env.FAULT_LOG_LEVEL ?? 'warn',
  };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete full[key];
    else full[key] = value;
  }
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: full, stdio: ['ignore', 'ignore', 'pipe'] });
  const life: BotLife = { n, name, proc, stderr: '', exited: false, exit: null as never };
  life.exit = new Promise((resolve) => proc.once('exit', (code, signal) => {
    life.exited = true;
    resolve({ code, signal });
  }));
  proc.stderr!.on('data', (d: Buffer) => {
    life.stderr = (life.stderr + d.toString()).slice(-1_000_000);
  });
  return life;
}

/** SIGKILLs every life still running and waits for it. */
export async function killAll(lives: readonly BotLife[]): Promise<void> {
  for (const life of lives) {
    if (!life.exited) {
      life.proc.kill('SIGKILL');
      await life.exit;
    }
  }
}

/** The stderr tails of some lives, for a failure's message. */
export const stderrOf = (lives: readonly BotLife[]): string => lives.map((l) => `--- ${l.name} stderr:\n${l.stderr.slice(-4000)}`).join('\n');

/** The error and fatal lines the lives logged (pino levels 50 and 60). */
export const errorLines = (lives: readonly BotLife[]): string[] =>
  lives.flatMap((l) => l.stderr.split('\n').filter((line) => /"level":(5|6)0/.test(line)).map((line) => `${l.name}: ${line}`));
