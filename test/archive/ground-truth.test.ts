import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readArchiveFile } from '../../src/archive/read.ts';
import { replayTranscript } from '../../src/archive/replay.ts';
import { LABELS_DIR, SHARED_LABELS_DIR, loadLabels, seedNames, seedPath } from '../helpers/seeds.ts';

/**
 * Every archive replayed through the live attribution must match the hand-reviewed labels
 * exactly: every question and every evidenced answer, nothing more, nothing less.
 */
describe.each(loadLabels())('ground truth: $transcript', (labels) => {
  const transcript = readArchiveFile(seedPath(labels.transcript));
  const { result } = replayTranscript(transcript);

  it('reads the format and counts every top-level message', () => {
    expect(result.format).toBe(labels.format);
    expect(result.messageCount).toBe(labels.messageCount);
  });

  it('finds exactly the labelled questions', () => {
    const got = result.questions.map((q, i) => ({
      number: q.number,
      index: q.index,
      startsWith: q.text.slice(0, labels.questions[i]?.startsWith.length ?? q.text.length),
    }));
    expect(got).toEqual(labels.questions);
  });

  it('finds exactly the labelled answers (precision and recall 100%)', () => {
    const key = (a: { question: number | string; index: number }) => `${a.question}@${a.index}`;
    const got = new Map(result.answers.map((a) => [key(a), a]));
    const want = new Map(labels.answers.map((a) => [key(a), a]));
    const extra = [...got.keys()].filter((k) => !want.has(k)).map((k) => `extra ${k}: ${got.get(k)!.text.slice(0, 60)}`);
    const missing = [...want.keys()].filter((k) => !got.has(k)).map((k) => `missing ${k}: ${want.get(k)!.startsWith}`);
    const wrong = [...want.entries()].flatMap(([k, w]) => {
      const g = got.get(k);
      if (!g) return [];
      const problems: string[] = [];
      if (g.author !== w.author) problems.push(`author ${g.author} != ${w.author}`);
      if (!g.text.startsWith(w.startsWith)) problems.push(`text "${g.text.slice(0, 40)}" does not start with "${w.startsWith}"`);
      return problems.map((p) => `${k}: ${p}`);
    });
    // The differences are the assertion, so a failure prints every one of them.
    expect([...extra, ...missing, ...wrong]).toEqual([]);
    expect(result.answers.length).toBe(labels.answers.length);
  });

  it('finds the outro where the labels mark one, and none where they do not', () => {
    expect(result.outroIndex).toBe(labels.outroIndex ?? null);
  });

  it('keeps inferred answers apart from evidenced ones', () => {
    const evidenced = new Set(result.answers.map((a) => a.index));
    for (const i of result.inferred) expect(evidenced.has(i.index)).toBe(false);
  });
});

describe('label fixtures', () => {
  it('cover all five archives', () => {
    expect(loadLabels()).toHaveLength(5);
  });

  it('label exactly the seed archives: one labels file per seed, each naming its seed', () => {
    const labelled = loadLabels().map((l) => l.transcript).sort();
    expect(labelled).toEqual([...seedNames().keys()].sort());
    expect(readdirSync(LABELS_DIR).filter((f) => f.endsWith('.labels.json')).sort()).toEqual(labelled.map((t) => t.replace(/\.txt$/, '.labels.json')));
  });

  // Never skipped: the fixtures above are what the ground truth runs from in any checkout.
  // Where the shared labels are checked out beside the project, they must be the same files.
  it('are byte-for-byte the shared ground truth when ../shared/labels is present', () => {
    if (!existsSync(SHARED_LABELS_DIR)) return;
    const json = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    expect(json(LABELS_DIR)).toEqual(json(SHARED_LABELS_DIR));
    for (const name of readdirSync(SHARED_LABELS_DIR)) {
      expect(readFileSync(`${LABELS_DIR}/${name}`, 'utf8'), name).toBe(readFileSync(`${SHARED_LABELS_DIR}/${name}`, 'utf8'));
    }
  });
});
