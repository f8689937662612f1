/**
 * kill -9 at random moments: the bot runs as its own OS process (`node --import tsx
 * src/main.ts`, what `npm start` runs) against the loopback Discord in this process, and is
 * SIGKILLed again and again during one live session while participants keep posting: at
 * random uptimes (some during start-up), right after the sandbox received a prompt post
 * (before or after the bot learnt its id), and while it backfilled after a restart. Each
 * time it is restarted after a short random pause. At the end every prompt must have gone
 * out exactly once and in order, no participant message may be lost or doubled, and the
 * recap must count every labelled answer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.ts';
import { buildRecap } from '../../src/recap/model.ts';
import { startSandbox, type RecordedRequest, type Sandbox } from '../../src/sandbox/index.ts';
import { SessionControls } from '../../src/live/controls.ts';
import { createStore, openStore } from '../../src/store/index.ts';
import type { Prompt } from '../../src/store/prompts.ts';
import { silentLog } from '../helpers/live.ts';
import {
  botMessages, errorLines as errorsOf, faultSeed, killAll, nonceOf, onRequest, postLabel, resentMarkers, rng, sleep, spawnBot, stderrOf, until, userMessages,
  type BotLife,
} from './support.ts';

const SEED = faultSeed(20_261_123);
const TAG = '#FaultChat';
const QUESTIONS = ['Q one?', 'Q two?', 'Q three?', 'Q four?'];
// welcome T+0, Q1..Q4 every 6 s, outro T+84 s (the timetable puts it at least a minute
// after the last question), close T+90 s. A prompt delayed by a dead bot is posted late
// rather than missed (lateToleranceSeconds: an hour).
const SETTINGS = {
  guidelinesAtMinutes: null, questionOffsetsMinutes: [0.1, 0.2, 0.3, 0.4], headsUpMinutesBefore: null,
  outroAtMinutes: 1.4, graceMinutes: 0.1, lateToleranceSeconds: 3600,
};
/** Participants posting while the bot is dead, once, right after a prompt went out: more than the reconcile lookback (100). */
const BURST = 150;
const MIN_KILLS = 10;
const MAX_KILLS = 25;

type Trigger =
  | { kind: 'uptime'; ms: number }
  | { kind: 'prompt'; delayMs: number; burst: boolean }
  | { kind: 'backfill'; delayMs: number };

