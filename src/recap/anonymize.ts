import type { Repositories } from '../store/port.ts';
import type { StoredAnswer, StoredMessage } from '../store/messages.ts';

/**
 * `--anonymize` (issue 15, Privacy): every export and the site can show participants as
 * stable pseudonyms ("Participant 7") and moderators by name.
 *
 * The pseudonyms are a series' own: its participants numbered in the order they first wrote
 * in it (sessions oldest first), so the same person is the same "Participant N" in every
 * session's recap, the series report and the site, and a later session never renumbers
 * anyone. Anyone who moderated a session of the series keeps their name everywhere.
 *
 * It works on what the recaps read, not on each format: anonymizingStore wraps the store's
 * reads that carry people (authors, reply targets, quoted authors, and mentions inside the
 * texts: `<@id>` and `@name` of the series' people; an unknown `<@id>` becomes "@someone"),
 * so every format, present and future, that reads through it is anonymized alike.
 * test/recap/anonymize.test.ts checks every format's bytes for the real names.
 * Not caught: a participant's name written out in someone's text without an @.
 */
export class Pseudonyms {
  private readonly byName = new Map<string, string>();
  private readonly byId = new Map<string, string>();
  private readonly moderators = new Set<string>();
  private mentions: RegExp | null = null;

  /** Reads the series' messages (oldest session first) to number its participants. */
  static async of(store: Repositories, seriesId: number): Promise<Pseudonyms> {
    const names: { name: string | null; id: string | null; moderator: boolean }[] = [];
    const sessions = [...await store.sessions.listBySeries(seriesId)].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.id - b.id);
    for (const s of sessions) {
      for await (const m of store.messages.iterate(s.id)) {
        if (!m.fromSelf) names.push({ name: m.authorName, id: m.authorId, moderator: m.isModerator });
      }
    }
    return new Pseudonyms(names);
  }

  constructor(people: Iterable<{ name: string | null; id: string | null; moderator: boolean }>) {
    const list = [...people];
    for (const p of list) if (p.moderator && p.name !== null) this.moderators.add(p.name);
    let n = 0;
    for (const p of list) {
      if (p.name === null) continue;
      if (!this.byName.has(p.name)) this.byName.set(p.name, this.moderators.has(p.name) ? p.name : `Participant ${++n}`);
      if (p.id !== null && !this.byId.has(p.id)) this.byId.set(p.id, this.byName.get(p.name)!);
    }
  }

  /** The name to show for an author (a name not of the series: "someone"). */
  name(real: string): string {
    return this.byName.get(real) ?? this.byName.get(this.folded(real) ?? '') ?? 'someone';
  }

  nameOrNull(real: string | null): string | null {
    return real === null ? null : this.name(real);
  }

  /** A text with the mentions of people replaced: `<@id>`/`<@!id>` and `@name` of the series' people. */
  text(text: string): string {
    const withIds = text.replace(/<@!?(\d{1,20})>/g, (_, id: string) => `@${this.byId.get(id) ?? 'someone'}`);
    const names = this.mentionPattern();
    return names === null ? withIds : withIds.replace(names, (_, name: string) => `@${this.name(name)}`);
  }

  private folded(name: string): string | undefined {
    const lower = name.toLowerCase();
    return [...this.byName.keys()].find((k) => k.toLowerCase() === lower);
  }

  /** `@name` for every participant whose name is not shown as it is, longest names first, not inside a longer word. */
  private mentionPattern(): RegExp | null {
    if (this.mentions) return this.mentions;
    const names = [...this.byName].filter(([real, shown]) => real !== shown && real.length > 0).map(([real]) => real)
      .sort((a, b) => b.length - a.length)
      .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    if (names.length === 0) return null;
    this.mentions = new RegExp(`@(${names.join('|')})(?![\\p{L}\\p{N}_])`, 'giu');
    return this.mentions;
  }

  message(m: StoredMessage): StoredMessage {
    return {
      ...m,
      authorId: null,
      authorName: this.nameOrNull(m.authorName),
      text: this.text(m.text),
      inReplyTo: m.inReplyTo.map((h) => this.name(h)),
      quote: m.quote === null ? null : { author: this.nameOrNull(m.quote.author), text: this.text(m.quote.text) },
    };
  }

  answer(a: StoredAnswer): StoredAnswer {
    return { ...a, authorName: this.nameOrNull(a.authorName), text: this.text(a.text) };
  }
}

async function* mapped<T>(items: AsyncIterable<T>, fn: (item: T) => T): AsyncIterable<T> {
  for await (const item of items) yield fn(item);
}

/** `target` with some of its methods replaced; the others called on target itself. */
function overriding<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(t, key, receiver) {
      if (Object.hasOwn(overrides, key)) return overrides[key as keyof T];
      const value = Reflect.get(t, key, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(t) : value;
    },
  });
}

/** The store as the recaps read it, with people shown as `names` shows them (see Pseudonyms). */
export function anonymizingStore<S extends Repositories>(store: S, names: Pseudonyms): S {
  const { messages, recap, reactions } = store;
  return overriding(store as Repositories, {
    messages: overriding(messages, {
      iterate: (sessionId) => mapped(messages.iterate(sessionId), (m) => names.message(m)),
      iterateAnswers: (sessionId, options) => mapped(messages.iterateAnswers(sessionId, options), (a) => names.answer(a)),
      listBySession: async (sessionId) => (await messages.listBySession(sessionId)).map((m) => names.message(m)),
      answers: async (sessionId, options) => (await messages.answers(sessionId, options)).map((a) => names.answer(a)),
      authorsBefore: async (seriesId, before) => new Set([...await messages.authorsBefore(seriesId, before)].map((n) => names.name(n))),
    }),
    recap: overriding(recap, {
      messageCounts: async (sessionId, from) => {
        const counts = await recap.messageCounts(sessionId, from);
        return { ...counts, authors: counts.authors.map((a) => ({ ...a, name: names.name(a.name) })) };
      },
      answerCounts: async (sessionId) => {
        const counts = await recap.answerCounts(sessionId);
        return { ...counts, authors: counts.authors.map((a) => ({ ...a, name: names.name(a.name) })) };
      },
      answersTo: (sessionId, question) => mapped(recap.answersTo(sessionId, question), (a) => names.answer(a)),
      replyGroups: async (sessionId) => (await recap.replyGroups(sessionId)).map((g) => ({ ...g, to: names.name(g.to), from: names.name(g.from) })),
      linkMessages: async (sessionId) => (await recap.linkMessages(sessionId)).map((l) => ({ ...l, author: names.name(l.author), text: names.text(l.text) })),
    }),
    reactions: overriding(reactions, {
      reactedAnswers: async (...args: Parameters<typeof reactions.reactedAnswers>) =>
        (await reactions.reactedAnswers(...args)).map((r) => ({ ...r, answer: names.answer(r.answer) })),
    }),
  }) as S;
}

/** The store a series' exports read: anonymizing when asked (`--anonymize`), else the store itself. */
export async function exportView<S extends Repositories>(store: S, seriesId: number, anonymize: boolean | undefined): Promise<S> {
  return anonymize ? anonymizingStore(store, await Pseudonyms.of(store, seriesId)) : store;
}
