/**
 * The store's change mark (StorePort.changeMark): what caches of "which series or session
 * owns this channel" are keyed on. It moves when another process commits (the store's own
 * external signal) and when this store writes a series or a session, or marks a prompt
 * posted; countingWrites wraps a store's repositories so that those writes move it.
 */
import type { Repositories } from './port.ts';

type Method = (...args: never[]) => Promise<unknown>;

/** The repositories with their series and session writes followed by bump() once they return. */
export function countingWrites(repos: Repositories, bump: () => void): Repositories {
  const after = <F extends Method>(fn: F): F => (async (...args: Parameters<F>) => {
    try {
      return await fn(...args);
    } finally {
      bump(); // a failed write may have written part of it (a rolled-back transaction moves it too: harmless)
    }
  }) as F;
  const { series, sessions, prompts } = repos;
  return {
    ...repos,
    series: { ...series, saveForChannel: after(series.saveForChannel), findOrCreateForArchive: after(series.findOrCreateForArchive) },
    sessions: { ...sessions, create: after(sessions.create), replan: after(sessions.replan), setState: after(sessions.setState) },
    // A post the attribution applies (the ingest caches each session's posts on the mark).
    prompts: { ...prompts, markPosted: after(prompts.markPosted) },
  };
}
