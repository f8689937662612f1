/** Forget-me in PostgreSQL: the same behaviour as ../privacy.ts (read it first). */
import { FORGOTTEN_NAME, FRESH, countFresh, type ForgetCounts, type PrivacyRepository } from '../privacy.ts';
import type { Run } from './run.ts';

export function privacyRepositories(run: Run): { privacy: PrivacyRepository } {
  return {
    privacy: {
      forgetAuthor: (authorId, guildId, at) => run((db) => db.atomic(async () => {
        const scope = guildId === null ? '' : ' AND session_id IN (SELECT id FROM sessions WHERE guild_id = $2)';
        const params = guildId === null ? [authorId] : [authorId, guildId];
        const rows = await db.rows<{ id: string | number; session_id: string | number; fresh: boolean }>(
          `SELECT id, session_id, ${FRESH.replace('$name', `'${FORGOTTEN_NAME}'`)} AS fresh FROM messages WHERE author_id = $1${scope} ORDER BY id`, params,
        );
        const ids = rows.map((r) => String(r.id));
        const IDS = 'message_id = ANY($1::bigint[])';
        const edits = await db.run(`DELETE FROM message_edits WHERE ${IDS}`, [ids]);
        const answers = await db.run(`DELETE FROM answers WHERE ${IDS}`, [ids]);
        const corrections = await db.run(`DELETE FROM corrections WHERE ${IDS}`, [ids]);
        let reactions = await db.run(`DELETE FROM reactions WHERE ${IDS}`, [ids]);
        reactions += await db.run(
          `DELETE FROM reactions WHERE user_id = $1${guildId === null ? '' : ' AND message_id IN (SELECT id FROM messages WHERE session_id IN (SELECT id FROM sessions WHERE guild_id = $2))'}`,
          params,
        );
        await db.run(
          `UPDATE messages SET text = '', author_name = $2, quote_author = NULL, quote_text = NULL, in_reply_to = '[]',
             deleted_at = coalesce(deleted_at, $3) WHERE id = ANY($1::bigint[])`,
          [ids, FORGOTTEN_NAME, at],
        );
        return { ...countFresh(rows), edits, answers, reactions, corrections } satisfies ForgetCounts;
      })),
    },
  };
}
