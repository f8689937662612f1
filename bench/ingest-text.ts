/** The ingest benchmark's messages and clock, shared by its two processes. */

const LABELS = [
  (q: number) => `A${q}: `,
  (q: number) => `a${q}) `,
  (q: number) => `#BenchChat A${q} - `,
  (q: number) => `A${q}. `,
];

/**
 * The i-th message: an answer to Q1–Q4 in one of four label forms, with unique text (an exact
 * repeat would be dropped as a retweet) that carries its own sequence number.
 */
export function answerText(i: number): string {
  const q = 1 + (i % 4);
  return `${LABELS[(i >> 2) % LABELS.length]!(q)}answer ${i}: badges make learning visible, and this one is about pathways #${i % 97}`;
}

const SEQUENCE = /answer (\d+):/;

/** The sequence number of a benchmark message, or -1 for anything else (the bot's own posts). */
export function sequenceOf(text: string): number {
  const m = SEQUENCE.exec(text);
  return m ? Number(m[1]) : -1;
}

/** Milliseconds on CLOCK_MONOTONIC: comparable between processes of the same machine. */
export function hrMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
