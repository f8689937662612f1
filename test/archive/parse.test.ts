import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { MAX_ARCHIVE_BYTES, parseArchive } from '../../src/archive/parse.ts';
import { readArchiveFile } from '../../src/archive/read.ts';
import { ArchiveError } from '../../src/archive/types.ts';
import { seedPath } from '../helpers/seeds.ts';

const participate = () => readArchiveFile(seedPath('001_390feaa8c4f3efe6.txt'));
const plain = () => readArchiveFile(seedPath('000_7626b8afbc7a60b7.txt'));

function expectArchiveError(fn: () => unknown, line: number, reason: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ArchiveError);
    const e = err as ArchiveError;
    expect(e.line).toBe(line);
    expect(e.reason).toMatch(reason);
    // A whole-file problem (line 0) names no line: "file: reason" (hardening #26).
    expect(e.message).toBe(line > 0 ? `${e.file}:${line}: ${e.reason}` : `${e.file}: ${e.reason}`);
    return;
  }
  expect.unreachable('expected an ArchiveError');
}

const HEADER = '#badgechat Archive\n\nblurb\n\nMonday October 22, 2018\n6:30 PM EDT\n\n';

describe('participate format', () => {
  it('reads the chat tag, the start instant (EDT = UTC-4) and every top-level message', () => {
    const t = participate();
    expect(t.format).toBe('participate');
    expect(t.tag).toBe('#badgechat');
    expect(t.dateLine).toBe('Monday October 22, 2018');
    expect(t.startsAt.toISOString()).toBe('2018-10-22T22:30:00.000Z');
    expect(t.messages).toHaveLength(101);
    expect(t.messages.map((m) => m.index)).toEqual([...t.messages.keys()]);
  });

  it('reads author, moderator flag and time of each message', () => {
    const [first, second] = participate().messages;
    expect(first).toMatchObject({ author: 'SenorG', moderator: true, inReplyTo: [], quote: null });
    expect(first!.at!.toISOString()).toBe('2018-10-22T22:30:00.000Z');
    expect(second).toMatchObject({ author: 'jkmilton', moderator: false });
    expect(second!.at!.toISOString()).toBe('2018-10-22T22:32:00.000Z');
  });

  it('reads "In reply to" lines as handles, never as text or messages', () => {
    const m = participate().messages[25]!;
    expect(m.inReplyTo).toEqual(['Namaraledu', 'SenorG', 'PortfoliumHQ']);
    expect(m.text).not.toContain('In reply to');
  });

  it('reads a quoted tweet into the message, with its own author and time', () => {
    const m = participate().messages[29]!;
    expect(m.text).toMatch(/^YESYESYES!/);
    expect(m.quote).toMatchObject({ author: 'SussexChad', moderator: false });
    expect(m.quote!.text).toMatch(/^I think whatever is learned/);
    expect(m.quote!.at!.toISOString()).toBe('2018-10-22T22:43:00.000Z');
  });

  it('keeps a message with no text (a media-only tweet) as a message', () => {
    expect(participate().messages[44]).toMatchObject({ author: 'troymarkowitz', text: '' });
  });

  it('keeps text as written: emoji and flags with tag characters', () => {
    const m = participate().messages[77]!;
    expect(m.text).toContain('🏴󠁧󠁢󠁳󠁣󠁴󠁿');
  });

  it('reads EST as UTC-5', () => {
    const t = readArchiveFile(seedPath('004_f0e2c35a92f416f4.txt'));
    expect(t.startsAt.toISOString()).toBe('2018-12-10T23:30:00.000Z');
  });

  it('puts messages after midnight on the next day, and past New Year in the next year', () => {
    const text = '#x Archive\nMonday December 31, 2018\n11:30 PM EST\n  • a Dec 31 @ 11:59 PM EST\n    hi\n  • b Jan 1 @ 12:01 AM EST\n    happy new year\n';
    const t = parseArchive(text, 'nye.txt');
    expect(t.messages.map((m) => m.at!.toISOString())).toEqual(['2019-01-01T04:59:00.000Z', '2019-01-01T05:01:00.000Z']);
  });

  it('accepts Windows line endings and a byte-order mark', () => {
    const original = readFileSync(seedPath('004_f0e2c35a92f416f4.txt'), 'utf8');
    const t = parseArchive(`\uFEFF${original.replace(/\n/g, '\r\n')}`, 'crlf.txt');
    expect(t.messages).toHaveLength(34);
    expect(t.messages[0]!.text).not.toContain('\r');
  });
});

