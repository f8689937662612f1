import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArchive } from '../../src/archive/parse.ts';
import { ArchiveError } from '../../src/archive/types.ts';
import { seedPath } from '../helpers/seeds.ts';

function archiveError(fn: () => unknown): ArchiveError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ArchiveError);
    return err as ArchiveError;
  }
  return expect.unreachable('expected an ArchiveError');
}

const seed = (name: string) => readFileSync(seedPath(name), 'utf8');

describe('format detection (hardening #24)', () => {
  it('reads a Participate archive whose date and time share one line', () => {
    const original = seed('001_390feaa8c4f3efe6.txt');
    const oneLine = original.replace('Monday October 22, 2018\n6:30 PM EDT\n', 'Monday October 22, 2018 6:30 PM EDT\n');
    expect(oneLine).not.toBe(original);
    const t = parseArchive(oneLine, 'one-line.txt');
    expect(t.format).toBe('participate');
    expect(t.messages).toHaveLength(101);
    expect(t.dateLine).toBe('Monday October 22, 2018');
    expect(t.startsAt.toISOString()).toBe('2018-10-22T22:30:00.000Z');
    expect(t.messages[0]).toMatchObject({ author: 'SenorG', moderator: true });
  });

  it('reads a plain archive whose time is on a line of its own', () => {
    const t = parseArchive('#x Archive\nMonday October 17, 2016\n6:30 PM EDT\nfirst\nQ1: second', 'plain.txt');
    expect(t.format).toBe('plain');
    expect(t.startsAt.toISOString()).toBe('2016-10-17T22:30:00.000Z');
    expect(t.messages.map((m) => [m.text, m.line])).toEqual([['first', 4], ['Q1: second', 5]]);
  });

  it('reads a plain archive whose first message starts with a space as plain', () => {
    const t = parseArchive('#x Archive\nMonday October 17, 2016\n6:30 PM EDT\n hello\nQ1: second', 'plain.txt');
    expect(t.format).toBe('plain');
    expect(t.messages.map((m) => m.text)).toEqual([' hello', 'Q1: second']);
  });

  it('refuses a plain archive with a pasted Participate block, naming its first line', () => {
    const text = '#x Archive\nMonday October 17, 2016 6:30 PM EDT\nfirst\n  • amy Oct 17 @ 6:40 PM EDT\n    Q9: hi\nlast';
    const e = archiveError(() => parseArchive(text, 'mixed.txt'));
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/^mixed\.txt:4: .*Participate.*plain|^mixed\.txt:4: .*plain.*Participate/);
  });

  it('refuses Participate-indented text in a plain archive', () => {
    const e = archiveError(() => parseArchive('#x Archive\nMonday October 17, 2016 6:30 PM EDT\nfirst\n    Q9: hi', 'mixed.txt'));
    expect(e.line).toBe(4);
    expect(e.reason).toMatch(/indented/);
  });

  it('refuses plain lines inside a Participate archive, naming the line', () => {
    const text = '#x Archive\nMonday October 22, 2018 6:30 PM EDT\n  • amy Oct 22 @ 6:31 PM EDT\n    hi\nQ9: plain line';
    const e = archiveError(() => parseArchive(text, 'mixed.txt'));
    expect(e.line).toBe(5);
  });
});

describe('weekday check (hardening #25)', () => {
  it('refuses a date line whose weekday is wrong, naming the line and the right weekday', () => {
    const e = archiveError(() => parseArchive('#x Archive\n\nFriday October 22, 2018\n6:30 PM EDT\n', 'w.txt'));
    expect(e.message).toBe('w.txt:3: "Friday October 22, 2018" — October 22, 2018 was a Monday');
  });

  it('also on the one-line layout', () => {
    const e = archiveError(() => parseArchive('#x Archive\nTuesday February 29, 2016 6:30 PM EST\nhi', 'w.txt'));
    expect(e.message).toBe('w.txt:2: "Tuesday February 29, 2016" — February 29, 2016 was a Monday');
  });
});

describe('errors about a whole file (hardening #26)', () => {
  it('name no line when there is none', () => {
    expect(new ArchiveError('a.txt', 0, 'cannot open the file (ENOENT)').message).toBe('a.txt: cannot open the file (ENOENT)');
    expect(new ArchiveError('a.txt', 3, 'bad').message).toBe('a.txt:3: bad');
  });
});

describe('user text quoted in an error (hardening #28)', () => {
  it('shows its controls as escapes, never raw', () => {
    const text = '#x Archive\nMonday October 22, 2018 6:30 PM EDT\n  • amy Oct 22 @ 6:31 PM EDT\n    hi\n\u001b]0;pwned\u0007 \u202eevil';
    const e = archiveError(() => parseArchive(text, 'esc.txt'));
    expect(e.message).toBe('esc.txt:5: unexpected line "\\u001b]0;pwned\\u0007 \\u202eevil": message text must be indented under its "•" header');
  });
});
