import type { PromptKind } from '../domain/timetable.ts';

/**
 * What the live sessions tell whoever counts them (src/ops/metrics.ts turns it into
 * Prometheus metrics). A port: nothing here knows how it is counted, and the default does
 * nothing. Each call is made where the outcome is decided, once per outcome: a prompt
 * posted (prompt-post.ts, also when a post of unknown outcome is found in the channel),
 * skipped or failed (prompt-post.ts, channel-lost.ts), a batch of messages committed
 * (ingest.ts), an answer given by button or command (the adapter), an engine cycle begun
 * (index.ts, from the planning that starts every cycle). `guildId` is handed over for an
 * operator who opts in to a guild label; the implementation decides whether to use it.
 */
export interface Telemetry {
  /** A prompt went out: `lateSeconds` after its planned time (0 or more); `late` past the series' tolerance. */
  promptPosted(kind: PromptKind, lateSeconds: number, late: boolean, guildId: string | null): void;
  promptSkipped(kind: PromptKind, guildId: string | null): void;
  promptFailed(kind: PromptKind, guildId: string | null): void;
  /** New messages from participants stored (not the bot's own, not repeats). */
  ingested(count: number, guildId: string | null): void;
  /** Answers recorded for new messages or given by button/command, by their evidence (`via`). */
  answers(via: string, count: number, guildId: string | null): void;
  /** Starts timing one ingest commit; the function returned ends it. */
  ingestCommitTimer(): () => void;
  /** An engine cycle began at `at` (the injected clock's time). */
  cycle(at: Date): void;
}

/** Counts nothing: the default when no one is counting. */
export const noTelemetry: Telemetry = {
  promptPosted: () => {},
  promptSkipped: () => {},
  promptFailed: () => {},
  ingested: () => {},
  answers: () => {},
  ingestCommitTimer: () => () => {},
  cycle: () => {},
};

/** The optional field the engine, the poster and the ingest take. */
export interface TelemetryDeps {
  /** Where outcomes are counted (default: nowhere). */
  telemetry?: Telemetry | undefined;
}