describe('plain format', () => {
  it('reads one message per non-empty line after the date line, with no authors or times', () => {
    const t = plain();
    expect(t.format).toBe('plain');
    expect(t.tag).toBe('#BadgeChatK12');
    expect(t.startsAt.toISOString()).toBe('2016-02-29T23:30:00.000Z');
    expect(t.messages).toHaveLength(99);
    expect(t.messages[13]).toMatchObject({ author: null, moderator: false, at: null, quote: null, inReplyTo: [] });
    expect(t.messages[13]!.text).toBe('Here we go ! Q1: How do you get buy-in from teachers re: using badges for PD?');
  });

  it('skips blank lines between messages without counting them', () => {
    const t = parseArchive('#x Archive\nMonday October 17, 2016 6:30 PM EDT\nfirst\n\n   \nsecond', 'p.txt');
    expect(t.messages.map((m) => [m.index, m.text, m.line])).toEqual([[0, 'first', 3], [1, 'second', 6]]);
  });
});

describe('bad input gives a clear error naming the file and line', () => {
  it('empty file', () => {
    expectArchiveError(() => parseArchive('', 'empty.txt'), 1, /empty/);
    expectArchiveError(() => parseArchive('\n \n', 'blank.txt'), 1, /empty/);
  });

  it('binary file (NUL bytes)', () => {
    expectArchiveError(() => parseArchive(Buffer.from('#x Archive\nab\u0000cd'), 'bin.txt'), 2, /binary/);
  });

  it('binary file (not UTF-8), naming the line of the first bad byte', () => {
    const bytes = Buffer.concat([Buffer.from('#x Archive\nline two\n'), Buffer.from([0xff, 0xfe, 0x00, 0x41])]);
    expectArchiveError(() => parseArchive(bytes, 'bin.txt'), 3, /not UTF-8/);
  });

  it('a title without a #hashtag', () => {
    expectArchiveError(() => parseArchive('Some notes\nMonday October 17, 2016 6:30 PM EDT\nhi', 'x.txt'), 1, /no #hashtag/);
  });

  it('truncated before the date line', () => {
    expectArchiveError(() => parseArchive('#badgechat Archive\n\nblurb only', 'cut.txt'), 3, /no date line/);
  });

  it('truncated after the date line, before the start time', () => {
    expectArchiveError(() => parseArchive('#badgechat Archive\nMonday October 22, 2018\n', 'cut.txt'), 3, /start time/);
  });

  it('truncated in the middle of a message header', () => {
    const original = readFileSync(seedPath('001_390feaa8c4f3efe6.txt'), 'utf8');
    const cut = original.slice(0, original.indexOf('  • SussexChad Oct 22 @ 6:36 PM EDT') + 20);
    const lines = cut.split('\n').length;
    expectArchiveError(() => parseArchive(cut, 'cut.txt'), lines, /unreadable message header.*truncated/);
  });

  it('an unknown time zone', () => {
    expectArchiveError(() => parseArchive('#x Archive\nMonday October 17, 2016 6:30 PM XYZ\nhi', 'tz.txt'), 2, /unknown time zone "XYZ"/);
  });

  it('a date that does not exist', () => {
    expectArchiveError(() => parseArchive('#x Archive\nMonday February 30, 2016 6:30 PM EST\nhi', 'd.txt'), 2, /not a real date/);
  });

  it('a line that belongs to no message', () => {
    expectArchiveError(() => parseArchive(`${HEADER}  • a Oct 22 @ 6:31 PM EDT\n    hi\nstray text\n`, 's.txt'), 10, /unexpected line "stray text"/);
    expectArchiveError(() => parseArchive(`${HEADER}    text before any header\n`, 's.txt'), 8, /before the first message/);
  });

  it('a file over 5 MB, refused before it is read', () => {
    const dir = mkdtempSync(`${tmpdir()}/emcee-`);
    const path = `${dir}/huge.txt`;
    writeFileSync(path, `${HEADER}${'  • a Oct 22 @ 6:31 PM EDT\n    A1: hi\n'.repeat(Math.ceil(MAX_ARCHIVE_BYTES / 30))}`);
    expectArchiveError(() => readArchiveFile(path), 1, /MB; archives larger than 5 MB are refused/);
    expectArchiveError(() => parseArchive(readFileSync(path), path), 1, /refused/);
  });

  it('a missing file', () => {
    expectArchiveError(() => readArchiveFile('/nonexistent/archive.txt'), 0, /cannot open the file \(ENOENT\)/);
  });
});

describe('header-only input', () => {
  it('gives an empty transcript (no messages), not an error', () => {
    const t = parseArchive(HEADER, 'header-only.txt');
    expect(t.messages).toEqual([]);
    expect(t.format).toBe('participate');
  });
});