type Life = BotLife;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('kill -9 at random moments', () => {
  it('every prompt exactly once and in order, no message lost or doubled, the recap complete', async () => {
    const started = Date.now();
    const random = rng(SEED);
    const chatter = rng(SEED ^ 0x5eed);
    console.log(`[faults/kill] seed ${SEED} (FAULT_SEED=${SEED} to repeat its choices)`);

    const sandbox: Sandbox = await startSandbox();
    cleanups.push(() => sandbox.close());
    const channelId = sandbox.createChannel('faultchat').id;
    const users = ['amy', 'bo', 'cy', 'di', 'ed'].map((name) => sandbox.createUser(name).id);
    const dir = mkdtempSync(`${tmpdir()}/emcee-kill-`);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const dbPath = `${dir}/emcee.sqlite`;

    // The series and a session started now, written before the bot first starts.
    const setup = openStore(dbPath, systemClock);
    const series = await setup.series.saveForChannel({ guildId: sandbox.guild.id, channelId, tag: TAG, timezone: 'UTC', schedule: null, settings: SETTINGS });
    const session = await new SessionControls({ store: setup, clock: systemClock, log: silentLog }).start(series, 'faults', { questions: QUESTIONS });
    const plan: Prompt[] = await setup.prompts.listBySession(session.id);
    setup.close();
    const closeAt = plan.find((p) => p.kind === 'close')!.plannedAt.getTime();
    expect(plan.map((p) => p.kind)).toEqual(['welcome', 'question', 'question', 'question', 'question', 'outro', 'close']);

    const reader = new Database(dbPath, { readonly: true, fileMustExist: true });
    cleanups.push(() => void reader.close());
    const stateOf = reader.prepare<[number], { state: string }>('SELECT state FROM sessions WHERE id = ?');
    const ended = () => stateOf.get(session.id)?.state === 'ended';

    // The bot's REST calls, as they reach the sandbox (synchronously, before it answers).
    const promptPath = `/channels/${channelId}/messages`;
    const seenMarkers = new Set<string>();
    let hook: ((r: RecordedRequest) => void) | null = null;
    onRequest(sandbox, (r) => {
      if (r.method === 'POST' && r.path === promptPath && r.status === 200) {
        const nonce = nonceOf(r.body);
        if (nonce) seenMarkers.add(nonce);
      }
      hook?.(r);
    });
    const isPromptPost = (r: RecordedRequest) => r.method === 'POST' && r.path === promptPath && r.status === 200 && nonceOf(r.body) !== null;
    const isBackfill = (r: RecordedRequest) => r.method === 'GET' && r.path === promptPath && r.query.after !== undefined;
    const nextDue = () => plan.find((p) => !seenMarkers.has(`emcee:${p.sessionId}:${p.id}`))?.plannedAt.getTime() ?? null;

    // Participants: a message every 50-100 ms, labels spread over the questions, some unlabelled.
    const sent: { id: string; label: number | null }[] = [];
    let seq = 0;
    const say = () => {
      const label = chatter.chance(0.8) ? chatter.int(1, 4) : null;
      const user = chatter.pick(users);
      const text = label === null ? `just chatting, message ${++seq}` : `A${label}: answer ${++seq} from ${user}`;
      sent.push({ id: sandbox.userSays(channelId, user, text).id, label });
    };
    let posting = true;
    const postUntil = closeAt - 1_000;
    const poster = (async () => {
      while (posting && Date.now() < postUntil) {
        say();
        await sleep(chatter.int(50, 100));
      }
    })();
    cleanups.push(async () => {
      posting = false;
      await poster;
    });

    const lives: Life[] = [];
    const spawnLife = (): Life => {
      const life = spawnBot(sandbox, { DATABASE_PATH: dbPath }, lives.length + 1);
      lives.push(life);
      return life;
    };
    cleanups.push(() => killAll(lives));

    /** Runs one life until its trigger fires (SIGKILL) or the session has ended. */
    const runLife = (life: Life, trigger: Trigger): Promise<'killed' | 'ended'> => new Promise((resolve, reject) => {
      const timers: NodeJS.Timeout[] = [];
      let done = false;
      const finish = (outcome: 'killed' | 'ended') => {
        if (done) return;
        done = true;
        hook = null;
        timers.forEach(clearTimeout);
        resolve(outcome);
      };
      const kill = () => {
        if (done) return;
        // Never after the close: the recap post at close is not part of this run.
        if (ended()) return finish('ended');
        life.proc.kill('SIGKILL');
        finish('killed');
      };
      const later = (ms: number, fn: () => void) => timers.push(setTimeout(fn, ms));
      if (trigger.kind === 'uptime') later(trigger.ms, kill);
      if (trigger.kind === 'prompt') {
        hook = (r) => {
          if (!isPromptPost(r)) return;
          hook = null;
          // 0: before the bot hears back (a post of unknown outcome); else a little after.
          if (trigger.delayMs === 0) kill();
          else later(trigger.delayMs, kill);
        };
        later(20_000, () => { // nothing was posted: kill anyway
          fellBack = true;
          kill();
        });
      }
      if (trigger.kind === 'backfill') {
        hook = (r) => {
          if (!isBackfill(r)) return;
          hook = null;
          say(); // a live message on the gateway while the backfill's answer is on its way
          later(trigger.delayMs, kill);
        };
        later(15_000, () => {
          fellBack = true;
          kill();
        });
      }
      const poll = setInterval(() => {
        if (done) return clearInterval(poll);
        if (ended()) {
          clearInterval(poll);
          finish('ended');
        }
      }, 100);
      void life.exit.then(({ code, signal }) => {
        clearInterval(poll);
        if (!done) {
          done = true;
          hook = null;
          timers.forEach(clearTimeout);
          reject(new Error(`bot process ${life.n} exited by itself (code ${code}, signal ${signal})\n${stderrOf([life])}`));
        }
      });
    });

    const chooseTrigger = (burstDone: boolean, promptKills: number): Trigger => {
      const due = nextDue();
      const roll = random.next();
      // A prompt kill only when a prompt is due soon, so that a life does not wait long for one.
      if (roll < 0.35 && due !== null && due - Date.now() < 6_000) {
        const delayMs = promptKills === 0 ? 0 : random.pick([0, 0, random.int(1, 30), random.int(30, 400)]);
        return { kind: 'prompt', delayMs, burst: !burstDone && delayMs === 0 };
      }
      if (roll < 0.35 ? random.chance(0.5) : roll < 0.65) return { kind: 'backfill', delayMs: random.int(0, 25) };
      return { kind: 'uptime', ms: random.int(150, 7_000) };
    };

    const kills: string[] = [];
    let fellBack = false; // the life's trigger never came; it was killed after a while anyway
    let burstDone = false;
    let promptKills = 0;
    let final: Life | null = null;
    try {
      // Kills until the close is due (and a little after: a close posted by a life that then
      // dies must still be settled by the next one); the last life then runs to the end.
      while (kills.length < MAX_KILLS && Date.now() < closeAt + 3_000) {
        if (ended()) break;
        const life = spawnLife();
        // The second life dies as the sandbox takes its first prompt post (unknown outcome,
        // then a burst of messages while it is dead); the third during its backfill. The
        // others die as the seeded dice say.
        const trigger: Trigger = life.n === 2 ? { kind: 'prompt', delayMs: 0, burst: true }
          : life.n === 3 ? { kind: 'backfill', delayMs: random.int(0, 25) }
          : chooseTrigger(burstDone, promptKills);
        fellBack = false;
        const outcome = await runLife(life, trigger);
        if (outcome === 'ended') {
          final = life;
          break;
        }
        await life.exit;
        const when = `T+${((Date.now() - session.startsAt.getTime()) / 1000).toFixed(1)}s`;
        kills.push(`${trigger.kind === 'uptime' ? `uptime ${trigger.ms}ms` : `${trigger.kind} +${trigger.delayMs}ms`}${fellBack ? ' (never came)' : ''} ${when}`);
        if (trigger.kind === 'prompt') promptKills++;
        if (trigger.kind === 'prompt' && trigger.burst) {
          // Participants post faster than the bot's lookback while it is dead.
          for (let i = 0; i < BURST; i++) {
            say();
            if (i % 10 === 9) await sleep(5);
          }
          burstDone = true;
        }
        await sleep(random.int(100, 2_500));
      }
      final ??= spawnLife();
      await until('the session to end', () => {
        if (final!.exited) throw new Error(`the last bot process exited\n${stderrOf([final!])}`);
        return ended();
      }, Math.max(0, closeAt - Date.now()) + 30_000);
      posting = false;
      await poster;
      // The recap goes out at close; then a clean stop.
      await sandbox.waitFor(() => botMessages(sandbox, channelId).some((m) => m.embeds[0]?.title === `${TAG} recap`), 30_000);
      final.proc.kill('SIGTERM');
      const exit = await final.exit;
      expect(exit, stderrOf([final])).toEqual({ code: 0, signal: null });
    } catch (err) {
      console.log(stderrOf(lives.slice(-3)));
      console.log(`kills so far: ${kills.join(', ')}\nprompts: ${JSON.stringify(reader.prepare('SELECT id, kind, question_number, planned_at, state, attempts, next_attempt_at, message_id, nonce FROM prompts').all())}`);
      throw err;
    }

    // 1. Every prompt exactly once, in timetable order, recorded with its message id.
    const store = createStore(reader, systemClock);
    const prompts = await store.prompts.listBySession(session.id);
    const expected = prompts.map((p) => (p.kind === 'question' ? `Q${p.questionNumber}` : p.text));
    const posts = botMessages(sandbox, channelId).filter((m) => m.embeds[0]?.title !== `${TAG} recap`);
    const recapPosts = botMessages(sandbox, channelId).filter((m) => m.embeds[0]?.title === `${TAG} recap`);
    const failures: string[] = [];
    const check = (what: string, fn: () => void) => {
      try {
        fn();
      } catch (err) {
        failures.push(`${what}: ${(err as Error).message}`);
      }
    };
    check('prompts in the channel', () => expect(posts.map(postLabel)).toEqual(expected));
    check('prompt rows', () => expect(prompts.map((p) => [p.kind, p.state, p.messageId])).toEqual(prompts.map((p, i) => [p.kind, 'posted', posts[i]?.id])));
    check('recap posts', () => expect(recapPosts).toHaveLength(1));
    // Not re-sent either: Discord refuses a repeated nonce only for a few minutes.
    const resent = resentMarkers(sandbox, channelId);
    check('prompts re-sent after they had reached the channel', () => expect(resent).toEqual([]));

    // 2. Every participant message stored exactly once.
    const delivered = userMessages(sandbox, channelId).map((m) => m.id);
    const rows = reader.prepare<[number], { platform_id: string; n: number }>(
      'SELECT platform_id, count(*) AS n FROM messages WHERE session_id = ? AND from_self = 0 GROUP BY platform_id').all(session.id);
    const stored = new Set(rows.map((r) => r.platform_id));
    const lost = delivered.filter((id) => !stored.has(id));
    const doubled = rows.filter((r) => r.n > 1).map((r) => r.platform_id);
    const strays = [...stored].filter((id) => !delivered.includes(id));
    check('participant messages', () => expect({ lost, doubled, strays, count: stored.size }).toEqual({ lost: [], doubled: [], strays: [], count: sent.length }));

    // 3. The recap counts every labelled answer, per question.
    const recap = await buildRecap(store, session.id);
    const want: Record<string, number> = { 1: 0, 2: 0, 3: 0, 4: 0 };
    for (const m of sent) if (m.label !== null) want[String(m.label)]!++;
    check('recap answers per question', () => expect(recap.stats.answersPerQuestion).toEqual(want));
    check('recap answers', () => expect(recap.stats.answers).toBe(sent.filter((m) => m.label !== null).length));
    check('recap messages', () => expect(recap.stats.messages).toBe(sent.length));

    const errorLines = errorsOf(lives);
    check('errors logged by the bot processes', () => expect(errorLines).toEqual([]));
    const delayed = prompts.filter((p) => p.postedAt && p.postedAt.getTime() - p.plannedAt.getTime() > 1_000).length;
    console.log(`[faults/kill] seed ${SEED}: ${kills.length} kills (${kills.join(', ')}), ${lives.length} bot processes, `
      + `${sent.length} participant messages (${delivered.length - lost.length} stored, ${lost.length} lost, ${doubled.length} doubled), `
      + `${posts.length} prompts posted (${delayed} delayed by a dead bot, ${resent.length} re-sent), ${recap.stats.answers} answers in the recap, ${errorLines.length} errors logged, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (failures.length) console.log(stderrOf(lives.slice(-2)));
    expect(failures).toEqual([]);
    expect(kills.length).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(kills.some((k) => k.startsWith('prompt +0ms') && !k.includes('never came'))).toBe(true);
    expect(kills.some((k) => k.startsWith('backfill') && !k.includes('never came'))).toBe(true);
  });
});
