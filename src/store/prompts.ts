import type { Db } from './db.ts';

export type PromptKind = 'preview' | 'welcome' | 'guidelines' | 'heads_up' | 'question' | 'outro' | 'close';
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
}

export type NewPrompt = Omit<Prompt, 'id' | 'late' | 'nonce'> & { late?: boolean; nonce?: string | null };

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
  };
}

export class PromptStore {
  private readonly bySession;
  private readonly insert;

  constructor(db: Db) {
    this.bySession = db.prepare<[number], PromptRow>('SELECT * FROM prompts WHERE session_id = ? ORDER BY planned_at, id');
    this.insert = db.prepare<[number, PromptKind, number | null, string, PromptState, string | null, number, string | null, string | null, string], PromptRow>(
      `INSERT INTO prompts (session_id, kind, question_number, planned_at, state, posted_at, late, message_id, nonce, text)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    );
  }

  listBySession(sessionId: number): Prompt[] {
    return this.bySession.all(sessionId).map(toPrompt);
  }

  create(p: NewPrompt): Prompt {
    return toPrompt(this.insert.get(
      p.sessionId, p.kind, p.questionNumber, p.plannedAt.toISOString(), p.state, p.postedAt?.toISOString() ?? null,
      p.late ? 1 : 0, p.messageId, p.nonce ?? null, p.text,
    )!);
  }
}
