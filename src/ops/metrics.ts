import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DiscordTelemetry, RateLimitScope } from '../discord/telemetry.ts';
import type { PromptKind } from '../domain/timetable.ts';
import type { ShardSet } from '../domain/shard.ts';
import type { Logger } from '../logger.ts';
import type { StorePort } from '../store/port.ts';

/**
 * The bot's Prometheus metrics (prom-client), on a Registry of its own (not prom-client's
 * global one, so that tests can make several): the telemetry the live sessions and the
 * Discord adapter report to, the sessions gauge read from the store at each scrape, and
 * Node's default process metrics. Labels are few-valued only: a prompt's kind, an answer's
 * evidence, a 429's scope, a session's state; a guild id only when the operator asks for
 * it (METRICS_GUILD_LABEL=on). Never a user or a message id.
 */
export const METRIC_NAMES = {
  promptsPosted: 'emcee_prompts_posted_total',
  promptsLate: 'emcee_prompts_late_total',
  promptsSkipped: 'emcee_prompts_skipped_total',
  promptsFailed: 'emcee_prompts_failed_total',
  promptLateness: 'emcee_prompt_lateness_seconds',
  messagesIngested: 'emcee_messages_ingested_total',
  answersRecorded: 'emcee_answers_recorded_total',
  ingestCommit: 'emcee_ingest_commit_seconds',
  rateLimited: 'emcee_discord_rest_429_total',
  reconnects: 'emcee_gateway_reconnects_total',
  sessions: 'emcee_sessions',
  lastCycle: 'emcee_engine_last_cycle_timestamp_seconds',
} as const;

/** How late a prompt went out: from on time to ten minutes (a catch-up after a restart). */
const LATENESS_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600];
/** One group commit of the ingest: a millisecond to a second and more. */
const COMMIT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const SESSION_STATES = ['planned', 'running', 'paused'] as const;

export interface MetricsOptions {
  /** Label the prompt, message, answer and session metrics with the guild id (default off). */
  guildLabel?: boolean;
  log: Logger;
}

export class Metrics implements DiscordTelemetry {
  readonly registry = new Registry();
  private readonly guildLabel: boolean;
  private lastCycleAt: Date | null = null;
  /** Where the sessions gauge reads from, once the app runs. */
  private source: { store: StorePort; owns: ShardSet | null } | null = null;
  private readonly log: Logger;

  private readonly posted: Counter;
  private readonly late: Counter;
  private readonly skipped: Counter;
  private readonly failed: Counter;
  private readonly lateness: Histogram;
  private readonly messages: Counter;
  private readonly answered: Counter;
  private readonly commit: Histogram;
  private readonly limited: Counter;
  private readonly reconnects: Counter;

