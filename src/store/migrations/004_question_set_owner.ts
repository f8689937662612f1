/**
 * Question sets belong to a server (issue 10, item 6).
 *
 *   guild_id  the server that made the set (/bank add, /bank import); NULL: the operator's
 *             (imported with the `emcee import` CLI).
 *   shared    1: an operator's set every server may use (`emcee import --shared`).
 *
 * A server sees its own sets and the shared ones; nothing else, not even by id.
 *
 * Existing sets, made before sets had an owner: a set that the live series of exactly one
 * server used (a session ran it, or the series' settings name it) becomes that server's.
 * Every other existing set (used by no server, or by several) becomes shared: before this
 * migration every server could use every set, and no server may lose a set its chat runs
 * on. The operator sees all of them, with their owner, in `emcee bank list`.
 */
export const up = /* sql */ `
ALTER TABLE question_sets ADD COLUMN guild_id TEXT;
ALTER TABLE question_sets ADD COLUMN shared INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1));

WITH uses (set_id, guild_id) AS (
  SELECT s.question_set_id, se.guild_id
    FROM sessions s JOIN series se ON se.id = s.series_id
   WHERE s.question_set_id IS NOT NULL AND se.guild_id IS NOT NULL
  UNION
  SELECT json_extract(se.settings, '$.questionSetId'), se.guild_id
    FROM series se
   WHERE se.guild_id IS NOT NULL AND json_valid(se.settings) AND json_extract(se.settings, '$.questionSetId') IS NOT NULL
),
owners AS (
  SELECT set_id, min(guild_id) AS guild_id FROM uses GROUP BY set_id HAVING count(DISTINCT guild_id) = 1
)
UPDATE question_sets SET guild_id = (SELECT guild_id FROM owners WHERE owners.set_id = question_sets.id);

UPDATE question_sets SET shared = 1 WHERE guild_id IS NULL;

CREATE INDEX question_sets_guild ON question_sets (guild_id);
`;
