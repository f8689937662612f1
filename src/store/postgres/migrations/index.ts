import type { Clock } from '../../../domain/clock.ts';
import { StoreError } from '../../errors.ts';
import { migrations, type Migration } from '../../migrations/index.ts';
import type { Driver } from '../driver.ts';
import * as initial from './001_initial.ts';
import * as live from './002_live_sessions.ts';
import * as channelIndex from './003_channel_index.ts';
import * as setOwner from './004_question_set_owner.ts';
import * as promptSession from './005_prompt_session_index.ts';
import * as claims from './006_claims_and_guilds.ts';
import * as openPrompts from './007_open_prompts_index.ts';
import * as seriesChannel from './008_series_channel_index.ts';
import * as answerVia from './009_answer_via_interactions.ts';
import * as sessionEvents from './010_session_events.ts';
import * as corrections from './011_corrections_and_reactions.ts';
import * as multiAnswers from './012_multi_answers.ts';

/** Each migration's SQL in PostgreSQL's dialect, in SQLite's order. */
const POSTGRES_UP = [initial.up, live.up, channelIndex.up, setOwner.up, promptSession.up, claims.up, openPrompts.up, seriesChannel.up, answerVia.up, sessionEvents.up, corrections.up, multiAnswers.up];
if (POSTGRES_UP.length !== migrations.length) {
  throw new Error(`PostgreSQL has ${POSTGRES_UP.length} migrations and SQLite ${migrations.length}: write the missing one in both dialects`);
}

/** SQLite's list (src/store/migrations) with this dialect's SQL: version N is the same schema on both stores. */
export const postgresMigrations: readonly Migration[] = migrations.map((m, i) => ({ ...m, up: POSTGRES_UP[i]! }));

/**
 * Applies the pending migrations in one transaction, under a transaction-scoped advisory
 * lock keyed by the schema: processes opening the same database at once queue on the lock,
 * and each one after the first reads the version (after the first has committed) and finds
 * nothing to do. A failing migration rolls back whole: the database stays as it was.
 * Applied versions are rows of emcee_migrations. Returns the version now in place.
 */
export async function migrate(driver: Driver, clock: Clock, schema: string | null, migrations: readonly Migration[] = postgresMigrations): Promise<number> {
  const latest = migrations.at(-1)?.version ?? 0;
  const c = await driver.connect();
  let broken = false;
  try {
    await c.query('BEGIN');
    try {
      await c.query("SELECT pg_advisory_xact_lock(hashtext('emcee:migrate:' || coalesce($1::text, current_schema(), '')))", [schema]);
      if (schema !== null) await c.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await c.exec('CREATE TABLE IF NOT EXISTS emcee_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)');
      const { rows } = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM emcee_migrations');
      const current = rows[0]?.v ?? 0;
      if (current > latest) {
        throw new StoreError(`the database schema (version ${current}) is newer than this Emcee (version ${latest}): upgrade Emcee`);
      }
      for (const m of migrations.filter((m) => m.version > current)) {
        await c.exec(m.up);
        await c.query('INSERT INTO emcee_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, clock.now()]);
      }
      await c.query('COMMIT');
      return latest;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    }
  } finally {
    c.release(broken);
  }
}
