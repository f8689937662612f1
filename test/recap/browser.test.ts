import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/recap/html.ts';
import { buildRecap } from '../../src/recap/model.ts';
import { writeSite } from '../../src/recap/site.ts';
import { buildSeriesReport, seriesReportHtml } from '../../src/recap/series-report.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { openStore } from '../../src/store/index.ts';
import { EXPECTED_INSIGHTS, EXPECTED_REPORT, insightSeries } from '../fixtures/insight-series.ts';
import { GOLDEN_DIR } from '../helpers/golden.ts';
import { importedSeeds } from '../helpers/recap.ts';
import { ROOT } from '../helpers/seeds.ts';

/**
 * The HTML recap and the archive site in a real browser (Debian's chromium, driven by
 * playwright-core), opened from file://: no error, no request but the page itself, the
 * charts and questions visible, hostile text inert, no horizontal scroll on a phone.
 * Screenshots go to test-output/ (git-ignored) for a human to look at.
 */

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = join(ROOT, 'test-output');
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

interface Opened {
  page: Page;
  requests: string[];
  errors: string[];
  dialogs: string[];
}

// CI installs Chromium (.ci/run), so there the browser tests must run: a missing browser
// fails instead of skipping. On a developer's machine without it they are skipped.
if (process.env.CI === 'true') {
  it('Chromium is installed, so the browser tests run (CI must not skip them)', () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: .ci/run installs Debian's chromium`).toBe(true);
  });
}

