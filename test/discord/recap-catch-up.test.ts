/**
 * Recaps nobody posted (issue 12): a process killed between ending a session and posting its
 * recap, or while posting it, leaves the recap to the next process of that guild, which
 * catches up after its start-up backfill and then every sweep. The real bot on the sandbox.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.ts';
import { RECAP_RETRY_MS } from '../../src/discord/recap-post.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { FakeTime, MINUTE, silentLog } from '../helpers/live.ts';
import { sleep } from '../faults/support.ts';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NOW = new Date('2026-11-23T19:00:00Z');
const TAG = '#CatchUp';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function world() {
  const time = new FakeTime(NOW);
  const sandbox = await startSandbox({ clock: time });
  const store = openStore(':memory:', time);
  cleanups.push(() => sandbox.close(), () => store.close());
  return { time, sandbox, store };
}

/** A session in its own channel (a new one by default) that ended `agoMs` before now, its recap never posted. */
async function endedSession(sandbox: Sandbox, store: Store, name: string, agoMs: number, channelId = sandbox.createChannel(name).id) {
  const series = await store.series.saveForChannel({ guildId: sandbox.guild.id, channelId, tag: TAG, timezone: 'UTC', schedule: null, settings: {} });
  const s = await store.sessions.create({ seriesId: series.id, questionSetId: null, state: 'running', startsAt: new Date(NOW.getTime() - agoMs - 30 * MINUTE), source: 'live', channelId });
  return { channelId, session: await store.sessions.setState(s.id, 'ended', { endedAt: new Date(NOW.getTime() - agoMs) }) };
}

const recapsIn = (sandbox: Sandbox, channelId: string) => sandbox.messages(channelId).filter((m) => m.embeds[0]?.title === `${TAG} recap`);

async function start(w: Awaited<ReturnType<typeof world>>) {
  const app = await startApp({
    token: w.sandbox.token, apiBase: w.sandbox.apiBase, store: w.store, clock: w.time, timers: w.time, log: silentLog,
    minuteTick: false, recapSweepMs: 50,
  });
  cleanups.push(() => app.stop());
  return app;
}

