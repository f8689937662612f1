/**
 * The sandbox side of the ingest benchmark, in its own process (forked by bench/ingest.ts):
 * the loopback Discord, one channel, 200 authors, and the load generator. Running it apart
 * keeps the sandbox's own cost (it builds, stores and serialises every message) and memory
 * (it keeps every message it was sent, like Discord) out of the client's figures, and the
 * client gets a core of its own, as it would against the real Discord.
 *
 * Dispatch times are process.hrtime (CLOCK_MONOTONIC, the same clock in every process of the
 * machine), recorded just before each userSays call; the client records the same clock when
 * it has handled a message, so latency = handled − dispatched across the two processes.
 *
 * Commands (IPC, advanced serialisation):
 *   { cmd: 'closed', n, batch, window }  n messages, `batch` per setImmediate, never more than
 *                                        `window` dispatched and not acknowledged
 *   { cmd: 'open', n, rate }             n messages at `rate` per second following the clock
 *   { cmd: 'ack', handled }              how many messages the client has handled so far
 *   { cmd: 'times' }                     replies { kind: 'times', t0 } (every dispatch time)
 *   { cmd: 'close' }
 */
import { systemClock } from '../src/domain/clock.ts';
import { startSandbox } from '../src/sandbox/index.ts';
import { answerText, hrMs } from './ingest-text.ts';

export type SandboxCommand =
  | { cmd: 'closed'; n: number; batch: number; window: number }
  | { cmd: 'open'; n: number; rate: number }
  | { cmd: 'ack'; handled: number }
  | { cmd: 'times' }
  | { cmd: 'close' };

export type SandboxEvent =
  | { kind: 'ready'; apiBase: string; token: string; guildId: string; channelId: string }
  /**
   * work: share of the wall time the sandbox spent inside userSays (building, storing and
   * sending messages); waiting: share of the wall time it spent with the window full (the
   * client was behind). work near 1 with waiting near 0: the sandbox set the pace.
   */
  | { kind: 'dispatched'; sent: number; work: number; waiting: number }
  | { kind: 'times'; t0: Float64Array }
  | { kind: 'error'; message: string };

const total = Number(process.argv[2]);
const authorCount = Number(process.argv[3] ?? 200);
if (!process.send || !(total > 0)) throw new Error('bench/ingest-sandbox.ts is forked by bench/ingest.ts');
const send = (event: SandboxEvent) => process.send!(event);

const sandbox = await startSandbox({ clock: systemClock });
const channel = sandbox.createChannel('benchchat');
const authors = Array.from({ length: authorCount }, (_, i) => sandbox.createUser(`author_${i}`).id);
const t0 = new Float64Array(total).fill(Number.NaN);
let sent = 0;
let acked = 0;
let workMs = 0;

function dispatchOne(): void {
  const i = sent++;
  const start = hrMs();
  t0[i] = start;
  sandbox.userSays(channel.id, authors[i % authors.length]!, answerText(i));
  workMs += hrMs() - start;
}

function done(startMs: number, blockedMs: number): void {
  const wall = hrMs() - startMs;
  send({ kind: 'dispatched', sent, work: workMs / wall, waiting: blockedMs / wall });
}

function closedLoop(n: number, batch: number, window: number): void {
  const end = Math.min(total, sent + n);
  const startMs = hrMs();
  workMs = 0;
  // Time spent with the window full (from a round that found it full to the next round).
  let blockedMs = 0;
  let blockedSince: number | null = null;
  const pump = (): void => {
    if (blockedSince !== null) blockedMs += hrMs() - blockedSince;
    blockedSince = null;
    let b = 0;
    for (; b < batch && sent < end && sent - acked < window; b++) dispatchOne();
    if (b < batch && sent < end) blockedSince = hrMs();
    if (sent < end) setImmediate(pump);
    else done(startMs, blockedMs);
  };
  pump();
}

function openLoop(n: number, rate: number): void {
  const first = sent;
  const end = Math.min(total, sent + n);
  const start = hrMs();
  workMs = 0;
  const tick = (): void => {
    const due = Math.min(end, first + Math.floor(((hrMs() - start) * rate) / 1000) + 1);
    while (sent < due) dispatchOne();
    if (sent < end) setTimeout(tick, 1);
    else done(start, 0);
  };
  tick();
}

process.on('message', (raw) => {
  const msg = raw as SandboxCommand;
  try {
    switch (msg.cmd) {
      case 'ack':
        acked = msg.handled;
        break;
      case 'closed':
        closedLoop(msg.n, msg.batch, msg.window);
        break;
      case 'open':
        openLoop(msg.n, msg.rate);
        break;
      case 'times':
        send({ kind: 'times', t0 });
        break;
      case 'close':
        void sandbox.close().then(() => process.disconnect());
        break;
    }
  } catch (err) {
    send({ kind: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});

send({ kind: 'ready', apiBase: sandbox.apiBase, token: sandbox.token, guildId: sandbox.guild.id, channelId: channel.id });

// The client process died (a crash, a timeout's SIGKILL): nothing is left to serve. Without
// this the sandbox would outlive it and keep a CPU busy.
process.on('disconnect', () => process.exit(0));
