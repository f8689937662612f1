import type { PromptKind } from '../domain/timetable.ts';
import type { ShardSet } from '../domain/shard.ts';
import type { Db } from './db.ts';
import { SHARDS, shardParams, type ShardParams } from './sessions.ts';

export type { PromptKind };
export type PromptState = 'planned' | 'posting' | 'posted' | 'skipped' | 'failed';

/** A post the bot plans (or, for imported archives, a post the moderator made). */
export interface Prompt {
  id: number;
  sessionId: number;
  kind: PromptKind;
  questionNumber: number | null;
  plannedAt: Date;
  state: PromptState;
  postedAt: Date | null;
  late: boolean;
  messageId: string | null;
  nonce: string | null;
  text: string;
  /** Posting attempts so far (a failed or unknown-outcome post is retried). */
  attempts: number;
  nextAttemptAt: Date | null;
  skipReason: string | null;
  /** Who holds (or last held) the claim to act on it, and until when (see PromptRepository.claim). */
  claimedBy: string | null;
  leaseUntil: Date | null;
  /** Its session's guild: on the prompts of PromptRepository.listDue only (who takes turns with whom). */
  guildId?: string | null;
}

export type NewPrompt = Pick<Prompt, 'sessionId' | 'kind' | 'questionNumber' | 'plannedAt' | 'state' | 'postedAt' | 'messageId' | 'text'>
  & { late?: boolean; nonce?: string | null };

interface PromptRow {
  id: number;
  session_id: number;
  kind: PromptKind;
  question_number: number | null;
  planned_at: string;
  state: PromptState;
  posted_at: string | null;
  late: number;
  message_id: string | null;
  nonce: string | null;
  text: string;
  attempts: number;
  next_attempt_at: string | null;
  skip_reason: string | null;
  claimed_by: string | null;
  lease_until: string | null;
  guild_id?: string | null;
}

export function toPrompt(row: PromptRow): Prompt {
  return {
    id: row.id,
    sessionId: row.session_id,
    kind: row.kind,
    questionNumber: row.question_number,
    plannedAt: new Date(row.planned_at),
    state: row.state,
    postedAt: row.posted_at === null ? null : new Date(row.posted_at),
    late: row.late === 1,
    messageId: row.message_id,
    nonce: row.nonce,
    text: row.text,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at === null ? null : new Date(row.next_attempt_at),
    skipReason: row.skip_reason,
    claimedBy: row.claimed_by ?? null,
    leaseUntil: row.lease_until ? new Date(row.lease_until) : null,
    ...(row.guild_id !== undefined ? { guildId: row.guild_id } : {}),
  };
}

/** Not yet settled: still to be posted, or posted with an outcome not yet known. */
export const OPEN_PROMPT_STATES: readonly PromptState[] = ['planned', 'posting'];

/**
 * Open prompts of sessions the engine runs (planned or running: not paused, not over), of
 * the shards' guilds. Read through the partial index prompts_open (migration 007), by time:
 * finished prompts are not in it and far-future ones lie past the range read.
 */
const RUNNABLE = `FROM prompts p INDEXED BY prompts_open JOIN sessions s ON s.id = p.session_id
  WHERE p.state IN ('planned', 'posting') AND s.state IN ('planned', 'running') AND ${SHARDS}`;

/** The fence of a write by a claimant (owner given): only while it holds the claim. */
const FENCE = '(@owner IS NULL OR claimed_by = @owner)';
type Fenced = { id: number; owner: string | null };

export class PromptStore {
  private readonly bySession;
  private readonly byId;
  private readonly claimStmt;
  private readonly insert;
  private readonly posting;
  private readonly posted;
  private readonly settle;
  private readonly retryAt;
  private readonly failedTry;
  private readonly move;
  private readonly retext;
  private readonly due;
  private readonly nextDue;