describe.skipIf(!existsSync(CHROMIUM))('HTML recap in a real browser (skipped: no /usr/bin/chromium)', () => {
  let browser: Browser;
  let dir: string;
  const files = { recap001: '', hostile: '', siteIndex: '', growSeries: '', growSession: '' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'emcee-recap-'));
    mkdirSync(OUTPUT, { recursive: true });
    const { store, sessions } = await importedSeeds();
    files.recap001 = join(dir, 'recap-001.html');
    writeFileSync(files.recap001, renderHtml(await buildRecap(store, sessions.get('001_390feaa8c4f3efe6.txt')!)));
    // The hostile page is the golden file that test/recap/html.test.ts checks renderHtml against.
    files.hostile = join(dir, 'hostile.html');
    writeFileSync(files.hostile, readFileSync(join(GOLDEN_DIR, 'html/hostile.html')));
    files.siteIndex = (await writeSite(store, join(dir, 'site'))).index;
    // The seeded series whose figures test/fixtures/insight-series.ts works out by hand.
    const grow = openStore(':memory:', new ManualClock(new Date('2026-11-20T00:00:00Z')));
    const seeded = await insightSeries(grow);
    files.growSeries = join(dir, 'grow-series.html');
    writeFileSync(files.growSeries, seriesReportHtml(await buildSeriesReport(grow, seeded.series)));
    files.growSession = join(dir, 'grow-session-1.html');
    writeFileSync(files.growSession, renderHtml(await buildRecap(grow, seeded.sessions[0]!.id)));
    await grow.close();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(file: string, options: BrowserContextOptions = DESKTOP): Promise<Opened> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const opened: Opened = { page, requests: [], errors: [], dialogs: [] };
    page.on('request', (r) => opened.requests.push(r.url()));
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') opened.errors.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => opened.errors.push(`page error: ${e.message}`));
    page.on('dialog', (d) => { opened.dialogs.push(d.message()); void d.dismiss(); });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return opened;
  }

  // The tests compile without the DOM library: what runs in the page sees it through this shape.
  type PageWindow = { document: { scrollingElement: { scrollWidth: number } }; innerWidth: number; pwned?: unknown };
  const noHorizontalScroll = async (page: Page) => {
    const { scrollWidth, innerWidth } = await page.evaluate(() => {
      const w = globalThis as unknown as PageWindow;
      return { scrollWidth: w.document.scrollingElement.scrollWidth, innerWidth: w.innerWidth };
    });
    expect(innerWidth).toBeGreaterThan(0);
    return scrollWidth <= innerWidth;
  };

  it('seed 001 on a desktop: no error, no other request, charts and questions visible', async () => {
    const { page, requests, errors } = await open(files.recap001);
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(files.recap001).href]);
    for (const id of ['chart-activity', 'chart-answers']) {
      const chart = page.locator(`svg#${id}`);
      await expect.poll(() => chart.isVisible()).toBe(true);
      const box = await chart.boundingBox();
      expect(box!.width).toBeGreaterThan(200);
      expect(box!.height).toBeGreaterThan(50);
      expect(await chart.getAttribute('role')).toBe('img');
    }
    const headings = page.locator('article.question h3');
    expect(await headings.count()).toBe(3);
    for (const h of await headings.all()) expect(await h.isVisible()).toBe(true);
    expect(await headings.first().innerText()).toMatch(/^Q1\s+Why is it important/);
    expect(await page.title()).toBe('#badgechat — Monday, October 22, 2018 at 6:30 PM EDT');
    await page.screenshot({ path: join(OUTPUT, 'recap-001.png'), fullPage: true });
    await page.context().close();
  });

  it('seed 001 on a phone: no horizontal scroll', async () => {
    const { page, errors } = await open(files.recap001, PHONE);
    expect(errors).toEqual([]);
    expect(await noHorizontalScroll(page)).toBe(true);
    expect(await page.locator('svg#chart-activity').isVisible()).toBe(true);
    await page.screenshot({ path: join(OUTPUT, 'recap-001-phone.png'), fullPage: true });
    await page.context().close();
  });

  it('hostile text stays text: nothing runs, no dialog, the escaped text is visible', async () => {
    for (const options of [DESKTOP, PHONE]) {
      const { page, requests, errors, dialogs } = await open(files.hostile, options);
      expect(errors).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(requests).toEqual([pathToFileURL(files.hostile).href]);
      expect(await page.evaluate(() => (globalThis as unknown as PageWindow).pwned)).toBeUndefined();
      expect(await page.locator('script, img, iframe, marquee, b, i, u').count()).toBe(0);
      for (const text of ['A1: <script>window.pwned=1</script>', 'A1: <img src=x onerror="window.pwned=2">', `"quoted" & 'single'`, '<i>Evil</i> & "Co"', '<b>Bold</b> & <script>window.pwned=3</script> "question"?']) {
        await expect.poll(() => page.getByText(text).first().isVisible()).toBe(true);
      }
      // A hostile message id cannot add an attribute to its link.
      const links = page.locator('a[href^="https://discord.com/"]');
      expect(await links.count()).toBeGreaterThan(0);
      expect(await page.locator('[onmouseover], [onerror]').count()).toBe(0);
      // Line breaks in answers are kept.
      expect(await page.getByText('second line 🎉').first().innerText()).toContain(`'single'\nsecond line`);
      expect(await noHorizontalScroll(page)).toBe(true);
      await page.context().close();
    }
  });

  /** Follows a page's way back to the site's index: nothing failed, nothing left file://. */
  async function backToIndex({ page, requests, errors }: Pick<Opened, 'page' | 'requests' | 'errors'>): Promise<void> {
    await page.getByRole('link', { name: '← All chats' }).click();
    await page.waitForLoadState('load');
    expect(page.url()).toBe(pathToFileURL(files.siteIndex).href);
    expect(errors).toEqual([]);
    expect(requests.every((url) => url.startsWith('file://'))).toBe(true);
    await page.context().close();
  }

  it('the archive site from file://: index, session pages and the way back', async () => {
    const { page, requests, errors } = await open(files.siteIndex);
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(files.siteIndex).href]);
    expect(await page.locator('section.series h2').allInnerTexts()).toEqual(['#badgechat', '#BadgeChatK12']);
    expect(await page.locator('article.session').count()).toBe(5);
    await page.screenshot({ path: join(OUTPUT, 'site-index.png'), fullPage: true });

    await page.locator('article.session h3 a').first().click();
    await page.waitForLoadState('load');
    expect(page.url()).toMatch(/\/sessions\/\d+\.html$/);
    expect(await page.locator('h1').innerText()).toMatch(/^#badgechat\s+Monday, December 10, 2018/);
    await backToIndex({ page, requests, errors });
  });

  it('a series page from the index: the chart, the table, the way back; on a phone no horizontal scroll', async () => {
    const { page, requests, errors } = await open(files.siteIndex);
    await page.getByRole('link', { name: 'Series report' }).first().click();
    await page.waitForLoadState('load');
    expect(page.url()).toMatch(/\/series\/\d+\.html$/);
    expect(await page.locator('h1').innerText()).toBe('#badgechat');
    expect(await page.locator('svg#chart-trend rect.chart-first').count()).toBe(3);
    expect(await page.locator('table tbody tr').count()).toBe(3);
    await page.screenshot({ path: join(OUTPUT, 'site-series.png'), fullPage: true });
    const seriesUrl = page.url();
    await backToIndex({ page, requests, errors });

    const phone = await open(fileURLToPath(seriesUrl), PHONE);
    expect(phone.errors).toEqual([]);
    expect(await noHorizontalScroll(phone.page)).toBe(true);
    await phone.page.screenshot({ path: join(OUTPUT, 'site-series-phone.png'), fullPage: true });
    await phone.page.context().close();
  });

  it('the seeded series page shows every figure worked out by hand: table, chart, retention, streaks, words', async () => {
    const { page, requests, errors } = await open(files.growSeries);
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(files.growSeries).href]);
    const rows = await page.locator('table tbody tr').all();
    expect(rows).toHaveLength(3);
    for (const [i, row] of rows.entries()) {
      const cells = await row.locator('td').allInnerTexts();
      expect([cells[2], ...cells.slice(3).map(Number)]).toEqual(EXPECTED_REPORT.rows[i]);
    }
    // The bars as drawn: first-timers 3, 1, 1 and returning 1, 2, 4, in proportion.
    const heights = async (cls: string) => Promise.all((await page.locator(`svg#chart-trend rect.${cls}`).all()).map(async (r) => (await r.boundingBox())!.height));
    const first = await heights('chart-first');
    const returning = await heights('chart-returning');
    expect(first.map((h) => h / first[1]!).map((x) => Math.round(x * 100) / 100)).toEqual([3, 1, 1]);
    expect(returning.map((h) => h / returning[0]!).map((x) => Math.round(x * 100) / 100)).toEqual([1, 2, 4]);
    expect(first[0]! / returning[0]!).toBeCloseTo(3, 1);
    await expect.poll(() => page.getByText('75% of first-timers came back within the next 3 sessions (3 of 4).').isVisible()).toBe(true);
    expect(await page.locator('section:has(h2:text("Attendance streaks")) li').allInnerTexts()).toEqual(['amy: 3 in a row (now 3)', 'di: 2 in a row (now 2)']);
    expect(await page.locator('section:has(h2:text("Most-used words in answers")) p').innerText()).toMatch(/^portfolios \(2\), agree \(1\), badges \(1\)/);
    await page.screenshot({ path: join(OUTPUT, 'grow-series.png'), fullPage: true });
    await page.context().close();
    const phone = await open(files.growSeries, PHONE);
    expect(await noHorizontalScroll(phone.page)).toBe(true);
    await phone.page.context().close();
  });

  it("the seeded series' first session shows its conversation, first-timer, link and highlight figures", async () => {
    const { page, requests, errors } = await open(files.growSession);
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(files.growSession).href]);
    const c = EXPECTED_INSIGHTS[0].conversation;
    const counts = await page.locator('section:has(#h-conversation) p.counts').allInnerTexts();
    expect(counts).toEqual([
      `${c.repliesToParticipants} replies to other participants · ${c.plainAnswers} plain answers · ${c.postedOnce} people posted once · the most active 10% (1 person) wrote 33% of the messages · ${c.afterOutro} message after the outro`,
      '3 first-timers · 2 got a reply (1 from a moderator, 1 from a participant)',
    ]);
    const links = page.locator('section:has(#h-links) li.link a');
    expect(await links.evaluateAll((as) => as.map((a) => (a as unknown as { href: string }).href))).toEqual(EXPECTED_INSIGHTS[0].links.map((l) => l.url));
    expect(await page.locator('section:has(#h-links) li.link').allInnerTexts()).toEqual(['ex.org/a shared by amy, cy under Q1', 'other.test/b shared by cy under Q1']);
    const highlights = await page.locator('.highlights li').allInnerTexts();
    expect(highlights.map((h) => h.split(/\s/)[0])).toEqual(['cy', 'amy']);
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.context().close();
  });

  it('the site index on a phone: no horizontal scroll', async () => {
    const { page, errors } = await open(files.siteIndex, PHONE);
    expect(errors).toEqual([]);
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.context().close();
  });
});
