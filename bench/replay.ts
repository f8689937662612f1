/**
 * Replay: the five seed archives (read and parsed once with readArchiveFile), each run
 * through replayTranscript ROUNDS times. The figure is messages attributed per second over
 * the measured rounds (a warm-up of WARMUP rounds comes first). Parsing is not timed.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readArchiveFile } from '../src/archive/read.ts';
import type { Transcript } from '../src/archive/types.ts';
import { replayTranscript } from '../src/archive/replay.ts';
import { QUICK, fullGc, progress } from './lib.ts';

export const REPLAY = { ROUNDS: QUICK ? 20 : 200, WARMUP: QUICK ? 5 : 20 };

export interface ReplayFigures {
  archives: number;
  messagesPerRound: number;
  rounds: number;
  seconds: number;
  perSecond: number;
  /** Fastest and slowest round (all five archives once), in ms. */
  roundMs: { min: number; median: number; max: number };
}

export function runReplay(): ReplayFigures {
  const dir = fileURLToPath(new URL('../seeds/', import.meta.url));
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();
  const transcripts: Transcript[] = files.map((f) => readArchiveFile(dir + f));
  const messagesPerRound = transcripts.reduce((n, t) => n + t.messages.length, 0);
  progress('replay', `${files.length} archives, ${messagesPerRound} messages a round; ${REPLAY.WARMUP} warm-up rounds, ${REPLAY.ROUNDS} measured`);

  let sink = 0; // keeps the results alive enough that nothing is optimised away
  const round = () => {
    for (const t of transcripts) sink += replayTranscript(t).result.answers.length;
  };
  for (let i = 0; i < REPLAY.WARMUP; i++) round();
  fullGc();
  const times: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < REPLAY.ROUNDS; i++) {
    const s = performance.now();
    round();
    times.push(performance.now() - s);
  }
  const seconds = (performance.now() - t0) / 1000;
  if (sink === 0) throw new Error('replay: no answers at all');
  times.sort((a, b) => a - b);
  return {
    archives: files.length, messagesPerRound, rounds: REPLAY.ROUNDS, seconds,
    perSecond: (messagesPerRound * REPLAY.ROUNDS) / seconds,
    roundMs: { min: times[0]!, median: times[times.length >> 1]!, max: times[times.length - 1]! },
  };
}
