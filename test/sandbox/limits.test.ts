import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';

const sandboxes: Sandbox[] = [];
afterEach(async () => {
  while (sandboxes.length) await sandboxes.pop()!.close();
});

async function sandbox(options: Parameters<typeof startSandbox>[0] = {}) {
  const s = await startSandbox(options);
  sandboxes.push(s);
  return s;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function api(s: Sandbox, method: string, path: string, body?: unknown | FormData) {
  const headers: Record<string, string> = { authorization: `Bot ${s.token}` };
  if (body !== undefined && !(body instanceof FormData)) headers['content-type'] = 'application/json';
  const res = await fetch(`${s.apiBase}/v10${path}`, { method, headers, body: body instanceof FormData ? body : body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as { code?: number; message?: string }) : null };
}

describe('sandbox: Discord limits (issue 10, items 8 and 10)', () => {
  it('refuses an initial interaction response after the deadline with 404 Unknown interaction (10062), and callback() rejects', async () => {
    const s = await sandbox({ interactionDeadlines: { callbackMs: 100 } });
    const channel = s.createChannel('general');
    const i = s.interact({ userId: s.owner.id, channelId: channel.id, name: 'ping' });
    const waiting = i.callback();
    const seen = expect(waiting).rejects.toThrow(/not answered within 100 ms|answered \d+ ms after/);
    await pause(200);
    const late = await api(s, 'POST', `/interactions/${i.id}/${i.token}/callback`, { type: 4, data: { content: 'pong' } });
    expect(late).toEqual({ status: 404, body: { message: 'Unknown interaction', code: 10062 } });
    await seen;
    expect(s.messages(channel.id)).toEqual([]);
  });

  it('accepts a response in time; follow-ups and edits after the token lifetime get 401 Invalid Webhook Token (50027)', async () => {
    const s = await sandbox({ interactionDeadlines: { tokenMs: 1_500 } });
    const channel = s.createChannel('general');
    const i = s.interact({ userId: s.owner.id, channelId: channel.id, name: 'ping' });
    expect((await api(s, 'POST', `/interactions/${i.id}/${i.token}/callback`, { type: 5 })).status).toBe(204);
    expect(await i.callback()).toEqual({ type: 5 });
    expect((await api(s, 'PATCH', `/webhooks/${s.applicationId}/${i.token}/messages/@original`, { content: 'done' })).status).toBe(200);
    await pause(1_600);
    expect(await api(s, 'PATCH', `/webhooks/${s.applicationId}/${i.token}/messages/@original`, { content: 'too late' }))
      .toEqual({ status: 401, body: { message: 'Invalid Webhook Token', code: 50027 } });
    expect((await api(s, 'POST', `/webhooks/${s.applicationId}/${i.token}`, { content: 'too late' })).status).toBe(401);
    expect(i.original()?.content).toBe('done');
  });

  it('delay() holds matching requests until its time is up or it is stopped; others pass', async () => {
    const s = await sandbox();
    const channel = s.createChannel('general');
    const slow = s.delay({ method: 'POST', path: /^\/channels\/\d+\/messages$/ }, 60_000);
    const posting = api(s, 'POST', `/channels/${channel.id}/messages`, { content: 'slow' });
    expect((await api(s, 'GET', `/channels/${channel.id}`)).status).toBe(200);
    await pause(100);
    expect(s.messages(channel.id)).toEqual([]);
    slow.stop();
    expect((await posting).status).toBe(200);
    expect(s.messages(channel.id).map((m) => m.content)).toEqual(['slow']);
  });

  it('refuses files over the upload limit with 413 Request entity too large (40005)', async () => {
    const s = await sandbox({ maxUploadBytes: 1000 });
    const channel = s.createChannel('general');
    const form = (sizes: number[]) => {
      const f = new FormData();
      f.set('payload_json', JSON.stringify({ content: 'files', attachments: sizes.map((_, id) => ({ id: String(id), filename: `f${id}.txt` })) }));
      sizes.forEach((size, id) => f.set(`files[${id}]`, new Blob([Buffer.alloc(size, 120)]), `f${id}.txt`));
      return f;
    };
    expect(await api(s, 'POST', `/channels/${channel.id}/messages`, form([600, 600]))).toEqual({ status: 413, body: { message: 'Request entity too large', code: 40005 } });
    expect(s.messages(channel.id)).toEqual([]);
    expect((await api(s, 'POST', `/channels/${channel.id}/messages`, form([500, 500]))).status).toBe(200);
    expect(s.messages(channel.id)[0]!.attachments.map((a) => a.size)).toEqual([500, 500]);
  });
});
