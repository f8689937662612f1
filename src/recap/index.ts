import type { Store } from '../store/index.ts';
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
export function exportRecap(store: Store, sessionId: number, format: RecapFormat): Iterable<string> {
  switch (format) {
    case 'md':
      return [renderMarkdown(buildRecap(store, sessionId))];
    case 'html':
      return [renderHtml(buildRecap(store, sessionId))];
    case 'csv':
      return exportCsv(store, sessionId);
    case 'json':
      return exportJson(store, sessionId);
    case 'archive':
      return exportArchive(store, sessionId);
  }
}

export function recapToString(store: Store, sessionId: number, format: RecapFormat): string {
  return [...exportRecap(store, sessionId, format)].join('');
}
