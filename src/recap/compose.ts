import type { AnswerTarget } from '../domain/labels.ts';
import type { RecapAnswer } from './model.ts';

/**
 * How the Markdown and HTML recaps are put together, once for both ways of writing them: a
 * document is a list of elements joined by newlines, where an element is either fixed text
 * (built from the recap's head: counts, questions, participants) or a slot for the answers
 * of one question (or the takeaways). joinElements fills the slots from a recap that holds
 * its answers (renderMarkdown, renderHtml); streamElements reads them from the store as it
 * writes (exportRecap), so that memory stays flat. Both give the same bytes.
 */

export interface AnswerSlot {
  /** Whose answers: a question's number, or 'TA' for the takeaways. */
  of: AnswerTarget;
  /** With answers, the element is `open`, each answer's item() joined by newlines, then `close`. */
  open: string;
  close: string;
  item: (a: RecapAnswer) => string;
  /** Without any answer the element is `none`, or left out (no line at all) when undefined. */
  none?: string;
}

export type Element = string | AnswerSlot;

/** The document at once, the slots filled by `answersOf`. */
export function joinElements(elements: Iterable<Element>, answersOf: (of: AnswerTarget) => readonly RecapAnswer[]): string {
  const out: string[] = [];
  for (const element of elements) {
    if (typeof element === 'string') {
      out.push(element);
      continue;
    }
    const answers = answersOf(element.of);
    if (answers.length) out.push(`${element.open}${answers.map(element.item).join('\n')}${element.close}`);
    else if (element.none !== undefined) out.push(element.none);
  }
  return out.join('\n');
}

/** Bytes held before a chunk is handed on. */
const CHUNK_CHARS = 64 * 1024;

/**
 * The same document as joinElements (between `before` and `after`), in chunks of about
 * 64 KB, each slot's answers read from `answersOf` while the chunks are written.
 */
export async function* streamElements(
  elements: Iterable<Element>, answersOf: (of: AnswerTarget) => AsyncIterable<RecapAnswer>, before = '', after = '',
): AsyncGenerator<string> {
  let chunk = before;
  let first = true;
  /** Starts an element: a newline before every element but the first. */
  const start = (text: string) => {
    chunk += first ? text : `\n${text}`;
    first = false;
  };
  for (const element of elements) {
    if (typeof element === 'string') {
      start(element);
    } else {
      let empty = true;
      for await (const a of answersOf(element.of)) {
        if (empty) start(element.open);
        else chunk += '\n';
        empty = false;
        chunk += element.item(a);
        if (chunk.length >= CHUNK_CHARS) {
          yield chunk;
          chunk = '';
        }
      }
      if (!empty) chunk += element.close;
      else if (element.none !== undefined) start(element.none);
    }
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  chunk += after;
  if (chunk) yield chunk;
}
