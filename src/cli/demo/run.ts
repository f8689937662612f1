import { join } from 'node:path';
import { importArchives, prepareArchives } from '../../archive/import.ts';
import type { Transcript } from '../../archive/types.ts';
import { CliError, line, type CliIo } from '../io.ts';
import { isTagsOnly } from '../../domain/labels.ts';
import { tallyAnswers } from '../../domain/tally.ts';
import { replayTranscript, type ReplayResult } from '../../archive/replay.ts';
import { startApp } from '../../app.ts';
import type { Logger } from '../../logger.ts';
import { scaledRateLimits, startSandbox } from '../../sandbox/index.ts';
import { recapToString } from '../../recap/index.ts';
import { writeSite } from '../../recap/site.ts';
import { ScaledTime } from '../../live/timers.ts';
import type { StorePort } from '../../store/port.ts';
import { writeFileAtomic } from '../../fs/atomic.ts';
import { claimOutputDir, demoOutputDir, resetDemoDatabase } from './guard.ts';

export interface DemoOptions {
  transcript: string;
  speed: number;
  databasePath: string;
  log: Logger;
}

const MINUTE = 60_000;
/** What the demo's participants react with. */
const REACTIONS = ['👍', '💡', '🎉', '❤️'];
/** Plain archives carry no times: their messages are spread over a 30-minute chat. */
const PLAIN_SPAN_MS = 30 * MINUTE;

/**
 * `npm run demo`: a whole live session with no token and no network. It starts the
 * loopback Discord sandbox and the real bot against it, sets up a series with the
 * archive's question set, and replays the archive's participants at their real relative
 * times, accelerated. The bot runs the session (welcome, heads-ups, questions, outro,
 * close) and collects the answers; the summary compares them with `emcee replay`.
 */