describe('recaps nobody posted are caught up on', () => {
  it('a session whose process died before its recap: posted once after start-up; old and posted ones are left alone', async () => {
    const w = await world();
    const died = await endedSession(w.sandbox, w.store, 'died', 2 * MINUTE);
    const old = await endedSession(w.sandbox, w.store, 'old', 7 * 60 * MINUTE); // before the catch-up's reach (6 h)
    const posted = await endedSession(w.sandbox, w.store, 'posted', 3 * MINUTE);
    await w.store.sessions.claimRecap(posted.session.id, 'earlier', new Date(NOW.getTime() + 1000), NOW);
    await w.store.sessions.recapPosted(posted.session.id, 'earlier', '1', NOW);

    const app = await start(w);
    const recap = await w.sandbox.waitFor(() => recapsIn(w.sandbox, died.channelId)[0], 10_000);
    await sleep(300); // several sweeps
    await app.recapsPosted();
    expect(recapsIn(w.sandbox, died.channelId)).toHaveLength(1);
    expect(await w.store.sessions.get(died.session.id)).toMatchObject({ recapMessageId: recap.id });
    expect(recapsIn(w.sandbox, old.channelId)).toEqual([]);
    expect(recapsIn(w.sandbox, posted.channelId)).toEqual([]);
  });

  it("another process's claim holds until its lease runs out; then this process posts the recap, once", async () => {
    const w = await world();
    const held = await endedSession(w.sandbox, w.store, 'held', MINUTE);
    await w.store.sessions.claimRecap(held.session.id, 'killed-process', new Date(NOW.getTime() + 30_000), NOW);
    const app = await start(w);
    await sleep(300);
    await app.recapsPosted();
    expect(recapsIn(w.sandbox, held.channelId)).toEqual([]);
    await w.time.advanceTo(NOW.getTime() + 30_000, () => app.live.engine.whenIdle());
    await w.sandbox.waitFor(() => recapsIn(w.sandbox, held.channelId)[0], 10_000);
    await sleep(300);
    await app.recapsPosted();
    expect(recapsIn(w.sandbox, held.channelId)).toHaveLength(1);
  });

  it('a post that failed is held, then tried again; a channel that is gone is not tried again', async () => {
    const w = await world();
    const flaky = await endedSession(w.sandbox, w.store, 'flaky', MINUTE);
    const gone = await endedSession(w.sandbox, w.store, 'gone', MINUTE, '1234567890123456789'); // no such channel
    // discord.js retries a 500 three times itself: four make the post fail.
    for (let i = 0; i < 4; i++) w.sandbox.failNext({ method: 'POST', path: new RegExp(`^/channels/${flaky.channelId}/messages$`) }, { status: 500 });
    const posts = (channelId: string) => w.sandbox.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages`);
    const ghostRequests = () => w.sandbox.requests.filter((r) => r.path.startsWith(`/channels/${gone.channelId}`));
    const app = await start(w);
    await w.sandbox.waitFor(() => posts(flaky.channelId).length >= 4 && ghostRequests().length >= 1, 10_000);
    await sleep(300);
    await app.recapsPosted();
    expect(recapsIn(w.sandbox, flaky.channelId)).toEqual([]);
    expect(posts(flaky.channelId)).toHaveLength(4);
    // The start-up backfill looked too; after that, nothing more may go to that channel.
    const ghostSeen = ghostRequests().length;
    expect(ghostRequests().every((r) => r.status === 404)).toBe(true);

    await w.time.advanceTo(NOW.getTime() + RECAP_RETRY_MS, () => app.live.engine.whenIdle());
    await w.sandbox.waitFor(() => recapsIn(w.sandbox, flaky.channelId)[0], 10_000);
    await w.time.advanceTo(NOW.getTime() + 5 * 60 * MINUTE, () => app.live.engine.whenIdle());
    await sleep(300);
    await app.recapsPosted();
    expect(recapsIn(w.sandbox, flaky.channelId)).toHaveLength(1);
    expect(ghostRequests()).toHaveLength(ghostSeen);
  });
});

describe('a recap that reached the channel before its process died', () => {
  it('is found in the channel and recorded, not posted again, though Discord has long forgotten its nonce', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emcee-recap-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const time = new FakeTime(NOW);
    const sandbox = await startSandbox({ clock: time });
    const store = openStore(join(dir, 'emcee.db'), time);
    cleanups.push(() => sandbox.close(), () => store.close());
    const w = { time, sandbox, store };
    const ended = await endedSession(sandbox, store, 'ended', MINUTE);
    const chatter = sandbox.createUser('chatter');

    const first = await start(w);
    const recap = await sandbox.waitFor(() => recapsIn(sandbox, ended.channelId)[0], 10_000);
    await first.recapsPosted();
    await first.stop();
    // As if the process had been killed between the post and its record: the claim is a
    // dead process's, the record is gone. Then the channel moves on, and so does the clock,
    // past the lease and far past Discord's memory of the nonce.
    const raw = new Database(join(dir, 'emcee.db'));
    raw.prepare("UPDATE sessions SET recap_posted_at = NULL, recap_message_id = NULL, recap_claimed_by = 'killed-process', recap_lease_until = ? WHERE id = ?")
      .run(new Date(NOW.getTime() + 30_000).toISOString(), ended.session.id);
    raw.close();
    for (let i = 0; i < 150; i++) sandbox.userSays(ended.channelId, chatter.id, `after the recap ${i}`);
    await time.advanceTo(NOW.getTime() + 20 * MINUTE, async () => {});

    const second = await start(w);
    for (let i = 0; i < 100 && !(await store.sessions.get(ended.session.id))?.recapMessageId; i++) await sleep(100);
    await sleep(300); // several sweeps
    await second.recapsPosted();
    expect(recapsIn(sandbox, ended.channelId).map((m) => m.id)).toEqual([recap.id]);
    expect(sandbox.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${ended.channelId}/messages` && r.status === 200)).toHaveLength(1);
    expect(await store.sessions.get(ended.session.id)).toMatchObject({ recapMessageId: recap.id });
  });
});
