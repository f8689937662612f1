import type { Repositories } from '../store/port.ts';
import { exportArchive } from './archive.ts';
import { exportCsv } from './csv.ts';
import { renderHtml } from './html.ts';
import { exportJson } from './json.ts';
import { renderMarkdown } from './markdown.ts';
import { buildRecap } from './model.ts';

export const RECAP_FORMATS = ['md', 'html', 'csv', 'json', 'archive'] as const;
export type RecapFormat = (typeof RECAP_FORMATS)[number];

export const RECAP_EXTENSIONS: Record<RecapFormat, string> = { md: 'md', html: 'html', csv: 'csv', json: 'json', archive: 'txt' };

/** A session's recap in one format, as chunks to write (CSV, JSON and archive stream). */
export function exportRecap(store: Repositories, sessionId: number, format: RecapFormat): AsyncIterable<string> {
  switch (format) {
    case 'md':
      return once(async () => renderMarkdown(await buildRecap(store, sessionId)));
    case 'html':
      return once(async () => renderHtml(await buildRecap(store, sessionId)));
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

async function* once(make: () => Promise<string>): AsyncGenerator<string> {
  yield await make();
}
