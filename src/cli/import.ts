import { importArchives, prepareArchives } from '../archive/import.ts';
import type { Store } from '../store/index.ts';
import { plural } from './bank.ts';
import { line, progress, type CliIo } from './io.ts';

/**
 * `emcee import <files…>`: every file is read and checked before the database is touched;
 * then all are written in one transaction.
 */
export function importCommand(io: CliIo, openStore: () => Store, files: string[]): void {
  const archives = prepareArchives(files);
  const store = openStore();
  try {
    const step = files.length > 1 ? progress(io, files.length) : () => {};
    const reports = importArchives(store, archives, (done, _total, r) => step(done, r.file.split('/').at(-1)!));
    for (const r of reports) {
      const what = `${plural(r.messages, 'message')}, ${plural(r.questions, 'question')}, ${plural(r.answers, 'answer')}`;
      line(io.stdout, r.status === 'imported'
        ? `imported  ${r.file}: ${r.tag} session #${r.sessionId}, ${what}${r.questionSetId ? `, question set #${r.questionSetId}` : ', no questions for the bank'}`
        : `unchanged ${r.file}: already imported as session #${r.sessionId}`);
    }
    const added = reports.filter((r) => r.status === 'imported').length;
    line(io.stdout, `${plural(added, 'archive')} imported, ${reports.length - added} already there.`);
  } finally {
    store.close();
  }
}
