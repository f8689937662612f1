/**
 * Question sets belong to a server (as SQLite's 004, which explains the rules): a set that
 * the live series of exactly one server used becomes that server's; every other existing
 * set becomes shared.
 */
export const up = /* sql */ `
ALTER TABLE question_sets ADD COLUMN guild_id text;
ALTER TABLE question_sets ADD COLUMN shared boolean NOT NULL DEFAULT false;

WITH uses (set_id, guild_id) AS (
  SELECT s.question_set_id, se.guild_id
    FROM sessions s JOIN series se ON se.id = s.series_id
   WHERE s.question_set_id IS NOT NULL AND se.guild_id IS NOT NULL
  UNION
  SELECT (se.settings ->> 'questionSetId')::numeric::bigint, se.guild_id
    FROM series se
   WHERE se.guild_id IS NOT NULL AND jsonb_typeof(se.settings -> 'questionSetId') = 'number'
),
owners AS (
  SELECT set_id, min(guild_id) AS guild_id FROM uses GROUP BY set_id HAVING count(DISTINCT guild_id) = 1
)
UPDATE question_sets q SET guild_id = owners.guild_id FROM owners WHERE owners.set_id = q.id;

UPDATE question_sets SET shared = true WHERE guild_id IS NULL;

CREATE INDEX question_sets_guild ON question_sets (guild_id);
`;