  constructor(options: MetricsOptions) {
    this.guildLabel = options.guildLabel ?? false;
    this.log = options.log;
    const registers = [this.registry];
    const g = this.guildLabel ? ['guild'] : [];
    const counter = (name: string, help: string, labelNames: string[]) => new Counter({ name, help, labelNames, registers });
    this.posted = counter(METRIC_NAMES.promptsPosted, 'Prompts posted, by kind (a late one counts here too).', ['kind', ...g]);
    this.late = counter(METRIC_NAMES.promptsLate, 'Prompts posted later than the series\' lateToleranceSeconds, by kind.', ['kind', ...g]);
    this.skipped = counter(METRIC_NAMES.promptsSkipped, 'Prompts skipped (missed, or the session was over), by kind.', ['kind', ...g]);
    this.failed = counter(METRIC_NAMES.promptsFailed, 'Prompts given up (after the last attempt, or their channel lost), by kind.', ['kind', ...g]);
    this.lateness = new Histogram({
      name: METRIC_NAMES.promptLateness, help: 'Seconds between a prompt\'s planned time and its post, by kind.',
      labelNames: ['kind'], buckets: LATENESS_BUCKETS, registers,
    });
    this.messages = counter(METRIC_NAMES.messagesIngested, 'New participant messages stored in a session (not the bot\'s own, not repeats).', g);
    this.answered = counter(METRIC_NAMES.answersRecorded, 'Answers recorded, by evidence: label, quote, reply, thread, inferred (new messages), button, command.', ['via', ...g]);
    this.commit = new Histogram({
      name: METRIC_NAMES.ingestCommit, help: 'Seconds one group commit of incoming messages took (its transaction).',
      buckets: COMMIT_BUCKETS, registers,
    });
    this.limited = counter(METRIC_NAMES.rateLimited, 'Discord REST responses with status 429, by X-RateLimit-Scope (user, global, shared, unknown).', ['scope']);
    this.reconnects = counter(METRIC_NAMES.reconnects, 'Gateway connections lost and being made again (discord.js shardReconnecting).', []);
    for (const scope of ['user', 'global', 'shared'] as const) this.limited.inc({ scope }, 0);
    this.reconnects.inc(0);

    const metrics = this; // prom-client calls collect() with the gauge as `this`
    new Gauge({
      name: METRIC_NAMES.sessions, help: 'Sessions of the shards this process runs, by state (read from the database at each scrape).',
      labelNames: ['state', ...g], registers,
      async collect() {
        this.reset();
        const counts = await metrics.sessionCounts();
        for (const [key, n] of counts) this.set(JSON.parse(key) as Record<string, string>, n);
      },
    });
    new Gauge({
      name: METRIC_NAMES.lastCycle, help: 'When the session engine last began a cycle (Unix seconds, the bot\'s clock).', registers,
      collect() {
        if (metrics.lastCycleAt) this.set(metrics.lastCycleAt.getTime() / 1000);
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** The store the sessions gauge reads, and the shards this process runs. */
  watchSessions(store: StorePort, owns: ShardSet | null): void {
    this.source = { store, owns };
  }

  /** When the engine last began a cycle (null: not yet). */
  lastCycle(): Date | null {
    return this.lastCycleAt;
  }

  /** The Prometheus text exposition of every metric. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  promptPosted(kind: PromptKind, lateSeconds: number, late: boolean, guildId: string | null): void {
    this.posted.inc(this.labels({ kind }, guildId));
    if (late) this.late.inc(this.labels({ kind }, guildId));
    this.lateness.observe({ kind }, lateSeconds);
  }

  promptSkipped(kind: PromptKind, guildId: string | null): void {
    this.skipped.inc(this.labels({ kind }, guildId));
  }

  promptFailed(kind: PromptKind, guildId: string | null): void {
    this.failed.inc(this.labels({ kind }, guildId));
  }

  ingested(count: number, guildId: string | null): void {
    this.messages.inc(this.labels({}, guildId), count);
  }

  answers(via: string, count: number, guildId: string | null): void {
    this.answered.inc(this.labels({ via }, guildId), count);
  }

  ingestCommitTimer(): () => void {
    const end = this.commit.startTimer();
    return () => void end();
  }

  cycle(at: Date): void {
    this.lastCycleAt = at;
  }

  rateLimited(scope: RateLimitScope): void {
    this.limited.inc({ scope });
  }

  reconnecting(): void {
    this.reconnects.inc();
  }

  private labels(labels: Record<string, string>, guildId: string | null): Record<string, string> {
    return this.guildLabel ? { ...labels, guild: guildId ?? 'none' } : labels;
  }

  /** Sessions by state (and guild, when labelled), keyed by their labels as JSON. */
  private async sessionCounts(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (!this.source) return counts;
    if (!this.guildLabel) for (const state of SESSION_STATES) counts.set(JSON.stringify({ state }), 0);
    try {
      for (const s of await this.source.store.sessions.listActive(this.source.owns)) {
        const key = JSON.stringify(this.labels({ state: s.state }, s.guildId));
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    } catch (err) {
      // A store that does not answer: the gauge is left out of this scrape (/readyz says why).
      this.log.debug({ err }, 'could not count the sessions for the metrics');
      counts.clear();
    }
    return counts;
  }
}
