import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SEEDS_DIR = `${ROOT}seeds`;
export const LABELS_DIR = `${ROOT}test/fixtures/labels`;
/** The shared hand-reviewed labels, when checked out beside the project; EMCEE_SHARED_LABELS points elsewhere (tests). */
export const SHARED_LABELS_DIR = process.env.EMCEE_SHARED_LABELS ?? `${ROOT}../shared/labels`;

export interface Labels {
  transcript: string;
  format: 'participate' | 'plain';
  messageCount: number;
  questions: { number: number; index: number; startsWith: string }[];
  answers: { question: number | 'TA'; index: number; author: string | null; startsWith: string; note?: string }[];
  outroIndex?: number;
}

/** original archive name -> file in seeds/, read from the table in seeds/README.md */
export function seedNames(): Map<string, string> {
  const names = new Map<string, string>();
  for (const line of readFileSync(`${SEEDS_DIR}/README.md`, 'utf8').split('\n')) {
    const m = /^\| (\S+\.txt) \| (\S+\.txt) \|/.exec(line);
    if (m) names.set(m[1]!, m[2]!);
  }
  return names;
}

export function seedPath(original: string): string {
  const name = seedNames().get(original);
  if (!name) throw new Error(`seeds/README.md has no row for ${original}`);
  return `${SEEDS_DIR}/${name}`;
}

export function seedFiles(): string[] {
  return [...seedNames().values()].map((n) => `${SEEDS_DIR}/${n}`);
}

export function loadLabels(): Labels[] {
  return readdirSync(LABELS_DIR)
    .filter((f) => f.endsWith('.labels.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(`${LABELS_DIR}/${f}`, 'utf8')) as Labels);
}
