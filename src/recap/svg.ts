import { stripControls } from '../domain/text.ts';
import { takeawayCount, type Recap } from './model.ts';

/**
 * Inline SVG charts for the HTML recap: pure string builders, no script, no external
 * reference (not even an xmlns: the charts are meant to sit inside an HTML page). Every
 * label goes through escapeXml. Sizes are in viewBox units and the SVG scales to the width
 * of its container; colours are presentation attributes that a page stylesheet can override
 * through the classes (chart-bar, chart-marker, …), for example in dark mode.
 */

const W = 360;
const FONT = 11;
/** Rough width of a character of the label font, in viewBox units (for label placement). */
const CHAR = FONT * 0.62;
const ROW = FONT + 3;

const COLORS = { bar: '#3a6fe0', muted: '#5b616b', grid: '#d9dde3', marker: '#c2410c', skipped: '#9aa1ac' };

/** Escapes text for SVG/XML content and attribute values; controls and bidi overrides dropped (#28). */
export function escapeXml(text: string): string {
  return stripControls(text).replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]!};`);
}

/** A number as written in SVG: at most two decimals, no trailing zeros. */
function n(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function svgOpen(id: string, height: number, title: string, desc: string): string {
  return `<svg class="chart" id="${id}" viewBox="0 0 ${W} ${n(height)}" width="100%" preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="${id}-title ${id}-desc" font-family="system-ui, sans-serif" font-size="${FONT}">`
    + `<title id="${id}-title">${escapeXml(title)}</title><desc id="${id}-desc">${escapeXml(desc)}</desc>`;
}

/** A round upper bound for an axis: 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, … */
export function niceMax(value: number): number {
  if (value <= 6) return Math.max(1, Math.ceil(value));
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}

/** Minutes between two x-axis labels so that there are at most about six of them. */
function tickStep(minutes: number): number {
  return [1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720].find((s) => minutes / s <= 6) ?? 1440;
}

const PROMPT_LABELS: Partial<Record<Recap['prompts'][number]['kind'], string>> = {
  welcome: 'welcome', guidelines: 'guidelines', outro: 'outro', close: 'close',
};

/** The prompts shown on the timeline: every posted prompt but the previews and heads-ups. */
function markers(recap: Recap): { minute: number; label: string }[] {
  const start = recap.session.startsAt.getTime();
  return recap.prompts.flatMap((p) => {
    if (p.state !== 'posted' || !p.postedAt) return [];
    const label = p.kind === 'question' ? `Q${p.questionNumber ?? '?'}` : PROMPT_LABELS[p.kind];
    if (!label) return [];
    const minute = (p.postedAt.getTime() - start) / 60_000;
    return minute >= 0 && minute < 24 * 60 ? [{ minute, label }] : [];
  }).sort((a, b) => a.minute - b.minute);
}

/** Whether the session has timed messages to draw (plain archives have none). */
export function hasTimeline(recap: Recap): boolean {
  return recap.stats.messagesPerMinute.some((c) => c > 0);
}

/**
 * Messages per minute from the start of the session (bars), with a dashed line where each
 * prompt went out (Q1, Q2, outro …), and the minutes along the bottom (T+0, T+10 …).
 * Without timed messages (plain archives) it is a short note instead of an empty chart.
 */
export function messagesPerMinuteChart(recap: Recap, id = 'chart-activity'): string {
  const perMinute = recap.stats.messagesPerMinute;
  if (!hasTimeline(recap)) {
    return `<p class="chart-note">No timeline: this archive does not record when messages were sent.</p>`;
  }
  const marks = markers(recap);
  const minutes = Math.max(perMinute.length, ...marks.map((m) => Math.floor(m.minute) + 1));
  const peak = Math.max(...perMinute);
  const yMax = niceMax(peak);

  // Marker labels go on rows above the plot; a label that would touch the previous one on
  // its row moves one row up.
  const left = 28, right = 10, bottom = 22;
  const plotW = W - left - right;
  const x = (minute: number) => left + (minute / minutes) * plotW;
  const rowEnds: number[] = [];
  const placed = marks.map((m) => {
    const cx = x(m.minute);
    const width = m.label.length * CHAR;
    // Labels stay clear of the y-axis labels on the left and inside the chart on the right.
    const anchor = cx - width / 2 < left - 4 ? 'start' : cx + width / 2 > W ? 'end' : 'middle';
    const from = anchor === 'start' ? cx : anchor === 'end' ? cx - width : cx - width / 2;
    let row = rowEnds.findIndex((end) => end + 4 <= from);
    if (row === -1) row = rowEnds.length;
    rowEnds[row] = from + width;
    return { ...m, cx, anchor, row };
  });
  const rows = Math.max(1, rowEnds.length);
  const top = 6 + rows * ROW;
  const plotH = 120;
  const height = top + plotH + bottom;
  const y = (count: number) => top + plotH - (count / yMax) * plotH;

  const busiest = perMinute.indexOf(peak);
  const total = perMinute.reduce((a, b) => a + b, 0);
  const desc = `${total} messages over ${minutes} minutes; the busiest minute was T+${busiest} with ${peak} message${peak === 1 ? '' : 's'}.`
    + (marks.length ? ` Prompts: ${marks.map((m) => `${m.label} at T+${Math.floor(m.minute)}`).join(', ')}.` : '');
  const out = [svgOpen(id, height, 'Messages per minute', desc)];

  // Grid and y-axis labels.
  const gridValues = yMax % 2 === 0 && yMax > 1 ? [0, yMax / 2, yMax] : [0, yMax];
  for (const v of gridValues) {
    out.push(`<line class="chart-grid" x1="${left}" x2="${W - right}" y1="${n(y(v))}" y2="${n(y(v))}" stroke="${COLORS.grid}" stroke-width="1"/>`);
    out.push(`<text class="chart-label" x="${left - 4}" y="${n(y(v) + FONT * 0.35)}" text-anchor="end" fill="${COLORS.muted}">${v}</text>`);
  }

  // Bars.
  const slot = plotW / minutes;
  const gap = slot > 3 ? Math.min(slot * 0.2, 2) : 0;
  perMinute.forEach((count, minute) => {
    if (count === 0) return;
    out.push(`<rect class="chart-bar" x="${n(x(minute) + gap / 2)}" y="${n(y(count))}" width="${n(slot - gap)}" height="${n(top + plotH - y(count))}" fill="${COLORS.bar}"><title>T+${minute}: ${count} message${count === 1 ? '' : 's'}</title></rect>`);
  });

  // Prompt markers.
  for (const m of placed) {
    out.push(`<line class="chart-marker" x1="${n(m.cx)}" x2="${n(m.cx)}" y1="${n(top - 2)}" y2="${n(top + plotH)}" stroke="${COLORS.marker}" stroke-width="1" stroke-dasharray="3 2"/>`);
    out.push(`<text class="chart-marker-label" x="${n(m.cx)}" y="${n(top - 4 - m.row * ROW)}" text-anchor="${m.anchor}" fill="${COLORS.marker}">${escapeXml(m.label)}</text>`);
  }

  // X axis: the minutes from the start.
  out.push(`<line class="chart-axis" x1="${left}" x2="${W - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="${COLORS.muted}" stroke-width="1"/>`);
  const step = tickStep(minutes);
  for (let t = 0; t <= minutes; t += step) {
    const tx = x(t);
    const anchor = t === 0 ? 'start' : tx + 14 > W ? 'end' : 'middle';
    out.push(`<line class="chart-axis" x1="${n(tx)}" x2="${n(tx)}" y1="${top + plotH}" y2="${top + plotH + 3}" stroke="${COLORS.muted}" stroke-width="1"/>`);
    out.push(`<text class="chart-label" x="${n(tx)}" y="${top + plotH + 4 + FONT}" text-anchor="${anchor}" fill="${COLORS.muted}">T+${t}</text>`);
  }
  out.push('</svg>');
  return out.join('');
}

