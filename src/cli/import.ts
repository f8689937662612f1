import { importArchives, prepareArchives } from '../archive/import.ts';
import type { StorePort as Store } from '../store/index.ts';
import { plural } from './bank.ts';
import { line, progress, type CliIo } from './io.ts';

/**
 * `emcee import <files…> [--shared]`: every file is read and checked before the database is
 * touched; then all are written in one transaction.
 *
 * The question sets it makes are the operator's: no server sees them (`emcee bank list`
 * does) unless `--shared` is given, which shares them with every server. `--shared` on an
 * archive imported before shares its set too, if it is the operator's (a set a server made
 * with /bank import stays that server's).
 */
export async function importCommand(io: CliIo, openStore: () => Store | Promise<Store>, files: string[], options: { shared?: boolean } = {}): Promise<void> {
  const archives = prepareArchives(files);
  const store = await openStore();
  try {
    const step = files.length > 1 ? progress(io, files.length) : () => {};
    const reports = await store.transaction(async (tx) => {
      const done = await importArchives(tx, archives, (n, _total, r) => step(n, r.file.split('/').at(-1)!));
      if (options.shared) await tx.bank.setShared(done.flatMap((r) => (r.questionSetId === null ? [] : [r.questionSetId])));
      return done;
    });
    for (const r of reports) {
      const what = `${plural(r.messages, 'message')}, ${plural(r.questions, 'question')}, ${plural(r.answers, 'answer')}`;
      const set = r.questionSetId === null ? null : await store.bank.get(r.questionSetId);
      const sharing = set?.shared ? ', shared with every server' : '';
      line(io.stdout, r.status === 'imported'
        ? `imported  ${r.file}: ${r.tag} session #${r.sessionId}, ${what}${set ? `, question set #${set.id}${sharing}` : ', no questions for the bank'}`
        : `unchanged ${r.file}: already imported as session #${r.sessionId}${set ? ` (question set #${set.id}${sharing})` : ''}`);
    }
    const added = reports.filter((r) => r.status === 'imported').length;
    line(io.stdout, `${plural(added, 'archive')} imported, ${reports.length - added} already there.`);
  } finally {
    await store.close();
  }
}
