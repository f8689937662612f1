import type { IncomingMessage } from '../../src/live/ingest.ts';
import { MINUTE } from '../helpers/live.ts';

/** What the ingest tests share: the session's start, minutes after it, and messages in channel "chat". */
export const START = new Date('2026-11-23T23:30:00Z');
export const at = (minutes: number) => new Date(START.getTime() + minutes * MINUTE);

/** A maker of messages by kyle in "chat" at a minute after START, with ids `${prefix}1`, `${prefix}2`, … */
export function messages(prefix: string): (minute: number, text: string, extra?: Partial<IncomingMessage>) => IncomingMessage {
  let seq = 0;
  return (minute, text, extra = {}) => ({
    id: `${prefix}${++seq}`, channelId: 'chat', threadId: null, authorId: 'u1', authorName: 'kyle', moderator: false,
    fromSelf: false, at: at(minute), text, replyToId: null, ...extra,
  });
}
