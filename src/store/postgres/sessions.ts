/** Sessions, their prompts and their control log, in PostgreSQL (same behaviour as ../sessions.ts, ../prompts.ts, ../control-log.ts). */
import type { Clock } from '../../domain/clock.ts';
import type { ShardSet } from '../../domain/shard.ts';
import { toControlEntry } from '../control-log.ts';
import type { ControlLogRepository, PromptRepository, PromptState, SessionRepository } from '../port.ts';
import { toPrompt } from '../prompts.ts';
import { toSession } from '../sessions.ts';
import type { Run } from './run.ts';

type Row = Record<string, unknown>;
const session = (row: Row | null) => (row ? toSession(row as never) : null);
const prompt = (row: Row | null) => (row ? toPrompt(row as never) : null);

/** Live sessions that collect messages: running, paused, or ended since $n. */
const COLLECTING = (n: number) => `source = 'live' AND (state IN ('running', 'paused') OR (state = 'ended' AND ended_at >= $${n}))`;

/**
 * The sessions of some shards' guilds: `(guild_id >> 22) % count` in the shard ids, as
 * src/domain/shard.ts (no guild, or one not a number: shard 0); params [count, ids].
 */
const SHARDS = (n: number) => `($${n}::int IS NULL OR (CASE WHEN guild_id ~ '^[0-9]+$' THEN ((guild_id::bigint >> 22) % $${n}) ELSE 0 END) = ANY($${n + 1}::int[]))`;
const shardParams = (shards?: ShardSet | null) => [shards?.count ?? null, [...(shards?.ids ?? [])]];

export function sessionRepository(run: Run, clock: Clock): SessionRepository {
  const one = (sql: string, params: unknown[] = []) => run(async (db) => session(await db.one<Row>(sql, params)));
  const all = (sql: string, params: unknown[] = []) => run(async (db) => (await db.rows<Row>(sql, params)).map((r) => session(r)!));
  return {
    get: (id) => one('SELECT * FROM sessions WHERE id = $1', [id]),
    findBySourceHash: (hash) => one('SELECT * FROM sessions WHERE source_hash = $1', [hash]),
    listBySeries: (seriesId) => all('SELECT * FROM sessions WHERE series_id = $1 ORDER BY starts_at, id', [seriesId]),
    create: async (s) => (await one(
      `INSERT INTO sessions (series_id, question_set_id, state, starts_at, ended_at, source, source_hash, source_name, format, created_at, channel_id, guild_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, (SELECT guild_id FROM series WHERE id = $1)) RETURNING *`,
      [s.seriesId, s.questionSetId, s.state, s.startsAt, s.endedAt ?? null, s.source, s.sourceHash ?? null, s.sourceName ?? null, s.format ?? null, clock.now(), s.channelId ?? null],
    ))!,
    listActive: (shards) => all(`SELECT * FROM sessions WHERE state IN ('planned', 'running', 'paused') AND ${SHARDS(1)} ORDER BY starts_at, id`, shardParams(shards)),
    latestFinished: () => one("SELECT * FROM sessions WHERE state IN ('ended', 'archived') ORDER BY starts_at DESC, id DESC LIMIT 1"),
    collectingIn: (channelId, endedSince) => one(
      `SELECT * FROM sessions WHERE channel_id = $1 AND ${COLLECTING(2)} ORDER BY state = 'ended', starts_at DESC, id DESC LIMIT 1`,
      [channelId, endedSince],
    ),
    listCollecting: (endedSince, shards) => all(`SELECT * FROM sessions WHERE ${COLLECTING(1)} AND ${SHARDS(2)} ORDER BY starts_at, id`, [endedSince, ...shardParams(shards)]),
    findOccurrence: (seriesId, startsAt) => one("SELECT * FROM sessions WHERE series_id = $1 AND starts_at = $2 AND source = 'live'", [seriesId, startsAt]),
    listInChannel: (channelId) => all("SELECT * FROM sessions WHERE channel_id = $1 AND source = 'live' ORDER BY starts_at DESC, id DESC", [channelId]),
    replan: async (id, startsAt, questionSetId) =>
      (await one('UPDATE sessions SET starts_at = $1, question_set_id = $2 WHERE id = $3 RETURNING *', [startsAt, questionSetId, id]))!,
    setState: async (id, state, { endedAt = null, pausedAt = null } = {}) =>
      (await one('UPDATE sessions SET state = $1, ended_at = $2, paused_at = $3 WHERE id = $4 RETURNING *', [state, endedAt, pausedAt, id]))!,
    claimRecap: (id, owner, leaseUntil, now) => one(
      `UPDATE sessions SET recap_claimed_by = $2, recap_lease_until = $3
       WHERE id = $1 AND recap_posted_at IS NULL
         AND (recap_claimed_by IS NULL OR recap_claimed_by = $2 OR recap_lease_until IS NULL OR recap_lease_until <= $4)
       RETURNING *`,
      [id, owner, leaseUntil, now],
    ),
    recapsDue: (endedSince, now, shards) => all(
      `SELECT * FROM sessions WHERE source = 'live' AND state = 'ended' AND ended_at >= $1 AND recap_posted_at IS NULL
         AND (recap_claimed_by IS NULL OR recap_lease_until IS NULL OR recap_lease_until <= $2) AND ${SHARDS(3)}
       ORDER BY ended_at, id`,
      [endedSince, now, ...shardParams(shards)],
    ),
    recapPosted: (id, owner, messageId, at) => run(async (db) => (await db.run(
      'UPDATE sessions SET recap_posted_at = $4, recap_message_id = $3 WHERE id = $1 AND recap_claimed_by = $2 AND recap_posted_at IS NULL',
      [id, owner, messageId, at],
    )) > 0),
  };
}