  constructor(db: Db) {
    this.due = db.prepare<ShardParams & { now: string }, PromptRow>(`SELECT p.*, s.guild_id ${RUNNABLE} AND p.planned_at <= @now ORDER BY p.planned_at, p.id`);
    this.nextDue = db.prepare<ShardParams & { after: string }, { planned_at: string }>(
      `SELECT p.planned_at ${RUNNABLE} AND p.planned_at > @after ORDER BY p.planned_at LIMIT 1`,
    );
    this.byId = db.prepare<[number], PromptRow>('SELECT * FROM prompts WHERE id = ?');
    this.claimStmt = db.prepare<{ id: number; owner: string; leaseUntil: string; now: string }, PromptRow>(
      `UPDATE prompts SET claimed_by = @owner, lease_until = @leaseUntil
       WHERE id = @id AND state IN ('planned', 'posting') AND (claimed_by IS NULL OR claimed_by = @owner OR lease_until IS NULL OR lease_until <= @now)
       RETURNING *`,
    );
    this.posting = db.prepare<Fenced & { nonce: string }>(
      `UPDATE prompts SET state = 'posting', nonce = @nonce, attempts = attempts + 1, next_attempt_at = NULL WHERE id = @id AND state IN ('planned', 'posting') AND ${FENCE}`,
    );
    this.posted = db.prepare<Fenced & { messageId: string; at: string; late: number }>(
      `UPDATE prompts SET state = 'posted', message_id = @messageId, posted_at = @at, late = @late, next_attempt_at = NULL WHERE id = @id AND ${FENCE}`,
    );
    this.settle = db.prepare<Fenced & { state: PromptState; reason: string | null }>(
      `UPDATE prompts SET state = @state, skip_reason = @reason, next_attempt_at = NULL WHERE id = @id AND ${FENCE}`,
    );
    this.retryAt = db.prepare<Fenced & { at: string }>(`UPDATE prompts SET next_attempt_at = @at WHERE id = @id AND ${FENCE}`);
    this.failedTry = db.prepare<Fenced & { at: string | null }>(`UPDATE prompts SET attempts = attempts + 1, next_attempt_at = @at WHERE id = @id AND ${FENCE}`);
    this.move = db.prepare<[string, number]>('UPDATE prompts SET planned_at = ? WHERE id = ?');
    this.retext = db.prepare<[string, number]>('UPDATE prompts SET text = ? WHERE id = ?');
    this.bySession = db.prepare<[number], PromptRow>('SELECT * FROM prompts WHERE session_id = ? ORDER BY planned_at, id');
    this.insert = db.prepare<[number, PromptKind, number | null, string, PromptState, string | null, number, string | null, string | null, string], PromptRow>(
      `INSERT INTO prompts (session_id, kind, question_number, planned_at, state, posted_at, late, message_id, nonce, text)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    );
  }

  listBySession(sessionId: number): Prompt[] {
    return this.bySession.all(sessionId).map(toPrompt);
  }

  listDue(now: Date, shards?: ShardSet | null): Prompt[] {
    return this.due.all({ now: now.toISOString(), ...shardParams(shards) }).map(toPrompt);
  }

  nextDueAfter(after: Date, shards?: ShardSet | null): Date | null {
    const row = this.nextDue.get({ after: after.toISOString(), ...shardParams(shards) });
    return row ? new Date(row.planned_at) : null;
  }

  get(id: number): Prompt | null {
    const row = this.byId.get(id);
    return row ? toPrompt(row) : null;
  }

  claim(id: number, owner: string, leaseUntil: Date, now: Date): Prompt | null {
    const row = this.claimStmt.get({ id, owner, leaseUntil: leaseUntil.toISOString(), now: now.toISOString() });
    return row ? toPrompt(row) : null;
  }

  /** Written before the post is sent: if the process dies now, the outcome is "unknown". */
  markPosting(id: number, nonce: string, owner?: string): boolean {
    return this.posting.run({ id, owner: owner ?? null, nonce }).changes > 0;
  }

  markPosted(id: number, messageId: string, postedAt: Date, late: boolean, owner?: string): boolean {
    return this.posted.run({ id, owner: owner ?? null, messageId, at: postedAt.toISOString(), late: late ? 1 : 0 }).changes > 0;
  }

  markSkipped(id: number, reason: string, owner?: string): boolean {
    return this.settle.run({ id, owner: owner ?? null, state: 'skipped', reason }).changes > 0;
  }

  markFailed(id: number, reason: string, owner?: string): boolean {
    return this.settle.run({ id, owner: owner ?? null, state: 'failed', reason }).changes > 0;
  }

  retryLater(id: number, at: Date, owner?: string): boolean {
    return this.retryAt.run({ id, owner: owner ?? null, at: at.toISOString() }).changes > 0;
  }

  /**
   * Counts a try that failed before anything was sent (the lookup of a post of unknown
   * outcome), and when to try again (null: not again).
   */
  attemptFailed(id: number, nextAttemptAt: Date | null, owner?: string): boolean {
    return this.failedTry.run({ id, owner: owner ?? null, at: nextAttemptAt?.toISOString() ?? null }).changes > 0;
  }

  reschedule(id: number, plannedAt: Date): void {
    this.move.run(plannedAt.toISOString(), id);
  }

  setText(id: number, text: string): void {
    this.retext.run(text, id);
  }

  create(p: NewPrompt): Prompt {
    return toPrompt(this.insert.get(
      p.sessionId, p.kind, p.questionNumber, p.plannedAt.toISOString(), p.state, p.postedAt?.toISOString() ?? null,
      p.late ? 1 : 0, p.messageId, p.nonce ?? null, p.text,
    )!);
  }
}
