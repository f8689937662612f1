import { readArchiveFile } from '../archive/read.ts';
import { replayTranscript, type ReplayResult } from '../archive/replay.ts';
import type { Transcript } from '../archive/types.ts';
import { jsonSafe } from '../domain/text.ts';
import { plural } from './bank.ts';
import { line, oneLine, type CliIo } from './io.ts';

/** `emcee replay <file> [--json]`: an archive through the live attribution, printed. */
export function replayCommand(io: CliIo, file: string, { json }: { json: boolean }): void {
  const transcript = readArchiveFile(file);
  const { result } = replayTranscript(transcript);
  if (json) {
    line(io.stdout, jsonSafe(JSON.stringify(result)));
    return;
  }
  printReplay(io, transcript, result);
}

export function printReplay(io: CliIo, t: Transcript, r: ReplayResult): void {
  const out = (s = '') => line(io.stdout, s); // io.stdout strips terminal controls (#28)
  const who = (author: string | null) => (author === null ? '' : `@${author}: `);
  out(`${t.tag} — ${t.dateLine}, starting ${t.startsAt.toISOString().replace('.000Z', 'Z')}`);
  out(`${t.format} archive, ${plural(r.messageCount, 'message')}, ${plural(r.questions.length, 'question')}`);

  const numbers = new Set<number>([
    ...r.questions.map((q) => q.number),
    ...r.answers.flatMap((a) => (a.question === 'TA' ? [] : [a.question])),
  ]);
  for (const n of [...numbers].sort((a, b) => a - b)) {
    const q = r.questions.find((x) => x.number === n);
    const answers = r.answers.filter((a) => a.question === n);
    const inferred = r.inferred.filter((a) => a.question === n);
    out();
    out(q ? `Q${n} [#${q.index}] ${oneLine(q.text)}` : `Q${n} (never posted; answered anyway)`);
    out(`   ${answers.length} answer${answers.length === 1 ? '' : 's'}${inferred.length ? `, ${inferred.length} more message${inferred.length === 1 ? "" : "s"} while it was open (inferred, not counted)` : ''}`);
    for (const a of answers) out(`   A${n} [#${a.index}] ${who(a.author)}${oneLine(a.text)}${a.via === 'label' ? '' : `  (via ${a.via})`}`);
  }
  const takeaways = r.answers.filter((a) => a.question === 'TA');
  if (r.outroIndex !== null || takeaways.length > 0) {
    out();
    out(r.outroIndex === null ? 'Takeaways' : `Outro [#${r.outroIndex}] — takeaways`);
    for (const a of takeaways) out(`   TA [#${a.index}] ${who(a.author)}${oneLine(a.text)}`);
  }
  out();
  const byVia = (via: string) => r.answers.filter((a) => a.via === via).length;
  out(`${r.answers.length} answers (${byVia('label')} by label, ${byVia('quote')} by quote), ${r.inferred.length} inferred`);
}
