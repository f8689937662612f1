import type { PromptKind } from '../domain/timetable.ts';
import type { Db } from './db.ts';

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
  };
}

/** Not yet settled: still to be posted, or posted with an outcome not yet known. */
export const OPEN_PROMPT_STATES: readonly PromptState[] = ['planned', 'posting'];

export class PromptStore {
  private readonly bySession;
  private readonly byId;
  private readonly insert;
  private readonly posting;
  private readonly posted;
  private readonly settle;
  private readonly retryAt;
  private readonly failedTry;
  private readonly move;
  private readonly retext;

  constructor(db: Db) {
    this.byId = db.prepare<[number], PromptRow>('SELECT * FROM prompts WHERE id = ?');
    this.posting = db.prepare<[string, number]>(
      "UPDATE prompts SET state = 'posting', nonce = ?, attempts = attempts + 1, next_attempt_at = NULL WHERE id = ? AND state IN ('planned', 'posting')",
    );
    this.posted = db.prepare<[string, string, number, number]>(
      "UPDATE prompts SET state = 'posted', message_id = ?, posted_at = ?, late = ?, next_attempt_at = NULL WHERE id = ?",
    );
    this.settle = db.prepare<[PromptState, string | null, number]>('UPDATE prompts SET state = ?, skip_reason = ?, next_attempt_at = NULL WHERE id = ?');
    this.retryAt = db.prepare<[string, number]>('UPDATE prompts SET next_attempt_at = ? WHERE id = ?');
    this.failedTry = db.prepare<[string | null, number]>('UPDATE prompts SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?');
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

  get(id: number): Prompt | null {
    const row = this.byId.get(id);
    return row ? toPrompt(row) : null;
  }

  /** Written before the post is sent: if the process dies now, the outcome is "unknown". */
  markPosting(id: number, nonce: string): void {
    this.posting.run(nonce, id);
  }

  markPosted(id: number, messageId: string, postedAt: Date, late: boolean): void {
    this.posted.run(messageId, postedAt.toISOString(), late ? 1 : 0, id);
  }

  markSkipped(id: number, reason: string): void {
    this.settle.run('skipped', reason, id);
  }

  markFailed(id: number, reason: string): void {
    this.settle.run('failed', reason, id);
  }

  retryLater(id: number, at: Date): void {
    this.retryAt.run(at.toISOString(), id);
  }

  /**
   * Counts a try that failed before anything was sent (the lookup of a post of unknown
   * outcome), and when to try again (null: not again).
   */
  attemptFailed(id: number, nextAttemptAt: Date | null): void {
    this.failedTry.run(nextAttemptAt?.toISOString() ?? null, id);
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
