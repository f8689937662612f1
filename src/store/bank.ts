import type { Clock } from '../domain/clock.ts';
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
  /** The server that made the set (/bank add, /bank import); null: the operator's (CLI import). */
  guildId: string | null;
  /** An operator's set every server may use (`emcee import --shared`). */
  shared: boolean;
  /** In order; position 1 is asked as Q1. */
  questions: string[];
}

export interface NewQuestionSet {
  title: string;
  source: QuestionSet['source'];
  sourceHash?: string | null;
  welcomeText?: string | null;
  outroText?: string | null;
  /** The owning server; left out: the operator's. */
  guildId?: string | null;
  shared?: boolean;
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
  guild_id: string | null;
  shared: number;
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
    guildId: row.guild_id,
    shared: row.shared === 1,
    questions,
  };
}

/**
 * Who may see a set: a server sees its own sets and the shared ones (issue 10, item 6);
 * `null` is the operator at the terminal, who sees every set.
 */
export type BankViewer = { guildId: string } | null;

export function visibleTo(set: Pick<QuestionSet, 'guildId' | 'shared'>, viewer: BankViewer): boolean {
  return viewer === null || set.shared || set.guildId === viewer.guildId;
}

export class BankStore {
  private readonly byId;
  private readonly byHash;
  private readonly all;
  private readonly questionsOf;
  private readonly allQuestions;
  private readonly insertSet;
  private readonly insertQuestion;
  private readonly share;
  private readonly claim;

  constructor(private readonly db: Db, private readonly clock: Clock) {
    this.byId = db.prepare<[number], QuestionSetRow>('SELECT * FROM question_sets WHERE id = ?');
    this.byHash = db.prepare<[string], QuestionSetRow>('SELECT * FROM question_sets WHERE source_hash = ?');
    this.all = db.prepare<[], QuestionSetRow>('SELECT * FROM question_sets ORDER BY id');
    this.questionsOf = db.prepare<[number], { text: string }>('SELECT text FROM questions WHERE set_id = ? ORDER BY position');
    this.allQuestions = db.prepare<[], { set_id: number; text: string }>('SELECT set_id, text FROM questions ORDER BY set_id, position');
    this.insertSet = db.prepare<[string, string, string | null, string | null, string | null, string, string | null, number], QuestionSetRow>(
      `INSERT INTO question_sets (title, source, source_hash, welcome_text, outro_text, created_at, guild_id, shared)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    this.share = db.prepare<[number]>('UPDATE question_sets SET shared = 1 WHERE id = ? AND guild_id IS NULL');
    this.claim = db.prepare<[string, number]>('UPDATE question_sets SET guild_id = ? WHERE id = ? AND guild_id IS NULL AND shared = 0');
    this.insertQuestion = db.prepare<[number, number, string]>('INSERT INTO questions (set_id, position, text) VALUES (?, ?, ?)');
  }

  /** A set by id; with a viewer, null unless that viewer may see it (exactly as for an unknown id). */
  get(id: number, viewer: BankViewer = null): QuestionSet | null {
    const row = this.byId.get(id);
    if (!row) return null;
    const set = toQuestionSet(row, this.questionsOf.all(id).map((q) => q.text));
    return visibleTo(set, viewer) ? set : null;
  }

  findBySourceHash(hash: string): QuestionSet | null {
    const row = this.byHash.get(hash);
    return row ? toQuestionSet(row, this.questionsOf.all(row.id).map((q) => q.text)) : null;
  }

  /** Every set (a viewer's: its own and the shared ones) with its questions, in two queries whatever the size of the bank. */
  list(viewer: BankViewer = null): QuestionSet[] {
    const questions = new Map<number, string[]>();
    for (const q of this.allQuestions.all()) {
      const list = questions.get(q.set_id) ?? [];
      list.push(q.text);
      questions.set(q.set_id, list);
    }
    return this.all.all().map((row) => toQuestionSet(row, questions.get(row.id) ?? [])).filter((set) => visibleTo(set, viewer));
  }

  /** Shares operator sets with every server; a server's own set is left as it is. Returns how many changed. */
  setShared(ids: number[]): number {
    return this.db.transaction(() => ids.reduce((n, id) => n + this.share.run(id).changes, 0))();
  }

  /**
   * The set a server gets for an archive it imported with /bank import (`setId` is the set
   * the import made or found). A set the import has just made becomes the server's. An
   * archive imported before, by another server or by the operator, gives the server its own
   * copy (made once: its source hash is the archive's with "@<guild>"), so one server's
   * import never exposes another's set, nor makes it vanish from the other.
   */
  adoptImported(setId: number, guildId: string, justImported: boolean): { set: QuestionSet; copied: boolean } {
    return this.db.transaction(() => {
      const set = this.get(setId);
      if (!set) throw new Error(`question set #${setId} does not exist`);
      if (visibleTo(set, { guildId })) return { set, copied: false };
      if (justImported && this.claim.run(guildId, setId).changes === 1) return { set: this.get(setId)!, copied: false };
      const key = `${set.sourceHash ?? `set-${set.id}`}@${guildId}`;
      const copy = this.findBySourceHash(key);
      if (copy) return { set: copy, copied: false };
      return {
        set: this.create({ title: set.title, source: set.source, sourceHash: key, welcomeText: set.welcomeText, outroText: set.outroText, guildId, questions: set.questions }),
        copied: true,
      };
    })();
  }

  create(set: NewQuestionSet): QuestionSet {
    return this.db.transaction(() => {
      const row = this.insertSet.get(
        set.title, set.source, set.sourceHash ?? null, set.welcomeText ?? null, set.outroText ?? null,
        this.clock.now().toISOString(), set.guildId ?? null, set.shared ? 1 : 0,
      )!;
      set.questions.forEach((text, i) => this.insertQuestion.run(row.id, i + 1, text));
      return toQuestionSet(row, [...set.questions]);
    })();
  }
}
