import { writeChunksAtomicAsync, type WriteOptions } from '../fs/atomic.ts';
import { RECAP_FORMATS, exportRecap, type RecapFormat } from '../recap/index.ts';
import { writeSite } from '../recap/site.ts';
import { exportView } from '../recap/anonymize.ts';
import type { StorePort as Store } from '../store/index.ts';
import { CliError, line, type CliIo } from './io.ts';

/** `emcee recap <session-id|latest> --format md|html|csv|json|archive [--out FILE] [--anonymize]` */
export async function recapCommand(
  io: CliIo, store: Store, which: string | undefined, format: string | undefined, out: string | undefined, writeOptions: WriteOptions = {}, anonymize = false,
): Promise<void> {
  if (which === undefined) throw new CliError(`usage: emcee recap <session-id|latest> --format ${RECAP_FORMATS.join('|')} [--out FILE] [--anonymize]`, 2);
  const fmt = (format ?? 'md') as RecapFormat;
  if (!RECAP_FORMATS.includes(fmt)) throw new CliError(`--format must be one of ${RECAP_FORMATS.join(', ')}`, 2);
  if (out === '') throw new CliError('--out needs a file path (it was empty)', 2);
  const session = which === 'latest' ? await store.sessions.latestFinished() : /^\d+$/.test(which) ? await store.sessions.get(Number(which)) : undefined;
  if (session === undefined) throw new CliError(`"${which}" is not a session id (a number, or latest)`, 2);
  if (session === null) throw new CliError(which === 'latest' ? 'no session has finished yet' : `there is no session #${which}`);

  // Chunk by chunk: every format streams from the database, memory stays flat.
  const chunks = exportRecap(await exportView(store, session.seriesId, anonymize), session.id, fmt);
  if (out === undefined) {
    // io.stdout strips terminal controls (#28); --out FILE keeps the bytes exact.
    for await (const chunk of chunks) io.stdout.write(chunk);
    return;
  }
  // Whole or not at all: a failed write (full disk) leaves the previous file as it was.
  await writeChunksAtomicAsync(out, chunks, writeOptions);
  line(io.stderr, `wrote the ${fmt} recap of session #${session.id} to ${out}`);
}

/** `emcee site --out DIR [--force]`: the static archive site, browsable from file:// with no server. */
export async function siteCommand(io: CliIo, store: Store, out: string | undefined, force = false, anonymize = false): Promise<void> {
  if (!out) throw new CliError(`usage: emcee site --out DIR [--force] [--anonymize]${out === '' ? ' (--out was empty)' : ''}`, 2);
  const site = await writeSite(store, out, { force, anonymize });
  line(io.stdout, `wrote ${site.pages.length} session pages and the index: ${site.index}`);
}