/** Answers per question as horizontal bars: Q1, Q2, … and TA for the takeaways. */
export function answersPerQuestionChart(recap: Recap, id = 'chart-answers'): string {
  const rows = [
    ...recap.questions.map((q) => ({ label: `Q${q.number}`, count: q.answerCount, skipped: q.state === 'skipped' })),
    ...(takeawayCount(recap) ? [{ label: 'TA', count: takeawayCount(recap), skipped: false }] : []),
  ];
  if (rows.length === 0) return `<p class="chart-note">No questions and no answers.</p>`;
  const max = niceMax(Math.max(...rows.map((r) => r.count)));
  const left = 34, right = 34, top = 6, rowH = 24, barH = 16;
  const plotW = W - left - right;
  const height = top * 2 + rows.length * rowH;
  const desc = rows.map((r) => `${r.label}: ${r.count} answer${r.count === 1 ? '' : 's'}${r.skipped ? ' (skipped)' : ''}`).join(', ') + '.';
  const out = [svgOpen(id, height, 'Answers per question', desc)];
  rows.forEach((r, i) => {
    const cy = top + i * rowH + rowH / 2;
    const w = (r.count / max) * plotW;
    out.push(`<text class="chart-label" x="${left - 6}" y="${n(cy + FONT * 0.35)}" text-anchor="end" fill="${COLORS.muted}">${escapeXml(r.label)}</text>`);
    out.push(`<rect class="chart-track" x="${left}" y="${n(cy - barH / 2)}" width="${n(plotW)}" height="${barH}" rx="3" fill="${COLORS.grid}" fill-opacity="0.45"/>`);
    if (r.count > 0) {
      out.push(`<rect class="${r.skipped ? 'chart-bar chart-bar-skipped' : 'chart-bar'}" x="${left}" y="${n(cy - barH / 2)}" width="${n(Math.max(w, 2))}" height="${barH}" rx="3" fill="${r.skipped ? COLORS.skipped : COLORS.bar}"/>`);
    }
    // The count goes after the bar, or inside its end when it would not fit after it.
    const value = `${r.count}${r.skipped ? ' (skipped)' : ''}`;
    const after = left + Math.max(w, 2) + 5;
    out.push(after + value.length * CHAR <= W
      ? `<text class="chart-value" x="${n(after)}" y="${n(cy + FONT * 0.35)}" fill="${COLORS.muted}">${value}</text>`
      : `<text class="chart-value-inside" x="${n(left + w - 5)}" y="${n(cy + FONT * 0.35)}" text-anchor="end" fill="#ffffff">${value}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}
