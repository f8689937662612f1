/**
 * `emcee participant forget <id> [--guild ID]` (issue 15, Privacy): the operator's
 * forget-me, the same one /chat forget-me runs (src/live/forget.ts), in every server's
 * sessions or, with --guild, in one server's only. On SQLite the WAL is checkpointed after,
 * so that the old pages with the text leave the WAL file too (best effort: a reader holding
 * a snapshot delays it until the bot's own checkpoints).
 */
import { userInfo } from 'node:os';
import type { Clock } from '../domain/clock.ts';
import { forgetParticipant, forgetSummary } from '../live/forget.ts';
import type { StorePort } from '../store/index.ts';
import { SqliteStore } from '../store/sqlite.ts';
import { CliError, line, type CliIo } from './io.ts';

export const PARTICIPANT_USAGE = 'usage: emcee participant forget <user id> [--guild ID]';
/** A platform user id: a Discord snowflake, or an archive's handle; no spaces. */
const ID = /^[^\s]{1,100}$/;
const SNOWFLAKE = /^\d{17,20}$/;

export async function participantCommand(io: CliIo, store: StorePort, clock: Clock, sub: string | undefined, id: string | undefined, guild: string | undefined): Promise<void> {
  if (sub !== 'forget') throw new CliError(PARTICIPANT_USAGE, 2);
  if (id === undefined || !ID.test(id)) throw new CliError(`participant forget needs the participant's user id: ${PARTICIPANT_USAGE}`, 2);
  if (guild !== undefined && !SNOWFLAKE.test(guild)) throw new CliError(`--guild must be a server id (17 to 20 digits), not "${guild}"`, 2);
  const counts = await forgetParticipant(store, clock, { authorId: id, guildId: guild ?? null, actor: `cli:${userInfo().username}` });
  if (store instanceof SqliteStore) await store.pragma('wal_checkpoint(TRUNCATE)');
  line(io.stdout, `${forgetSummary(counts)}${guild === undefined ? ' (every server)' : ` (server ${guild})`}`);
}
