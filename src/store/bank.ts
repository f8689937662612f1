import type { Clock } from '../core/clock.ts';
import type { Db } from './db.ts';

/** A reusable set of questions in the bank. */
export interface QuestionSet {
  id: number;
  title: string;
  source: 'archive' | 'moderator';
  sourceHash: string | null;
  welcomeText: string | null;
  outroText: string | null;
  createdAt: Date;
  /** In order; position 1 is asked as Q1. */
  questions: string[];
}

export interface NewQuestionSet {
  title: string;
  source: QuestionSet['source'];
  sourceHash?: string | null;
  welcomeText?: string | null;
  outroText?: string | null;
  questions: string[];
}

interface QuestionSetRow {
  id: number;
  title: string;
  source: QuestionSet['source'];
  source_hash: string | null;
  welcome_text: string | null;
  outro_text: string | null;
  created_at: string;
}

export function toQuestionSet(row: QuestionSetRow, questions: string[]): QuestionSet {
  return {
    id: row.id,
    title: row.title,
    source: row.source,
    sourceHash: row.source_hash,
    welcomeText: row.welcome_text,
    outroText: row.outro_text,
    createdAt: new Date(row.created_at),
    questions,
  };
}

export class BankStore {
  private readonly byId;
  private readonly byHash;
  private readonly all;
  private readonly questionsOf;
  private readonly allQuestions;
  private readonly insertSet;
  private readonly insertQuestion;

  constructor(private readonly db: Db, private readonly clock: Clock) {
    this.byId = db.prepare<[number], QuestionSetRow>('SELECT * FROM question_sets WHERE id = ?');
    this.byHash = db.prepare<[string], QuestionSetRow>('SELECT * FROM question_sets WHERE source_hash = ?');
    this.all = db.prepare<[], QuestionSetRow>('SELECT * FROM question_sets ORDER BY id');
    this.questionsOf = db.prepare<[number], { text: string }>('SELECT text FROM questions WHERE set_id = ? ORDER BY position');
    this.allQuestions = db.prepare<[], { set_id: number; text: string }>('SELECT set_id, text FROM questions ORDER BY set_id, position');
    this.insertSet = db.prepare<[string, string, string | null, string | null, string | null, string], QuestionSetRow>(
      `INSERT INTO question_sets (title, source, source_hash, welcome_text, outro_text, created_at)
       VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    this.insertQuestion = db.prepare<[number, number, string]>('INSERT INTO questions (set_id, position, text) VALUES (?, ?, ?)');
  }

  get(id: number): QuestionSet | null {
    const row = this.byId.get(id);
    return row ? toQuestionSet(row, this.questionsOf.all(id).map((q) => q.text)) : null;
  }

  findBySourceHash(hash: string): QuestionSet | null {
    const row = this.byHash.get(hash);
    return row ? toQuestionSet(row, this.questionsOf.all(row.id).map((q) => q.text)) : null;
  }

  /** Every set with its questions, in two queries whatever the size of the bank. */
  list(): QuestionSet[] {
    const questions = new Map<number, string[]>();
    for (const q of this.allQuestions.all()) {
      const list = questions.get(q.set_id) ?? [];
      list.push(q.text);
      questions.set(q.set_id, list);
    }
    return this.all.all().map((row) => toQuestionSet(row, questions.get(row.id) ?? []));
  }

  create(set: NewQuestionSet): QuestionSet {
    return this.db.transaction(() => {
      const row = this.insertSet.get(
        set.title, set.source, set.sourceHash ?? null, set.welcomeText ?? null, set.outroText ?? null,
        this.clock.now().toISOString(),
      )!;
      set.questions.forEach((text, i) => this.insertQuestion.run(row.id, i + 1, text));
      return toQuestionSet(row, [...set.questions]);
    })();
  }
}
