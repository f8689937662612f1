import type { Logger } from '../logger.ts';
import type { ChannelUnavailableError, ChatPlatform } from '../platform/types.ts';
import type { StorePort } from '../store/port.ts';
import type { Session } from '../store/sessions.ts';
import type { PromptKind } from '../domain/timetable.ts';
import type { TelemetryDeps } from './telemetry.ts';

/** Who the control log names for what the engine does by itself. */
export const ENGINE_ACTOR = 'emcee';

/**
 * The session's channel is gone or out of reach (src/live/engine.ts): the session stops
 * now — every prompt left failed with the reason, the session cancelled, the control log
 * told — and it is said once: an error line, and a notice in the series' recap channel
 * when one is set and is another channel.
 */
export async function stopForLostChannel(
  { store, log, platform, telemetry }: { store: StorePort; log: Logger; platform: ChatPlatform } & TelemetryDeps,
  session: Session, err: ChannelUnavailableError, now: Date,
): Promise<void> {
  const why = `channel ${err.channelId} is gone or out of reach (${err.detail})`;
  const series = await store.series.get(session.seriesId);
  const failed: PromptKind[] = [];
  await store.transaction(async (tx) => {
    failed.length = 0; // a transaction retried starts again
    for (const p of await tx.prompts.listBySession(session.id)) {
      if (p.state === 'planned' || p.state === 'posting') {
        await tx.prompts.markFailed(p.id, `not posted: ${why}`);
        failed.push(p.kind);
      }
    }
    await tx.sessions.setState(session.id, 'cancelled', { endedAt: now });
    await tx.controls.record(session.id, 'cancel', ENGINE_ACTOR, now, { reason: why, channelId: err.channelId, code: err.reason });
  });
  for (const kind of failed) telemetry?.promptFailed(kind, session.guildId);
  let noticeTo: string | null = null;
  try {
    noticeTo = series ? series.settings.recapChannelId : null;
  } catch {
    noticeTo = null; // bad settings: the log line below is the notice
  }
  if (noticeTo === err.channelId) noticeTo = null;
  log.error(
    { sessionId: session.id, channelId: err.channelId, reason: err.reason, detail: err.detail, noticeTo },
    `session #${session.id} stopped: ${why}; nothing more will be posted for it`,
  );
  if (noticeTo === null) return;
  try {
    await platform.notice(noticeTo, `${series?.tag ?? 'A'} session #${session.id} stopped: ${why}. Nothing more will be posted for it; set the chat up in a channel the bot can see and post in.`);
  } catch (noticeErr) {
    log.warn({ err: noticeErr, sessionId: session.id, channelId: noticeTo }, 'could not post the stopped-session notice');
  }
}
