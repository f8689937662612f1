import type { Repositories } from '../store/port.ts';
import { exportArchive } from './archive.ts';
import { exportCsv } from './csv.ts';
import { streamHtml } from './html.ts';
import { exportJson } from './json.ts';
import { streamMarkdown } from './markdown.ts';

export const RECAP_FORMATS = ['md', 'html', 'csv', 'json', 'archive'] as const;
export type RecapFormat = (typeof RECAP_FORMATS)[number];

export const RECAP_EXTENSIONS: Record<RecapFormat, string> = { md: 'md', html: 'html', csv: 'csv', json: 'json', archive: 'txt' };

/** A session's recap in one format, as chunks to write: every format streams from the store (flat memory). */
export function exportRecap(store: Repositories, sessionId: number, format: RecapFormat): AsyncIterable<string> {
  switch (format) {
    case 'md':
      return streamMarkdown(store, sessionId);
    case 'html':
      return streamHtml(store, sessionId);
    case 'csv':
      return exportCsv(store, sessionId);
    case 'json':
      return exportJson(store, sessionId);
    case 'archive':
      return exportArchive(store, sessionId);
  }
}

export async function recapToString(store: Repositories, sessionId: number, format: RecapFormat): Promise<string> {
  let out = '';
  for await (const chunk of exportRecap(store, sessionId, format)) out += chunk;
  return out;
}

/** A recap as one Buffer (a Discord attachment): the chunks are encoded as they come, then joined once. */
export async function recapBuffer(store: Repositories, sessionId: number, format: RecapFormat): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of exportRecap(store, sessionId, format)) parts.push(Buffer.from(chunk, 'utf8'));
  return Buffer.concat(parts);
}
