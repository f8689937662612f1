import { replayTranscript, type ReplayedMessage } from './replay.ts';
import { questionBody } from '../domain/labels.ts';
import type { Repositories, StoreScope } from '../store/port.ts';
import { readArchiveFile } from './read.ts';
import { ArchiveError, type Transcript } from './types.ts';

/** An archive read and attributed, ready to be written. */
export interface PreparedArchive {
  transcript: Transcript;
  replayed: ReplayedMessage[];
}

export interface ImportReport {
  file: string;
  status: 'imported' | 'unchanged';
  tag: string;
  sessionId: number;
  questionSetId: number | null;
  messages: number;
  questions: number;
  answers: number;
  inferred: number;
}

/** Several archives failed to read; nothing was written. */
export class ImportError extends Error {
  override readonly name = 'ImportError';
  constructor(readonly problems: ArchiveError[]) {
    super(problems.map((p) => p.message).join('\n'));
  }
}

/**
 * Reads and attributes every file before anything is written, so one bad file means no
 * write at all. Throws ImportError listing every problem.
 */
export function prepareArchives(files: string[]): PreparedArchive[] {
  const prepared: PreparedArchive[] = [];
  const problems: ArchiveError[] = [];
  for (const file of files) {
    try {
      const transcript = readArchiveFile(file);
      if (transcript.messages.length === 0) {
        throw new ArchiveError(file, 1, 'the archive has a header but no messages: nothing to import');
      }
      prepared.push({ transcript, replayed: replayTranscript(transcript).messages });
    } catch (err) {
      if (!(err instanceof ArchiveError)) throw err;
      problems.push(err);
    }
  }
  if (problems.length > 0) throw new ImportError(problems);
  return prepared;
}

/**
 * Stores archives as past sessions of the series named by their tag, and their questions
 * as question sets in the bank. All in one transaction; an archive already imported
 * (the same text, whatever its line endings or BOM) is reported as unchanged.
 */
export function importArchives(
  store: StoreScope,
  archives: PreparedArchive[],
  onProgress: (done: number, total: number, report: ImportReport) => void = () => {},
): Promise<ImportReport[]> {
  // Inside a caller's transaction (emcee import --shared) this nests: one transaction in all.
  return store.transaction(async (tx) => {
    const reports: ImportReport[] = [];
    for (const [i, archive] of archives.entries()) {
      const report = await importOne(tx, archive);
      onProgress(i + 1, archives.length, report);
      reports.push(report);
    }
    return reports;
  });
}

async function importOne(store: Repositories, { transcript: t, replayed }: PreparedArchive): Promise<ImportReport> {
  const counts = {
    messages: t.messages.length,
    questions: replayed.filter((r) => r.attribution.kind === 'question').length,
    answers: replayed.filter((r) => r.attribution.kind === 'answer').length,
    inferred: replayed.filter((r) => r.attribution.kind === 'inferred').length,
  };
  // New rows store the normalised hash (t.sha256); rows from before it hold the hash of the
  // raw bytes (t.rawSha256), so both are looked up. See archive/hash.ts.
  const hashes = [...new Set([t.sha256, t.rawSha256 ?? t.sha256])];
  for (const hash of hashes) {
    const existing = await store.sessions.findBySourceHash(hash);
    if (!existing) continue;
    const set = await store.bank.findBySourceHash(hash);
    return { file: t.file, status: 'unchanged', tag: t.tag, sessionId: existing.id, questionSetId: set?.id ?? null, ...counts };
  }

  const series = await store.series.findOrCreateForArchive(t.tag);
  const questionPosts = replayed.flatMap((r) => (r.attribution.kind === 'question' ? [t.messages[r.index]!] : []));
  const outro = replayed.find((r) => r.attribution.kind === 'outro');
  const welcome = t.messages[0] && /\bwelcome\b/i.test(t.messages[0].text) ? t.messages[0].text : null;
  const set = questionPosts.length === 0 ? null : await store.bank.create({
    title: `${t.tag} — ${t.dateLine}`,
    source: 'archive',
    sourceHash: t.sha256,
    welcomeText: welcome,
    outroText: outro ? t.messages[outro.index]!.text : null,
    questions: questionPosts.map((m) => questionBody(m.text, t.tag)),
  });

  const last = t.messages.findLast((m) => m.at !== null)?.at ?? null;
  const session = await store.sessions.create({
    seriesId: series.id,
    questionSetId: set?.id ?? null,
    state: 'archived',
    startsAt: t.startsAt,
    endedAt: last,
    source: 'archive',
    sourceHash: t.sha256,
    sourceName: t.file.split('/').at(-1) ?? t.file,
    format: t.format,
  });

  const idPrefix = `archive:${t.sha256.slice(0, 16)}:`;
  for (const r of replayed) {
    const m = t.messages[r.index]!;
    const { message } = await store.messages.ingest({
      sessionId: session.id,
      platformId: `${idPrefix}${m.index}`,
      channelId: null,
      threadId: null,
      authorId: null,
      authorName: m.author,
      isModerator: m.moderator,
      postedAt: m.at,
      text: m.text,
      replyToId: null,
      inReplyTo: m.inReplyTo,
      quote: m.quote ? { author: m.quote.author, text: m.quote.text } : null,
      archiveIndex: m.index,
    });
    await store.messages.recordAttribution(message, r.attribution);
    if (r.attribution.kind === 'question' || r.attribution.kind === 'outro') {
      await store.prompts.create({
        sessionId: session.id,
        kind: r.attribution.kind,
        questionNumber: r.attribution.kind === 'question' ? r.attribution.number : null,
        plannedAt: m.at ?? t.startsAt,
        state: 'posted',
        postedAt: m.at,
        messageId: message.platformId,
        text: m.text,
      });
    }
  }
  return { file: t.file, status: 'imported', tag: t.tag, sessionId: session.id, questionSetId: set?.id ?? null, ...counts };
}
