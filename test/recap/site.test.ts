import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/recap/html.ts';
import { buildRecap } from '../../src/recap/model.ts';
import { writeSite } from '../../src/recap/site.ts';
import { SITE_MANIFEST, SiteError } from '../../src/recap/site-folder.ts';
import { emcee } from '../helpers/emcee-cli.ts';
import { persistSession } from '../../src/live/persist.ts';
import { expectGolden } from '../helpers/golden.ts';
import { importedSeeds } from '../helpers/recap.ts';
import { seedPath } from '../helpers/seeds.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'emcee-site-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const hrefs = (html: string) => [...html.matchAll(/\bhref="([^"]*)"/g)].map((m) => m[1]!);

const written = await (async () => {
  const { store, sessions } = await importedSeeds();
  const out = join(tempDir(), 'nested', 'site'); // created as needed
  return { store, sessions, out, site: await writeSite(store, out) };
})();

describe('writeSite', () => {
  const { store, sessions, out, site } = written;
  const index = readFileSync(site.index, 'utf8');

  it('writes index.html and one page per session', async () => {
    expect(site.index).toBe(join(out, 'index.html'));
    expect(site.pages.map((p) => p.slice(out.length + 1)).sort()).toEqual([...sessions.values()].map((id) => `sessions/${id}.html`).sort());
    for (const page of site.pages) expect(existsSync(page)).toBe(true);
  });

  it('lists both series and all five sessions, newest first, with their counts', async () => {
    expect(index).toContain('<h2 id="series-2">#badgechat</h2>');
    expect(index).toContain('<h2 id="series-1">#BadgeChatK12</h2>');
    expect(index.indexOf('#badgechat</h2>')).toBeLessThan(index.indexOf('#BadgeChatK12</h2>'));
    for (const [original, id] of sessions) {
      const recap = await buildRecap(store, id);
      const card = new RegExp(`<article class="session">\\n<h3><a href="sessions/${id}\\.html">[^<]+</a></h3>\\n<p class="topic">[^<]+</p>\\n<p class="counts">([^<]+)</p>`).exec(index);
      expect(card, original).not.toBeNull();
      expect(card![1]).toContain(`${recap.stats.messages} messages`);
      expect(card![1]).toContain(`${recap.stats.answers} answers`);
      if (recap.session.format !== 'plain') expect(card![1]).toContain(`${recap.stats.participants} participants`);
    }
    // #badgechat: December, October, May 2018.
    const dates = [...index.matchAll(/<h3><a href="sessions\/\d+\.html">([^<]+)<\/a>/g)].map((m) => m[1]);
    expect(dates).toEqual([
      'Monday, December 10, 2018 at 6:30 PM EST', 'Monday, October 22, 2018 at 6:30 PM EDT', 'Monday, May 7, 2018 at 6:30 PM EDT',
      'Monday, October 17, 2016 at 6:30 PM EDT', 'Monday, February 29, 2016 at 6:30 PM EST',
    ]);
    // The topic is the first question; the top takeaways follow.
    expect(index).toContain('<p class="topic">Why is it important to be asking what happens after a Badge is issued?</p>');
    expect(index).toContain('<li>Takeaway: Lots of really smart people');
  });

  it('every relative link resolves to a file; nothing points elsewhere', async () => {
    // Five session pages and the two series' pages.
    expect(hrefs(index).length).toBe(7);
    expect(hrefs(index).filter((h) => h.startsWith('series/')).sort()).toEqual(['series/1.html', 'series/2.html']);
    for (const href of hrefs(index)) {
      expect(href).not.toMatch(/^[a-z]+:|^\//i);
      expect(existsSync(resolve(out, href)), href).toBe(true);
    }
    for (const page of site.pages) {
      const html = readFileSync(page, 'utf8');
      const relative = hrefs(html).filter((h) => !h.startsWith('https://discord.com/'));
      expect(relative).toEqual(['../index.html']);
      expect(existsSync(resolve(dirname(page), '../index.html'))).toBe(true);
      expect(html).toContain('<p class="back"><a href="../index.html">← All chats</a></p>');
    }
    for (const id of [1, 2]) {
      const html = readFileSync(join(out, `series/${id}.html`), 'utf8');
      expect(hrefs(html)).toEqual(['../index.html']);
      expect(html).toContain('<p class="back"><a href="../index.html">← All chats</a></p>');
      expect(html).toContain('<title id="chart-trend-title">Participants per session</title>');
      expect(html).not.toMatch(/https?:\/\/|<script|<link/i);
    }
    expect(index).not.toMatch(/https?:\/\/|<script|<link/i);
  });

  it('a session page is its HTML recap with the way back', async () => {
    const id = sessions.get('001_390feaa8c4f3efe6.txt')!;
    const page = readFileSync(join(out, `sessions/${id}.html`), 'utf8');
    expect(page.replace('<p class="back"><a href="../index.html">← All chats</a></p>\n', '')).toBe(renderHtml(await buildRecap(store, id)));
  });

  it('index.html (golden)', async () => expectGolden('site/index.html', index));

  it('writing again overwrites its own files and gives the same bytes', async () => {
    // A page an earlier run wrote (its manifest lists it) for a session no longer listed:
    // removed. A page-like file Emcee did not write, and any other file: kept.
    const manifest = JSON.parse(readFileSync(join(out, SITE_MANIFEST), 'utf8')) as { files: string[] };
    writeFileSync(join(out, SITE_MANIFEST), JSON.stringify({ ...manifest, files: [...manifest.files, 'sessions/999.html'] }));
    writeFileSync(join(out, 'sessions', '999.html'), 'stale');
    writeFileSync(join(out, 'sessions', '998.html'), 'not ours either');
    writeFileSync(join(out, 'sessions', 'notes.txt'), 'not ours');
    const again = await writeSite(store, out);
    expect(readFileSync(again.index, 'utf8')).toBe(index);
    expect(readdirSync(join(out, 'sessions')).sort()).toEqual([...[...sessions.values()].map((id) => `${id}.html`), '998.html', 'notes.txt'].sort());
    expect(readFileSync(join(out, 'sessions', '998.html'), 'utf8')).toBe('not ours either');
  });
});

describe('writeSite lists only finished sessions', () => {
  it('leaves out planned, running and cancelled sessions; keeps ended ones; escapes takeaways', async () => {
    const { store } = await importedSeeds();
    const series = await store.series.saveForChannel({ guildId: '1', channelId: '2', tag: '#Live<Chat>', timezone: 'Europe/Paris', schedule: null, settings: {} });
    const make = async (day: number, state: 'planned' | 'running' | 'cancelled' | 'ended') =>
      await persistSession(store, { series, startsAt: new Date(`2026-11-0${day}T18:00:00Z`), questions: [`Question <${state}>?`], questionSetId: null, state });
    const ended = await make(2, 'ended');
    const planned = await make(3, 'planned');
    const running = await make(4, 'running');
    const cancelled = await make(5, 'cancelled');
    const { message } = await store.messages.ingest({
      sessionId: ended.id, platformId: '77', channelId: '2', threadId: null, authorId: 'a', authorName: 'amy', isModerator: false,
      postedAt: new Date('2026-11-02T18:40:00Z'), text: 'TA: <b>bold</b> & done', replyToId: null, inReplyTo: [], quote: null, archiveIndex: null,
    });
    await store.messages.recordAttribution(message, { kind: 'answer', question: 'TA', via: 'label', label: 'TA:', text: message.text });

    const out = tempDir();
    const site = await writeSite(store, out);
    const index = readFileSync(site.index, 'utf8');
    expect(site.pages).toHaveLength(6);
    expect(index).toContain(`href="sessions/${ended.id}.html"`);
    for (const s of [planned, running, cancelled]) {
      expect(index).not.toContain(`sessions/${s.id}.html`);
      expect(existsSync(join(out, `sessions/${s.id}.html`))).toBe(false);
    }
    expect(index).toContain('<h2 id="series-3">#Live&lt;Chat&gt;</h2>');
    // The newest series comes first; the ended session's topic is its first question.
    expect(index.indexOf('#Live&lt;Chat&gt;')).toBeLessThan(index.indexOf('#badgechat</h2>'));
    expect(index).toContain('<p class="topic">Question &lt;ended&gt;?</p>');
    expect(index).toContain('<li>TA: &lt;b&gt;bold&lt;/b&gt; &amp; done <span class="by">— amy</span></li>');
  });
});

describe('the site index tells series apart by place', () => {
  it('the same tag in two servers and in the archives: three headings that differ, each server\'s series together', async () => {
    const { store } = await importedSeeds(); // the archives' #badgechat and #BadgeChatK12 (imported: no server)
    const live = async (guildId: string, channelId: string, tag: string, day: number) => {
      const series = await store.series.saveForChannel({ guildId, channelId, tag, timezone: 'UTC', schedule: null, settings: {} });
      await persistSession(store, { series, startsAt: new Date(`2026-11-0${day}T18:00:00Z`), questions: ['Q?'], questionSetId: null, state: 'ended' });
      return series;
    };
    const a1 = await live('111', '1001', '#BadgeChat', 2);
    const b1 = await live('222', '2001', '#BadgeChat', 4);
    const a2 = await live('111', '1002', '#Other', 3);
    const index = readFileSync((await writeSite(store, tempDir())).index, 'utf8');
    const headings = [...index.matchAll(/<h2 id="series-(\d+)">(.*?)<\/h2>/g)].map((m) => [Number(m[1]), m[2]]);
    expect(headings).toEqual([
      // Server 222 has the newest chat; then server 111 (its series newest first); then the archives.
      [b1.id, '#BadgeChat <span class="place">(Discord server 222, channel 2001)</span>'],
      [a2.id, '#Other'],
      [a1.id, '#BadgeChat <span class="place">(Discord server 111, channel 1001)</span>'],
      [2, '#badgechat <span class="place">(Imported archive)</span>'],
      [1, '#BadgeChatK12'],
    ]);
    expect(index).toContain(`<p class="meta">Discord server 111, channel 1002 · 1 chat · times in UTC · <a href="series/${a2.id}.html">Series report</a></p>`);
  });
});

describe('the site folder: never someone else\'s files (hardening #15)', () => {
  /** Every file under dir with its content. */
  const snapshot = (dir: string): Record<string, string> => Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()
      .filter((f) => !statSync(join(dir, f)).isDirectory())
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  const someoneElses = () => {
    const out = tempDir();
    mkdirSync(join(out, 'sessions'));
    writeFileSync(join(out, 'index.html'), 'my own home page');
    writeFileSync(join(out, 'sessions', '42.html'), 'my page 42');
    writeFileSync(join(out, 'notes.txt'), 'notes');
    return out;
  };

  it('refuses a non-empty folder that is not an Emcee site, and changes nothing in it', async () => {
    const { store } = await importedSeeds();
    const out = someoneElses();
    const before = snapshot(out);
    await expect(writeSite(store, out)).rejects.toThrow(SiteError);
    await expect(writeSite(store, out)).rejects.toThrow(`${out} is not empty and is not an Emcee site`);
    expect(snapshot(out)).toEqual(before);
  });

  it('with force writes beside the files there and deletes none of them', async () => {
    const { store, sessions } = await importedSeeds();
    const out = someoneElses();
    await writeSite(store, out, { force: true });
    expect(readFileSync(join(out, 'sessions', '42.html'), 'utf8')).toBe('my page 42');
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('notes');
    expect(readdirSync(join(out, 'sessions')).sort()).toEqual([...[...sessions.values()].map((id) => `${id}.html`), '42.html'].sort());
    // Now it is an Emcee site: written again without force, and 42.html is still not Emcee's.
    await writeSite(store, out);
    expect(readFileSync(join(out, 'sessions', '42.html'), 'utf8')).toBe('my page 42');
  });

  it('acts only on its own file names, whatever the manifest says', async () => {
    const { store } = await importedSeeds();
    const parent = tempDir();
    const out = join(parent, 'site');
    await writeSite(store, out);
    writeFileSync(join(parent, 'outside.txt'), 'keep me');
    writeFileSync(join(out, 'notes.txt'), 'keep me too');
    writeFileSync(join(out, SITE_MANIFEST), JSON.stringify({ emcee: 'site', version: 1, files: ['../outside.txt', 'notes.txt', '/etc/hostname'] }));
    await writeSite(store, out);
    expect(readFileSync(join(parent, 'outside.txt'), 'utf8')).toBe('keep me');
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('keep me too');
  });

  it('refuses the root of the file system, even with force', async () => {
    const { store } = await importedSeeds();
    await expect(writeSite(store, '/', { force: true })).rejects.toThrow(/will not write the site into \/, the root of the file system/);
    expect(existsSync('/.emcee-site')).toBe(false);
  });

  it('emcee site --out: one clear line for a folder that is not a site; --force writes', async () => {
    const db = join(tempDir(), 'emcee.sqlite');
    await emcee('import', seedPath('002_3061b2b49c8629e7.txt'), '--db', db);
    const out = someoneElses();
    const before = snapshot(out);
    const refused = await emcee('site', '--out', out, '--db', db);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toBe(`emcee: ${out} is not empty and is not an Emcee site (no .emcee-site in it); choose a new or empty folder, or add --force to write beside what is there (Emcee never deletes files it did not write)\n`);
    expect(snapshot(out)).toEqual(before);
    const forced = await emcee('site', '--out', out, '--force', '--db', db);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(out, 'sessions', '42.html'), 'utf8')).toBe('my page 42');
  });
});
