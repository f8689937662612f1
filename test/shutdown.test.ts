import { describe, expect, it } from 'vitest';
import { ShutdownSteps } from '../src/shutdown.ts';

const never = () => new Promise<void>(() => {});
const later = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('ShutdownSteps', () => {
  it('names the steps still running, read when asked (a step\'s names may change while it runs)', async () => {
    const steps = new ShutdownSteps();
    const posts = ['post in flight: session 3 Q1', 'post in flight: session 4 Q2'];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = steps.run(() => posts, () => gate);
    expect(steps.still()).toEqual(['post in flight: session 3 Q1', 'post in flight: session 4 Q2']);
    posts.shift();
    expect(steps.still()).toEqual(['post in flight: session 4 Q2']);
    release();
    await first;
    expect(steps.still()).toEqual([]);
    void steps.run('gateway', never);
    expect(steps.still()).toEqual(['gateway']);
  });

  it('with limitMs the steps share that time; a step still running then is not waited for, and stays named', async () => {
    const steps = new ShutdownSteps({ limitMs: 150 });
    const started = performance.now();
    await steps.run('post in flight: session 1 Q1', never);
    await steps.run('recaps', () => later(10));
    const ran: string[] = [];
    await steps.run('database', () => ran.push('database'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(ran).toEqual(['database']); // started even after the time was spent
    expect(steps.still()).toEqual(['post in flight: session 1 Q1', 'recaps']);
    await later(30);
    expect(steps.still()).toEqual(['post in flight: session 1 Q1']);
  });

  it('a step that fails is logged by name and the next one runs', async () => {
    const warned: unknown[] = [];
    const steps = new ShutdownSteps({ log: { warn: ((obj: unknown, msg: string) => warned.push([obj, msg])) as never } });
    const boom = new Error('gone');
    await steps.run('gateway', () => Promise.reject(boom));
    let closed = false;
    await steps.run('database', () => {
      closed = true;
    });
    expect(closed).toBe(true);
    expect(warned).toEqual([[{ err: boom, step: 'gateway' }, 'a shutdown step failed; going on with the next']]);
    expect(steps.still()).toEqual([]);
  });
});
