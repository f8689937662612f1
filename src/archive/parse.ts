import { createHash } from 'node:crypto';
import {
  DATE_LINE, TIME_LINE, formatDate, isRealDate, monthNumber, readClockTime, toInstant, weekdayOf, yearFor,
  type CalendarDate, type ClockTime,
} from './dates.ts';
import { visibleControls } from '../domain/text.ts';
import { ArchiveError, type ArchiveMessage, type QuotedMessage, type Transcript } from './types.ts';

/** Archives above this size are refused before they are read. */
export const MAX_ARCHIVE_BYTES = 5 * 1024 * 1024;

const TAG = /#[\p{L}\p{N}_]+/u;
// "  • SenorG - Moderator Oct 22 @ 6:36 PM EDT" (two spaces: a message; four: a quoted tweet)
const HEADER = /^( {2}| {4})• (\S+?)( - Moderator)? ([A-Z][a-z]{2}) (\d{1,2}) @ (\d{1,2}):(\d{2}) ([AP]M) ([A-Z]{2,4})$/;
const BULLET = /^ *• /;
const REPLY = /^In reply to (.*)$/;
// Format detection: a Participate archive's first line is a message header ("  • author
// …"), or text indented under one (an error there); a plain archive's is a message.
const PARTICIPATE_MESSAGE = /^(?: {2,}• | {4})/;
// In a plain archive these betray a pasted Participate block: a header or quote header,
// or message text indented under one.
const PARTICIPATE_BULLET = /^ {2,}• /;
const PARTICIPATE_INDENT = /^ {4}/;

/**
 * Parses a chat archive in either format into a transcript.
 * Throws ArchiveError (file and line) for anything it cannot read faithfully: it never
 * skips a line it does not understand.
 */
export function parseArchive(input: Uint8Array | string, file: string): Transcript {
  const text = typeof input === 'string' ? input : decode(input, file);
  if (text.length > MAX_ARCHIVE_BYTES) {
    throw new ArchiveError(file, 1, `the file is larger than ${MAX_ARCHIVE_BYTES / 1024 / 1024} MB; archives that big are refused`);
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) throw new ArchiveError(file, lineOf(text, nul), 'the file contains NUL bytes: it looks binary, not a chat archive');

  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const titleAt = lines.findIndex((l) => l.trim() !== '');
  if (titleAt < 0) throw new ArchiveError(file, 1, 'the file is empty');
  const title = lines[titleAt]!.trim();
  const tag = TAG.exec(title)?.[0];
  if (!tag) throw new ArchiveError(file, titleAt + 1, `the title "${clip(title)}" has no #hashtag naming the chat`);

  const dateAt = lines.findIndex((l, i) => i > titleAt && DATE_LINE.test(l));
  if (dateAt < 0) {
    throw new ArchiveError(file, lines.length, 'no date line (like "Monday October 22, 2018") after the title: the archive is truncated or not a chat archive');
  }
  const blurb = lines.slice(titleAt + 1, dateAt).map((l) => l.trim()).filter(Boolean).join('\n');
  const m = DATE_LINE.exec(lines[dateAt]!)!;
  const date: CalendarDate = { year: Number(m[4]), month: monthNumber(m[2]!)!, day: Number(m[3]) };
  if (!isRealDate(date)) throw new ArchiveError(file, dateAt + 1, `"${lines[dateAt]!.trim()}" is not a real date`);
  const dateLine = lines[dateAt]!.trim().replace(/\s+\d{1,2}:\d{2}.*$/, '');
  // A wrong weekday means a wrong date somewhere: refused rather than guessed at (the
  // archive's times would all be off by days if the weekday were the right part).
  const weekday = weekdayOf(date);
  if (weekday !== m[1]) throw new ArchiveError(file, dateAt + 1, `"${dateLine}" — ${formatDate(date)} was a ${weekday}`);

  // The start time: on the date line ("Monday October 22, 2018 6:30 PM EDT") or on the
  // next non-blank line. Either layout may head either format.
  let time: ClockTime;
  let bodyFrom: number;
  if (m[5] !== undefined) {
    time = clockTime(file, dateAt + 1, m.slice(5, 9));
    bodyFrom = dateAt + 1;
  } else {
    const timeAt = lines.findIndex((l, i) => i > dateAt && l.trim() !== '');
    const t = timeAt < 0 ? null : TIME_LINE.exec(lines[timeAt]!);
    if (!t) {
      const where = timeAt < 0 ? lines.length : timeAt + 1;
      throw new ArchiveError(file, where, `expected the chat's start time (like "6:30 PM EDT") after the date line${timeAt < 0 ? ', found the end of the file' : ''}`);
    }
    time = clockTime(file, timeAt + 1, t.slice(1, 5));
    bodyFrom = timeAt + 1;
  }

  // The format is what the first message looks like: a "  • author … @ time" header (or
  // text indented under one) makes a Participate archive, anything else a plain one. A file with no messages keeps the
  // format its header layout has always meant (time on its own line: Participate).
  const firstAt = lines.findIndex((l, i) => i >= bodyFrom && l.trim() !== '');
  const participate = firstAt < 0 ? m[5] === undefined : PARTICIPATE_MESSAGE.test(lines[firstAt]!);
  const sha256 = createHash('sha256').update(input).digest('hex');
  const header = { file, sha256, title, tag, blurb, dateLine, startsAt: toInstant(date, time) };
  return participate
    ? { ...header, format: 'participate', messages: parseParticipate(lines, bodyFrom, date, file) }
    : { ...header, format: 'plain', messages: parsePlain(lines, bodyFrom, file) };
}

