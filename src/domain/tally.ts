import type { AnswerTarget } from './labels.ts';

/**
 * The one count of answers per question. Status, the recap model, the demo and the recap
 * embed all read it, so they can never disagree on what "3 answers" means: an answer is a
 * message attributed to the question by its label, thread, reply or quote; "inferred"
 * answers (unlabelled messages while a question was current) are counted apart and never
 * in the totals.
 */

export interface TalliedAnswer {
  question: AnswerTarget;
  via: string;
  authorName: string | null;
}

export interface QuestionTally {
  question: AnswerTarget;
  answers: number;
  inferred: number;
  /** Who answered, each once, in the order they first did (null: an unnamed author). */
  authors: (string | null)[];
}

export class AnswerTally {
  private readonly byQuestion = new Map<AnswerTarget, QuestionTally & { seen: Set<string | null> }>();
  private readonly byAuthor = new Map<string, number>();
  /** Answers counted (inferred ones left out). */
  total = 0;

  add(a: TalliedAnswer): void {
    let q = this.byQuestion.get(a.question);
    if (!q) this.byQuestion.set(a.question, (q = { question: a.question, answers: 0, inferred: 0, authors: [], seen: new Set() }));
    if (a.via === 'inferred') {
      q.inferred++;
      return;
    }
    q.answers++;
    this.total++;
    if (!q.seen.has(a.authorName)) {
      q.seen.add(a.authorName);
      q.authors.push(a.authorName);
    }
    if (a.authorName !== null) this.byAuthor.set(a.authorName, (this.byAuthor.get(a.authorName) ?? 0) + 1);
  }

  /** A question's (or the takeaways') count; zero when nothing answered it. */
  of(question: AnswerTarget): QuestionTally {
    const q = this.byQuestion.get(question);
    return q ? { question, answers: q.answers, inferred: q.inferred, authors: [...q.authors] } : { question, answers: 0, inferred: 0, authors: [] };
  }

  /** Numbered questions that have any answer (inferred included), ascending. */
  numbers(): number[] {
    return [...this.byQuestion.keys()].filter((k): k is number => k !== 'TA').sort((a, b) => a - b);
  }

  /** Every question with an answer, ascending, then the takeaways. */
  entries(): QuestionTally[] {
    return [...this.numbers(), ...(this.byQuestion.has('TA') ? ['TA' as const] : [])].map((q) => this.of(q));
  }

  /** Answers an author gave (inferred left out). */
  answersBy(author: string): number {
    return this.byAuthor.get(author) ?? 0;
  }

  /** "Q1: 3, Q2: 1, TA: 2": the counts, comparable between two tallies. */
  signature(): string {
    return this.entries().filter((q) => q.answers > 0).map((q) => `${q.question === 'TA' ? 'TA' : `Q${q.question}`}: ${q.answers}`).join(', ');
  }
}

export function tallyAnswers(answers: Iterable<TalliedAnswer>): AnswerTally {
  const tally = new AnswerTally();
  for (const a of answers) tally.add(a);
  return tally;
}
