/**
 * The sandbox side of the ingest benchmark, in its own process (forked by bench/ingest.ts):
 * the loopback Discord, one channel, 200 authors, and the load generator. Running it apart
 * keeps the sandbox's own cost (it builds, stores and serialises every message) and memory
 * (it keeps every message it was sent, like Discord) out of the client's figures, and the
 * client gets a core of its own, as it would against the real Discord.
 *
 * Pre-serialised payloads, so that the sandbox does not set the pace: before each phase
 * ('prepare'), the phase's messages are made with userSays as usual (stored, serialised to
 * gateway frames) while the socket's sends are captured instead of sent; the phase then only
 * writes those frames, in order (a batch of them in one corked socket write). Making and
 * serialising a message costs the sandbox ~27 µs, writing a frame ~2 µs.
 *
 * Dispatch times are process.hrtime (CLOCK_MONOTONIC, the same clock in every process of the
 * machine), recorded just before a frame is written; the client records the same clock when
 * it has handled a message, so latency = handled − dispatched across the two processes.
 *
 * Commands (IPC, advanced serialisation):
 *   { cmd: 'prepare', n }                makes the next n messages' frames (replies 'prepared')
 *   { cmd: 'closed', n, batch, window }  n messages, `batch` per setImmediate, never more than
 *                                        `window` dispatched and not acknowledged
 *   { cmd: 'open', n, rate }             n messages at `rate` per second following the clock
 *   { cmd: 'ack', handled }              how many messages the client has handled so far
 *   { cmd: 'times' }                     replies { kind: 'times', t0 } (every dispatch time)
 *   { cmd: 'close' }
 */
import { WebSocket } from 'ws';
import { systemClock } from '../src/domain/clock.ts';
import { startSandbox } from '../src/sandbox/index.ts';
import { answerText, hrMs } from './ingest-text.ts';

export type SandboxCommand =
  | { cmd: 'prepare'; n: number }
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
  | { kind: 'prepared'; n: number }
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

/**
 * The frames of the messages prepared and not sent yet, and the socket they go to. While
 * `capturing`, the sandbox's MESSAGE_CREATE sends are kept here instead of written.
 */
const frames: string[] = [];
let nextFrame = 0;
let socket: WebSocket | null = null;
let capturing = false;
const originalSend = WebSocket.prototype.send;
WebSocket.prototype.send = function send(this: WebSocket, data: unknown, ...rest: unknown[]) {
  if (capturing && typeof data === 'string' && data.startsWith('{"op":0,"t":"MESSAGE_CREATE"')) {
    frames.push(data);
    socket = this;
    return;
  }
  return (originalSend as (...a: unknown[]) => void).call(this, data, ...rest);
} as typeof WebSocket.prototype.send;

function prepare(n: number): void {
  const end = Math.min(total, sent + frames.length - nextFrame + n);
  capturing = true;
  try {
    for (let i = sent + frames.length - nextFrame; i < end; i++) sandbox.userSays(channel.id, authors[i % authors.length]!, answerText(i));
  } finally {
    capturing = false;
  }
}

/** Writes the next `count` prepared frames in one corked write. */
function dispatch(count: number): void {
  const start = hrMs();
  const raw = (socket as unknown as { _socket?: { cork(): void; uncork(): void } } | null)?._socket;
  raw?.cork();
  if (socket === null || nextFrame + count > frames.length) throw new Error(`${count} messages to send, ${frames.length - nextFrame} prepared`);
  for (let k = 0; k < count; k++) {
    const i = sent++;
    t0[i] = hrMs();
    (originalSend as (data: string) => void).call(socket, frames[nextFrame]!);
    frames[nextFrame++] = ''; // sent: let the string go
  }
  raw?.uncork();
  if (nextFrame === frames.length) {
    frames.length = 0;
    nextFrame = 0;
  }
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
    const b = Math.max(0, Math.min(batch, end - sent, window - (sent - acked)));
    if (b > 0) dispatch(b);
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
    if (due > sent) dispatch(due - sent);
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
      case 'prepare':
        prepare(msg.n);
        send({ kind: 'prepared', n: frames.length - nextFrame });
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
