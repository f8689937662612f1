import { describe, expect, it } from 'vitest';
import { at, liveSession, type ContractContext } from './support.ts';

/** store.controls: the control log of a session. */
export function controlLogContract({ open }: ContractContext): void {
  describe('control log', () => {
    it('records who did what, with details, and lists a session\'s controls in order', async () => {
      const store = await open();
      const s = await liveSession(store);
      const later = await store.controls.record(s.id, 'resume', 'mod#2', at(5));
      const first = await store.controls.record(s.id, 'pause', 'mod#1', at(1), { reason: 'fire drill' });
      expect(first).toMatchObject({ sessionId: s.id, action: 'pause', actor: 'mod#1', at: at(1), details: { reason: 'fire drill' } });
      expect(later.details).toEqual({});
      expect(await store.controls.list(s.id)).toEqual([first, later]);
      expect(await store.controls.list(999)).toEqual([]);
    });
  });
}
