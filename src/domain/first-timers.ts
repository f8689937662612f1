/**
 * Who is a first-timer (issue 15): one definition for the live status, the recaps, the
 * series report and the site, so that a session's figures agree wherever they are shown.
 *
 * A first-timer of a session wrote in it, is not one of its moderators (a moderator is
 * someone who posted a moderator's message in it: hosts are not welcomed), and wrote
 * nothing in any earlier session of the series (as a moderator or not). The session's
 * other participants, moderators included, are returning. People are told apart by the
 * name they wrote under, as the archives (which have names only) require.
 */
export function isFirstTimer(person: { wroteBefore: boolean; moderator: boolean }): boolean {
  return !person.wroteBefore && !person.moderator;
}

/** The rule for one of a session's counted authors, given who wrote in the series before it. */
export function isFirstTimerAuthor(author: { name: string; moderatorMessages: number }, wroteBefore: ReadonlySet<string>): boolean {
  return isFirstTimer({ wroteBefore: wroteBefore.has(author.name), moderator: author.moderatorMessages > 0 });
}
