/** One chat archive, parsed: the same shape whichever format it came in. */
export type ArchiveFormat = 'participate' | 'plain';

/** A quoted tweet shown inside a message. Never a message of its own. */
export interface QuotedMessage {
  author: string | null;
  moderator: boolean;
  at: Date | null;
  text: string;
  inReplyTo: string[];
}

export interface ArchiveMessage {
  /** 0-based position among top-level messages (quotes and reply lines are not messages). */
  index: number;
  author: string | null;
  moderator: boolean;
  at: Date | null;
  /** As written: emoji, tag characters and URLs untouched; lines joined with "\n". */
  text: string;
  /** Handles without the "@", from an "In reply to @a, @b" line. */
  inReplyTo: string[];
  quote: QuotedMessage | null;
  /** 1-based line of the message in the file (its header in participate format). */
  line: number;
}

export interface Transcript {
  /** The file name the transcript was read from, used in every error and report. */
  file: string;
  /**
   * Recognises the same archive imported twice. From readArchiveFile: sha256 of the normalised
   * text (archiveContentHash: line endings, BOM and trailing whitespace do not count); from
   * parseArchive alone: sha256 of the input as given.
   */
  sha256: string;
  /** sha256 of the file's raw bytes, which databases before the normalised hash stored. */
  rawSha256?: string;
  format: ArchiveFormat;
  title: string;
  /** The chat's hashtag as the title writes it, e.g. "#badgechat". */
  tag: string;
  blurb: string;
  /** The date line as written, e.g. "Monday October 22, 2018". */
  dateLine: string;
  startsAt: Date;
  messages: ArchiveMessage[];
}

/** A problem with an archive file; the message names the file and line. */
export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    // Line 0: the problem is the whole file (it cannot be opened, it is a directory).
    super(line > 0 ? `${file}:${line}: ${reason}` : `${file}: ${reason}`);
  }
}
