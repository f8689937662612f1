/**
 * kill -9 between a Scheduled Event's create request and its record (issue 14): the bot
 * runs as its own OS process (`node --import tsx src/main.ts`) against the loopback Discord
 * in this process, with eight weekly series whose next sessions it plans at start-up and
 * announces as guild events, one after another. Each life is SIGKILLed as the sandbox handles its create
 * request (Discord has made the event; the bot may or may not have its answer, and has
 * certainly not recorded it), after a seeded delay of 0-40 ms, or at a random uptime; then
 * restarted. At the end the guild has exactly one event per session, the one the database
 * records, and no process logged an error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { PermissionFlagsBits } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.ts';
import { startSandbox, type RecordedRequest, type Sandbox } from '../../src/sandbox/index.ts';
import { openStore } from '../../src/store/index.ts';
import { errorLines, faultSeed, killAll, onRequest, rng, sleep, spawnBot, stderrOf, until, type BotLife } from './support.ts';

const SEED = faultSeed(20_261_202);
const LIVES = 10;
/** Series (each its own channel and planned session): their creates come one after another, so lives die at different ones. */
const SERIES = 8;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('kill -9 between a Scheduled Event\'s create and its record', () => {
  it('one event per session, whatever the moment of each kill', async () => {
    const random = rng(SEED);
    console.log(`[faults/events-kill] seed ${SEED} (FAULT_SEED=${SEED} to repeat its choices)`);
    const sandbox: Sandbox = await startSandbox();
    cleanups.push(() => sandbox.close());
    const role = sandbox.createRole('Events', PermissionFlagsBits.CreateEvents);
    sandbox.addRole(sandbox.botUser.id, role.id);
    const dir = mkdtempSync(`${tmpdir()}/emcee-events-kill-`);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const dbPath = `${dir}/emcee.sqlite`;

    // Weekly series written before the bot first starts: it plans their next sessions at start-up.
    const setup = openStore(dbPath, systemClock);
    const set = await setup.bank.create({ title: 'Kill tests', source: 'moderator', questions: ['Why?', 'How?'], guildId: sandbox.guild.id });
    for (let i = 1; i <= SERIES; i++) {
      await setup.series.saveForChannel({
        guildId: sandbox.guild.id, channelId: sandbox.createChannel(`eventchat-${i}`).id, tag: `#EventChat${i}`, timezone: 'UTC',
        schedule: `0 ${12 + i} * * 1`, settings: { questionSetId: set.id },
      });
    }
    await setup.close();
    const reader = new Database(dbPath, { readonly: true, fileMustExist: true });
    cleanups.push(() => void reader.close());
    const done = () => {
      const rows = recorded();
      return rows.length === SERIES && rows.every((e) => e.event_id !== null && e.state === 'scheduled');
    };
    const recorded = () => {
      try {
        return reader.prepare<[], { session_id: number; event_id: string | null; state: string }>('SELECT session_id, event_id, state FROM session_events').all();
      } catch {
        return []; // the table is made by the bot's first start (migrations)
      }
    };

    const creates: RecordedRequest[] = [];
    let hook: ((r: RecordedRequest) => void) | null = null;
    const isCreate = (r: RecordedRequest) => r.method === 'POST' && r.path === `/guilds/${sandbox.guild.id}/scheduled-events`;
    onRequest(sandbox, (r) => {
      if (isCreate(r)) creates.push(r);
      hook?.(r);
    });

    const lives: BotLife[] = [];
    cleanups.push(() => killAll(lives));
    const kinds: string[] = [];
    for (let n = 1; n <= LIVES; n++) {
      const life = spawnBot(sandbox, { DATABASE_PATH: dbPath }, n);
      lives.push(life);
      // The first lives always die at a create (an uptime kill may come after every event is
      // recorded on a fast machine, and then no later life has a create to die at).
      const atCreate = n <= 3 || random.chance(0.6);
      const delayMs = random.int(0, 40);
      const killed = new Promise<string>((resolve) => {
        const kill = (why: string) => {
          hook = null;
          if (!life.exited) life.proc.kill('SIGKILL');
          resolve(why);
        };
        if (atCreate) hook = (r) => isCreate(r) && void setTimeout(() => kill(`at create +${delayMs} ms`), delayMs);
        else setTimeout(() => kill('at uptime'), random.int(500, 4_000));
        // A life that records every event before its kill is let go.
        void until('every event recorded', done, 60_000).then(() => kill('recorded'), () => {});
      });
      kinds.push(await killed);
      await life.exit;
      await sleep(random.int(50, 300));
    }

    // The last life runs until every record holds its event's id.
    const final = spawnBot(sandbox, { DATABASE_PATH: dbPath }, LIVES + 1);
    lives.push(final);
    try {
      await until('every event recorded', done, 60_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${stderrOf(lives)}`);
    }
    final.proc.kill('SIGTERM');
    await final.exit;

    console.log(`[faults/events-kill] lives: ${kinds.join(', ')}; ${creates.length} create requests`);
    const rows = recorded();
    const events = sandbox.scheduledEvents.list();
    expect(new Set(rows.map((r) => r.session_id)).size).toBe(SERIES);
    expect(events.map((e) => e.id).sort(), `create requests: ${creates.length}`).toEqual(rows.map((r) => r.event_id).sort());
    expect(events.map((e) => e.name).sort()).toEqual(Array.from({ length: SERIES }, (_, i) => `#EventChat${i + 1}: Kill tests`).sort());
    expect(events.every((e) => e.status === 1)).toBe(true);
    expect(kinds.filter((k) => k.startsWith('at create')).length, 'some lives were killed at the create').toBeGreaterThan(0);
    expect(errorLines(lives)).toEqual([]);
  });
});
