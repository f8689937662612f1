/** The series and the question bank, in PostgreSQL (same behaviour as ../series.ts and ../bank.ts). */
import type { Clock } from '../../domain/clock.ts';
import { toQuestionSet, visibleTo, type NewQuestionSet, type QuestionSet } from '../bank.ts';
import type { BankRepository, SeriesRepository } from '../port.ts';
import { storedSettingsJson, tagKey, toSeries } from '../series.ts';
import type { Db, Run } from './run.ts';

type Row = Record<string, unknown>;
const series = (row: Row | null) => (row ? toSeries(row as never) : null);

export function seriesRepository(run: Run, clock: Clock): SeriesRepository {
  const byChannel = (db: Db, guildId: string, channelId: string) =>
    db.one<Row>('SELECT * FROM series WHERE guild_id = $1 AND channel_id = $2 ORDER BY id LIMIT 1', [guildId, channelId]);
  return {
    getByChannel: (g, c) => run(async (db) => series(await byChannel(db, g, c))),
    saveForChannel: (input) => run(async (db) => {
      const settings = storedSettingsJson(input.settings); // a bad field throws here, before any write
      const values = [input.tag, tagKey(input.tag), input.timezone, input.schedule, settings];
      return db.atomic(async () => {
        const existing = await byChannel(db, input.guildId, input.channelId);
        const row = existing
          ? await db.one<Row>('UPDATE series SET tag = $1, tag_key = $2, timezone = $3, schedule = $4, settings = $5 WHERE id = $6 RETURNING *', [...values, existing.id])
          : await db.one<Row>(
            `INSERT INTO series (tag, tag_key, timezone, schedule, settings, guild_id, channel_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
            [...values, input.guildId, input.channelId, clock.now()],
          );
        return series(row)!;
      });
    }),
    listScheduled: () => run(async (db) => (await db.rows<Row>('SELECT * FROM series WHERE schedule IS NOT NULL AND channel_id IS NOT NULL ORDER BY id')).map((r) => series(r)!)),
    get: (id) => run(async (db) => series(await db.one<Row>('SELECT * FROM series WHERE id = $1', [id]))),
    list: () => run(async (db) => (await db.rows<Row>('SELECT * FROM series ORDER BY id')).map((r) => series(r)!)),
    findOrCreateForArchive: (tag) => run((db) => db.atomic(async () => {
      const found = await db.one<Row>('SELECT * FROM series WHERE guild_id IS NULL AND channel_id IS NULL AND tag_key = $1', [tagKey(tag)]);
      return series(found ?? await db.one<Row>('INSERT INTO series (tag, tag_key, created_at) VALUES ($1, $2, $3) RETURNING *', [tag, tagKey(tag), clock.now()]))!;
    })),
  };
}

export function bankRepository(run: Run, clock: Clock): BankRepository {
  const questionsOf = async (db: Db, id: unknown) =>
    (await db.rows<{ text: string }>('SELECT text FROM questions WHERE set_id = $1 ORDER BY position', [id])).map((q) => q.text);
  const withQuestions = async (db: Db, row: Row | null) => (row ? toQuestionSet(row as never, await questionsOf(db, row.id)) : null);
  const get = (db: Db, id: number) => db.one<Row>('SELECT * FROM question_sets WHERE id = $1', [id]).then((row) => withQuestions(db, row));
  const findBySourceHash = (db: Db, hash: string) => db.one<Row>('SELECT * FROM question_sets WHERE source_hash = $1', [hash]).then((row) => withQuestions(db, row));
  const create = (db: Db, set: NewQuestionSet) => db.atomic(async () => {
    const row = (await db.one<Row>(
      `INSERT INTO question_sets (title, source, source_hash, welcome_text, outro_text, created_at, guild_id, shared)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [set.title, set.source, set.sourceHash ?? null, set.welcomeText ?? null, set.outroText ?? null, clock.now(), set.guildId ?? null, set.shared ?? false],
    ))!;
    await db.run(
      'INSERT INTO questions (set_id, position, text) SELECT $1, q.position, q.text FROM unnest($2::text[]) WITH ORDINALITY AS q (text, position)',
      [row.id, set.questions],
    );
    return toQuestionSet(row as never, [...set.questions]);
  });

  return {
    get: (id, viewer = null) => run(async (db) => {
      const set = await get(db, id);
      return set && visibleTo(set, viewer) ? set : null;
    }),
    findBySourceHash: (hash) => run((db) => findBySourceHash(db, hash)),
    list: (viewer = null) => run(async (db) => {
      const questions = new Map<number, string[]>();
      for (const q of await db.rows<{ set_id: number; text: string }>('SELECT set_id, text FROM questions ORDER BY set_id, position')) {
        questions.set(q.set_id, [...(questions.get(q.set_id) ?? []), q.text]);
      }
      const rows = await db.rows<Row>('SELECT * FROM question_sets ORDER BY id');
      return rows.map((row) => toQuestionSet(row as never, questions.get(row.id as number) ?? [])).filter((set) => visibleTo(set, viewer));
    }),
    setShared: (ids) => run((db) => db.atomic(async () => {
      let changed = 0;
      for (const id of ids) changed += await db.run('UPDATE question_sets SET shared = true WHERE id = $1 AND guild_id IS NULL', [id]);
      return changed;
    })),
    adoptImported: (setId, guildId, justImported) => run((db) => db.atomic(async (): Promise<{ set: QuestionSet; copied: boolean }> => {
      const set = await get(db, setId);
      if (!set) throw new Error(`question set #${setId} does not exist`);
      if (visibleTo(set, { guildId })) return { set, copied: false };
      if (justImported && await db.run('UPDATE question_sets SET guild_id = $1 WHERE id = $2 AND guild_id IS NULL AND shared = false', [guildId, setId]) === 1) {
        return { set: (await get(db, setId))!, copied: false };
      }
      const key = `${set.sourceHash ?? `set-${set.id}`}@${guildId}`;
      const copy = await findBySourceHash(db, key);
      if (copy) return { set: copy, copied: false };
      return {
        set: await create(db, { title: set.title, source: set.source, sourceHash: key, welcomeText: set.welcomeText, outroText: set.outroText, guildId, questions: set.questions }),
        copied: true,
      };
    })),
    create: (set) => run((db) => create(db, set)),
  };
}
