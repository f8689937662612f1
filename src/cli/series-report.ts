import { writeFileAtomic } from '../fs/atomic.ts';
import { buildSeriesReport, seriesReportHtml, seriesReportJson, seriesReportMarkdown } from '../recap/series-report.ts';
import type { Series } from '../domain/series.ts';
import { exportView } from '../recap/anonymize.ts';
import type { StorePort } from '../store/port.ts';
import { CliError, line, type CliIo } from './io.ts';

const FORMATS = { md: seriesReportMarkdown, html: seriesReportHtml, json: seriesReportJson } as const;
type Format = keyof typeof FORMATS;

/** `emcee series report <tag|id> [--format md|html|json] [--out FILE] [--anonymize]`: a series across its sessions. */
export async function seriesReportCommand(io: CliIo, store: StorePort, which: string | undefined, flags: Record<string, string | boolean | undefined>): Promise<void> {
  if (which === undefined || which === '') throw new CliError('usage: emcee series report <tag|id> [--format md|html|json] [--out FILE] [--anonymize]', 2);
  const format = (typeof flags.format === 'string' ? flags.format : 'md') as Format;
  if (!Object.hasOwn(FORMATS, format)) throw new CliError(`--format must be one of ${Object.keys(FORMATS).join(', ')}`, 2);
  const out = typeof flags.out === 'string' ? flags.out : undefined;
  if (out === '') throw new CliError('--out needs a file path (it was empty)', 2);
  const series = await findSeries(store, which);
  const text = FORMATS[format](await buildSeriesReport(await exportView(store, series.id, flags.anonymize === true), series));
  if (out === undefined) {
    io.stdout.write(text);
    return;
  }
  writeFileAtomic(out, text);
  line(io.stderr, `wrote the ${format} report of series #${series.id} (${series.tag}) to ${out}`);
}

/** A series by id, or by tag (case-insensitive, with or without '#'); a tag two series share must be given by id. */
async function findSeries(store: StorePort, which: string): Promise<Series> {
  if (/^\d+$/.test(which)) {
    const series = await store.series.get(Number(which));
    if (!series) throw new CliError(`there is no series #${which} (emcee series list shows them)`);
    return series;
  }
  const key = `#${which.replace(/^#/, '')}`.toLowerCase();
  const found = (await store.series.list()).filter((s) => s.tag.toLowerCase() === key);
  if (found.length === 0) throw new CliError(`there is no series tagged ${which} (emcee series list shows them)`);
  if (found.length > 1) {
    throw new CliError(`${found.length} series are tagged ${which}: give the id (${found.map((s) => `#${s.id} in ${s.guildId === null ? 'the imported archives' : `server ${s.guildId}`}`).join(', ')})`, 2);
  }
  return found[0]!;
}