/** The fence of a write by a claimant (owner, the last parameter, given): only while it holds the claim. */
const FENCE = (n: number) => `($${n}::text IS NULL OR claimed_by = $${n})`;

/**
 * Open prompts of sessions the engine runs (planned or running), of some shards' guilds
 * (params from $n: count, ids), through the partial index prompts_open (migration 007).
 */
const RUNNABLE = (n: number) => `FROM prompts p JOIN sessions s ON s.id = p.session_id
  WHERE p.state IN ('planned', 'posting') AND s.state IN ('planned', 'running') AND ${SHARDS(n)}`;

export function promptRepository(run: Run): PromptRepository {
  const update = (sql: string, params: unknown[]) => run(async (db) => (await db.run(sql, params)) > 0);
  const settle = (id: number, state: PromptState, reason: string, owner?: string) =>
    update(`UPDATE prompts SET state = $1, skip_reason = $2, next_attempt_at = NULL WHERE id = $3 AND ${FENCE(4)}`, [state, reason, id, owner ?? null]);
  return {
    listBySession: (sessionId) => run(async (db) => (await db.rows<Row>('SELECT * FROM prompts WHERE session_id = $1 ORDER BY planned_at, id', [sessionId])).map((r) => prompt(r)!)),
    get: (id) => run(async (db) => prompt(await db.one<Row>('SELECT * FROM prompts WHERE id = $1', [id]))),
    listDue: (now, shards) => run(async (db) => (await db.rows<Row>(
      `SELECT p.*, s.guild_id ${RUNNABLE(2)} AND p.planned_at <= $1 ORDER BY p.planned_at, p.id`, [now, ...shardParams(shards)],
    )).map((r) => prompt(r)!)),
    nextDueAfter: (after, shards) => run(async (db) => {
      const row = await db.one<{ planned_at: Date }>(`SELECT p.planned_at ${RUNNABLE(2)} AND p.planned_at > $1 ORDER BY p.planned_at LIMIT 1`, [after, ...shardParams(shards)]);
      return row ? new Date(row.planned_at) : null;
    }),
    claim: (id, owner, leaseUntil, now) => run(async (db) => prompt(await db.one<Row>(
      `UPDATE prompts SET claimed_by = $2, lease_until = $3
       WHERE id = $1 AND state IN ('planned', 'posting') AND (claimed_by IS NULL OR claimed_by = $2 OR lease_until IS NULL OR lease_until <= $4)
       RETURNING *`,
      [id, owner, leaseUntil, now],
    ))),
    markPosting: (id, nonce, owner) => update(
      `UPDATE prompts SET state = 'posting', nonce = $1, attempts = attempts + 1, next_attempt_at = NULL WHERE id = $2 AND state IN ('planned', 'posting') AND ${FENCE(3)}`,
      [nonce, id, owner ?? null],
    ),
    markPosted: (id, messageId, postedAt, late, owner) => update(
      `UPDATE prompts SET state = 'posted', message_id = $1, posted_at = $2, late = $3, next_attempt_at = NULL WHERE id = $4 AND ${FENCE(5)}`,
      [messageId, postedAt, late, id, owner ?? null],
    ),
    markSkipped: (id, reason, owner) => settle(id, 'skipped', reason, owner),
    markFailed: (id, reason, owner) => settle(id, 'failed', reason, owner),
    retryLater: (id, at, owner) => update(`UPDATE prompts SET next_attempt_at = $1 WHERE id = $2 AND ${FENCE(3)}`, [at, id, owner ?? null]),
    attemptFailed: (id, at, owner) => update(`UPDATE prompts SET attempts = attempts + 1, next_attempt_at = $1 WHERE id = $2 AND ${FENCE(3)}`, [at, id, owner ?? null]),
    reschedule: async (id, plannedAt) => void (await update('UPDATE prompts SET planned_at = $1 WHERE id = $2', [plannedAt, id])),
    setText: async (id, text) => void (await update('UPDATE prompts SET text = $1 WHERE id = $2', [text, id])),
    create: (p) => run(async (db) => prompt(await db.one<Row>(
      `INSERT INTO prompts (session_id, kind, question_number, planned_at, state, posted_at, late, message_id, nonce, text)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
      [p.sessionId, p.kind, p.questionNumber, p.plannedAt, p.state, p.postedAt, p.late ?? false, p.messageId, p.nonce ?? null, p.text],
    ))!),
  };
}

export function controlLogRepository(run: Run): ControlLogRepository {
  return {
    record: (sessionId, action, actor, at, details = {}) => run(async (db) => toControlEntry((await db.one<Row>(
      'INSERT INTO control_log (session_id, action, actor, at, details) VALUES ($1, $2, $3, $4, $5) RETURNING *',
      [sessionId, action, actor, at, JSON.stringify(details)],
    )) as never)),
    list: (sessionId) => run(async (db) => (await db.rows<Row>('SELECT * FROM control_log WHERE session_id = $1 ORDER BY at, id', [sessionId])).map((r) => toControlEntry(r as never))),
  };
}
