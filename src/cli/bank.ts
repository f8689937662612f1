import type { QuestionSet } from '../store/bank.ts';
import type { StorePort as Store } from '../store/index.ts';
import { CliError, line, oneLine, type CliIo } from './io.ts';

export async function bankList(io: CliIo, store: Store): Promise<void> {
  const sets = await store.bank.list();
  if (sets.length === 0) {
    line(io.stdout, 'The question bank is empty. Import archives with: npx emcee import seeds/*.txt');
    return;
  }
  for (const set of sets) {
    line(io.stdout, `#${set.id}  ${set.title}  (${plural(set.questions.length, 'question')}, from ${set.source})  ${owner(set)}`);
    set.questions.forEach((q, i) => line(io.stdout, `     Q${i + 1}. ${oneLine(q)}`));
  }
  line(io.stdout);
  line(io.stdout, `${plural(sets.length, 'question set')}. Details: npx emcee bank show <id>`);
}

export async function bankShow(io: CliIo, store: Store, rawId: string): Promise<void> {
  const id = Number(rawId.replace(/^#/, ''));
  if (!Number.isSafeInteger(id) || id < 1) throw new CliError(`"${rawId}" is not a question set id (a number, as in \`emcee bank list\`)`, 2);
  const set = await store.bank.get(id);
  if (!set) throw new CliError(`there is no question set #${id}; \`emcee bank list\` shows the ids`);
  printSet(io, set);
}

function printSet(io: CliIo, set: QuestionSet): void {
  const out = (s = '') => line(io.stdout, s);
  out(`Question set #${set.id}: ${set.title}`);
  out(`Source: ${set.source}${set.sourceHash ? ` (sha256 ${set.sourceHash.slice(0, 12)}…)` : ''}, added ${set.createdAt.toISOString()}`);
  out(`Owner: ${owner(set)}`);
  if (set.welcomeText) out(`Welcome: ${oneLine(set.welcomeText)}`);
  out();
  set.questions.forEach((q, i) => out(`Q${i + 1}. ${oneLine(q)}`));
  if (set.outroText) {
    out();
    out(`Outro: ${oneLine(set.outroText)}`);
  }
}

/** Whose a set is: which servers see it (the terminal sees every set). */
function owner(set: QuestionSet): string {
  if (set.guildId !== null) return `server ${set.guildId}`;
  return set.shared ? 'shared with every server' : 'operator only (not shown in servers; emcee import --shared shares it)';
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