/**
 * Plain archives have one unindented message per line. A Participate header ("  • author
 * …") or text indented like a Participate message means two formats were pasted together:
 * refused, naming the line, rather than read as messages ("    Q9: hi" as question 9).
 */
function parsePlain(lines: string[], from: number, file: string): ArchiveMessage[] {
  const messages: ArchiveMessage[] = [];
  for (let i = from; i < lines.length; i++) {
    const text = lines[i]!;
    if (text.trim() === '') continue;
    if (PARTICIPATE_BULLET.test(text)) {
      throw new ArchiveError(file, i + 1, `a Participate message header "${clip(text.trim())}" in a plain archive: the file mixes the two formats`);
    }
    if (PARTICIPATE_INDENT.test(text)) {
      throw new ArchiveError(file, i + 1, `text indented like a Participate message ("${clip(text.trim())}") in a plain archive: the file mixes the two formats`);
    }
    messages.push({ index: messages.length, author: null, moderator: false, at: null, text, inReplyTo: [], quote: null, line: i + 1 });
  }
  return messages;
}

interface Draft {
  message: ArchiveMessage;
  textLines: string[];
  quote: (QuotedMessage & { textLines: string[] }) | null;
}

function parseParticipate(lines: string[], from: number, chatDate: CalendarDate, file: string): ArchiveMessage[] {
  const messages: ArchiveMessage[] = [];
  let draft: Draft | null = null;
  const finish = () => {
    if (!draft) return;
    const { message, textLines, quote } = draft;
    message.text = textLines.join('\n');
    if (quote) {
      const { textLines: qLines, ...rest } = quote;
      message.quote = { ...rest, text: qLines.join('\n') };
    }
    messages.push(message);
    draft = null;
  };
  const fail = (i: number, reason: string): never => {
    throw new ArchiveError(file, i + 1, reason);
  };

  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;

    if (BULLET.test(line)) {
      const h = HEADER.exec(line);
      if (!h) fail(i, `unreadable message header "${clip(line.trim())}" (expected "• author[ - Moderator] Oct 22 @ 6:36 PM EDT"): is the file truncated?`);
      const [, indent, author, mod, mon, day, hh, mm, ampm, zone] = h!;
      const month = monthNumber(mon!);
      if (!month) fail(i, `unknown month "${mon}" in the message header`);
      const date = { year: yearFor(month!, chatDate), month: month!, day: Number(day) };
      if (!isRealDate(date)) fail(i, `"${mon} ${day}" is not a real date`);
      const at = toInstant(date, clockTime(file, i + 1, [hh, mm, ampm, zone]));
      const who = { author: author!, moderator: mod !== undefined, at, inReplyTo: [] };
      if (indent!.length === 2) {
        finish();
        draft = { message: { index: messages.length, ...who, text: '', quote: null, line: i + 1 }, textLines: [], quote: null };
      } else {
        if (!draft) fail(i, 'a quoted tweet before the first message');
        if (draft!.quote) fail(i, 'a second quoted tweet in one message');
        draft!.quote = { ...who, text: '', textLines: [] };
      }
      continue;
    }

    if (!draft) fail(i, `unexpected text before the first message: "${clip(line.trim())}"`);
    const d = draft!;
    const inQuote = d.quote !== null && line.startsWith('      ');
    if (!line.startsWith('    ')) fail(i, `unexpected line "${clip(line.trim())}": message text must be indented under its "•" header`);
    const body = line.slice(inQuote ? 6 : 4);
    const reply = REPLY.exec(body);
    if (reply) {
      (inQuote ? d.quote! : d.message).inReplyTo = handles(reply[1]!);
    } else if (inQuote) {
      d.quote!.textLines.push(body);
    } else if (d.quote) {
      fail(i, 'message text after its quoted tweet');
    } else {
      d.textLines.push(body);
    }
  }
  finish();
  return messages;
}

function handles(list: string): string[] {
  return list.split(',').map((h) => h.trim().replace(/^@/, '')).filter(Boolean);
}

function clockTime(file: string, line: number, parts: (string | undefined)[]): ClockTime {
  const [h, m, ampm, zone] = parts as [string, string, string, string];
  const time = readClockTime(h, m, ampm, zone);
  if (typeof time === 'string') throw new ArchiveError(file, line, time);
  return time;
}

function decode(bytes: Uint8Array, file: string): string {
  if (bytes.length > MAX_ARCHIVE_BYTES) {
    throw new ArchiveError(file, 1, `the file is ${(bytes.length / 1024 / 1024).toFixed(1)} MB; archives larger than ${MAX_ARCHIVE_BYTES / 1024 / 1024} MB are refused`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, bad).reduce((n, b) => (b === 0x0a ? n + 1 : n), 1);
    throw new ArchiveError(file, line, 'the file is not UTF-8 text: it looks binary, not a chat archive');
  }
}

/** Offset of the first byte that breaks UTF-8: the shortest prefix that fails to decode. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let lo = 0; // a prefix of this length decodes
  let hi = bytes.length; // a prefix of this length does not
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    try {
      // stream: a sequence cut by the prefix end is incomplete, not invalid
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid;
    }
  }
  return hi - 1;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** User text quoted in an error: shortened, its controls shown as "\u001b" (never raw to a terminal). */
function clip(s: string, max = 60): string {
  return visibleControls(s.length > max ? `${s.slice(0, max)}…` : s);
}