export async function runDemo(io: CliIo, { transcript: file, speed, databasePath, log }: DemoOptions): Promise<number> {
  const [archive] = prepareArchives([file]);
  const t = archive!.transcript;
  const { result } = replayTranscript(t);
  const out = (s = '') => line(io.stdout, s);
  // Everything is checked before anything starts or is written.
  let say: (m: Transcript['messages'][number], text: string) => void = () => {};
  const participants = scheduleParticipants(t, result, (m, text) => say(m, text));
  checkMessageLengths(file, participants);
  const outputDir = demoOutputDir(databasePath);
  resetDemoDatabase(databasePath);
  claimOutputDir(outputDir);

  const time = new ScaledTime(new Date(t.startsAt.getTime() - 5_000), speed);
  const sandbox = await startSandbox({ clock: time, rateLimits: scaledRateLimits(speed) });
  const cleanUp: (() => Promise<void> | void)[] = [() => sandbox.close()];

  try {
    out(`Emcee demo: ${t.tag}, ${t.dateLine} (${t.format} archive, ${t.messages.length} messages), at ${speed}× speed`);
    out(`Loopback Discord on ${sandbox.apiBase}; everything is stored in ${databasePath}`);
    out();

    // The bot, as npm start runs it, on the sandbox and in scaled time; the app opens the
    // demo's database and closes it when stopped.
    const app = await startApp({ database: { databasePath }, token: sandbox.token, apiBase: sandbox.apiBase, clock: time, timers: time, log, minuteTick: false });
    cleanUp.unshift(() => app.stop());
    const { store } = app;
    const [imported] = await importArchives(store, [archive!]);
    const channel = sandbox.createChannel(t.tag.replace(/^#/, '').toLowerCase());
    const role = sandbox.createRole('Chat moderator', 0n);
    const series = await store.series.saveForChannel({
      guildId: sandbox.guild.id, channelId: channel.id, tag: t.tag, timezone: 'America/New_York', schedule: null,
      settings: { questionSetId: imported!.questionSetId, moderatorRoleId: role.id },
    });

    await waitUntil(time, t.startsAt);
    const session = await app.live.controls.start(series, 'demo');

    const users = new Map<string, string>();
    // Answers get a few reactions from other participants a little later (the same ones every
    // run), so the recap shows each question's most-reacted answers.
    const answerIndexes = new Set(result.answers.map((a) => a.index));
    say = (m, text) => {
      const author = users.get(m.author ?? 'participant')!;
      const posted = sandbox.userSays(channel.id, author, text);
      if (!answerIndexes.has(m.index)) return;
      const others = [...users.values()].filter((id) => id !== author);
      const count = Math.min(others.length, (m.index * 7) % 5);
      for (let k = 0; k < count; k++) {
        const reactor = others[(m.index + k * 3) % others.length]!;
        time.setTimeout(() => sandbox.reactions.add(posted.id, reactor, REACTIONS[(m.index + k) % REACTIONS.length]!), (5 + k * 7) * 1_000);
      }
    };
    for (const author of new Set(participants.map((p) => p.author))) {
      // Plain archives have no authors and let anyone post questions (see the replay):
      // their one simulated participant gets the moderator role to match.
      const moderator = t.format === 'plain' || t.messages.some((m) => m.author === author && m.moderator);
      const user = sandbox.createUser(author, { roles: moderator ? [role.id] : [] });
      users.set(author, user.id);
    }
    for (const p of participants) time.setTimeout(p.send, p.offsetMs - (time.now().getTime() - t.startsAt.getTime()));
    const lastOffset = Math.max(...participants.map((p) => p.offsetMs), 0);

    // Progress: each prompt as the bot posts it, with the answers collected so far.
    let shown = 0;
    let showing = false;
    const progress = setInterval(() => {
      if (showing) return;
      showing = true;
      void (async () => {
        const posted = sandbox.messages(channel.id).filter((m) => m.author.id === sandbox.botUser.id);
        const answers = posted.length > shown ? tallyAnswers(await store.messages.answers(session.id)).total : 0;
        for (const m of posted.slice(shown)) {
          const at = new Date(m.timestamp).getTime() - t.startsAt.getTime();
          const text = m.embeds[0]?.title ? `${m.embeds[0].title}: ${m.embeds[0].description ?? ''}` : m.content;
          out(`[T+${clock(at)}] ${clip(text, 90)}${answers ? `   (${answers} answers so far)` : ''}`);
        }
        shown = posted.length;
      })().finally(() => (showing = false));
    }, 100);
    cleanUp.unshift(() => clearInterval(progress));

    await waitFor(async () => (await store.sessions.get(session.id))!.state === 'ended' && time.now().getTime() >= t.startsAt.getTime() + lastOffset + 2_000);
    await new Promise((r) => setTimeout(r, 250)); // let the last progress line print

    out();
    await printSummary(io, store, session.id, result);
    await app.recapsPosted();
    const recapBase = join(outputDir, 'recaps', `session-${session.id}`);
    writeFileAtomic(`${recapBase}.md`, await recapToString(store, session.id, 'md'));
    writeFileAtomic(`${recapBase}.html`, await recapToString(store, session.id, 'html'));
    const site = await writeSite(store, join(outputDir, 'site'));
    out();
    out('Recap:');
    out(`  Markdown      ${recapBase}.md`);
    out(`  Web page      ${recapBase}.html   (open it in a browser)`);
    out(`  Archive site  ${site.index}   (every chat in ${databasePath})`);
    out(`  More formats: npx emcee recap ${session.id} --format csv|json|archive --db ${databasePath}`);
    return 0;
  } finally {
    for (const fn of cleanUp) await fn();
  }
}

interface Participant {
  author: string;
  /** What the participant posts, and the line of the archive it comes from. */
  text: string;
  line: number;
  offsetMs: number;
  send: () => void;
}

/**
 * The archive's messages as simulated participants, at their offsets from the chat's
 * start. The moderator's question posts and outro are left out: the bot posts those.
 * A bare "#chat" quoting one's own labelled tweet is re-posted as that answer (Discord
 * has no quote tweets).
 */
function scheduleParticipants(t: Transcript, result: ReplayResult, say: (m: Transcript['messages'][number], text: string) => void): Participant[] {
  const botDoes = new Set([...result.questions.map((q) => q.index), ...(result.outroIndex === null ? [] : [result.outroIndex])]);
  return t.messages.filter((m) => !botDoes.has(m.index)).flatMap((m) => {
    const text = m.quote && m.quote.author === m.author && isTagsOnly(m.text) ? m.quote.text : m.text;
    if (text.trim() === '') return [];
    const offsetMs = m.at ? m.at.getTime() - t.startsAt.getTime() : (m.index / Math.max(1, t.messages.length)) * PLAIN_SPAN_MS;
    return [{ author: m.author ?? 'participant', text, line: m.line, offsetMs, send: () => say(m, text) }];
  });
}

/** Discord's limit on a message's content, counted as the sandbox (and discord.js) count it. */
const DISCORD_MESSAGE_LIMIT = 2000;

/**
 * Decision: a participant message longer than Discord allows is refused before the demo
 * starts, naming the file and line (rather than cut or split: the demo is there to show
 * the archive as it was, and a cut answer would change what the replay compares with).
 */
function checkMessageLengths(file: string, participants: Participant[]): void {
  const long = participants.find((p) => p.text.length > DISCORD_MESSAGE_LIMIT);
  if (long) {
    const n = (x: number) => x.toLocaleString('en-US');
    throw new CliError(`${file}:${long.line}: the message at line ${long.line} is ${n(long.text.length)} characters; Discord allows ${n(DISCORD_MESSAGE_LIMIT)}, so the demo cannot post it (shorten it, or split it in two)`);
  }
}

async function printSummary(io: CliIo, store: StorePort, sessionId: number, replay: ReplayResult): Promise<void> {
  const out = (s = '') => line(io.stdout, s);
  const live = tallyAnswers(await store.messages.answers(sessionId, { inferred: true }));
  out(`Session #${sessionId} ended. Answers per question:`);
  for (const q of live.entries().filter((e) => e.answers > 0)) {
    const who = q.authors.join(', ');
    out(`  ${q.question === 'TA' ? 'TA' : `Q${q.question}`}  ${q.answers} ${q.question === 'TA' ? 'takeaway' : 'answer'}${q.answers === 1 ? '' : 's'}${q.inferred ? ` (+${q.inferred} inferred)` : ''}: ${who}`);
  }
  const archived = tallyAnswers(replay.answers.map((a) => ({ question: a.question, via: a.via, authorName: a.author })));
  out(live.signature() === archived.signature()
    ? `Same answers per question as \`emcee replay\` of the archive (${live.total} in all).`
    : `Differs from \`emcee replay\`: live ${live.signature()}; replay ${archived.signature()}.`);
}

async function waitUntil(time: ScaledTime, at: Date): Promise<void> {
  const ms = at.getTime() - time.now().getTime();
  if (ms > 0) await new Promise<void>((resolve) => time.setTimeout(resolve, ms));
}

async function waitFor(check: () => Promise<boolean>, pollMs = 100): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, pollMs));
}

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function clip(s: string, max: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
