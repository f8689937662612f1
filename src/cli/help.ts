/**
 * The CLI's words: the global usage, each command's own --help, and "did you mean" for a
 * mistyped command or option.
 */

export const USAGE = `Usage: emcee <command> [options]

Commands:
  replay <file> [--json]   Run a chat archive through the answer attribution and print
                           each question with its answers (--json: one JSON object on stdout)
  import <files…> [--shared]
                           Store archives as past sessions and their questions in the bank
                           (importing the same file again changes nothing; --shared: the
                           question sets are shown in every server)
  bank list                Every question set in the bank, with its questions
  bank show <id>           One question set in full
  recap <id|latest> [--format md|html|csv|json|archive] [--out FILE] [--anonymize]
                           A session's recap (default md, to stdout)
  site --out DIR [--force] The static archive site: every series and session, from file://
  invite-url [app id]      The URL that adds the bot to a server with the permissions it needs
  series setup|list|report Set up a channel's recurring chat (--guild --channel --tag --weekday
                           --time --timezone --questions --threads --moderator-role
                           --preview-minutes), list the chats, or report on one across its
                           sessions (report <tag|id> --format md|html|json --out FILE)
  session <control>        start|next|skip|pause|resume|extend|end|cancel|status for the
                           session of --channel ID (or --session N); the running bot follows
  demo [--speed N] [--transcript FILE]
                           A full live session on a loopback Discord: the bot runs the
                           timetable while the archive's participants answer (default:
                           80× speed, seeds/2018-10-22-badgechat.txt, data/demo.sqlite;
                           output in data/demo-output/)
  participant forget <id> [--guild ID]
                           Forget a participant: their stored messages' text erased and
                           left out of every recap and export (--guild: one server's only)
  doctor [--json]          Check the configuration, the database's schema, the token, the
                           Message Content intent, every series' channel permissions and
                           the deployed slash commands; each with what to do (exit 1: a check failed)
  migrate-store --from FILE --to URL
                           Copy a whole SQLite database into an empty PostgreSQL one, ids
                           and history intact (then run with DATABASE_URL set to the URL)
  backup --out FILE [--force]
                           A checked copy of the SQLite database, safe while the bot runs
                           (PostgreSQL: use pg_dump)

Options:
  --db <path>              SQLite database (default: $DATABASE_PATH or data/emcee.sqlite);
                           without it, DATABASE_URL=postgres://… selects PostgreSQL
  -h, --help               This help; emcee <command> --help for one command's
  -v, --version            Emcee's version
`;

const DB = `  --db <path>          SQLite database (default: $DATABASE_PATH or data/emcee.sqlite);
                       without it, DATABASE_URL=postgres://… selects PostgreSQL`;

/** `emcee <command> --help` (and `emcee help <command>`). */
export const COMMAND_HELP: Record<string, string> = {
  replay: `Usage: emcee replay <file> [--json]

Runs a chat archive through the live answer attribution and prints each question with
its answers. Nothing is stored.

Options:
  --json               One JSON object on stdout (format, messageCount, questions,
                       answers, inferred, outroIndex)
`,
  import: `Usage: emcee import <files…> [--shared] [--db <path>]

Stores archives as past sessions, and their questions as question sets in the bank.
Importing the same archive again changes nothing; a bad file imports nothing at all.

Options:
  --shared             Share the imported question sets with every server (by default
                       they are the operator's, not shown in any server)
${DB}
`,
  bank: `Usage: emcee bank list | emcee bank show <id> [--db <path>]

  list                 Every question set in the bank, with its questions
  show <id>            One question set in full

Options:
${DB}
`,
  recap: `Usage: emcee recap <session-id|latest> [--format md|html|csv|json|archive] [--out FILE] [--anonymize] [--db <path>]

A session's recap; latest is the newest finished session.

Options:
  --format <format>    md (default), html, csv, json or archive
  --out <file>         Write to this file instead of stdout; it is replaced whole or not at
                       all (a failed write leaves the previous file as it was)
  --anonymize          Participants as stable pseudonyms ("Participant 7", numbered by their
                       first message in the series), moderators by name
${DB}
`,
  site: `Usage: emcee site --out DIR [--force] [--anonymize] [--db <path>]

The static archive site (index.html and sessions/<id>.html), browsable from file://.
DIR must be new, empty, or a site Emcee wrote before (it has a .emcee-site manifest).

Options:
  --out <dir>          The site's folder
  --force              Write into a non-empty folder that is not an Emcee site: index.html
                       and sessions/<id>.html are overwritten, nothing else is touched
  --anonymize          Participants as stable pseudonyms ("Participant 7", numbered by their
                       first message in the series), moderators by name
${DB}
`,
  'invite-url': `Usage: emcee invite-url [application id] [--events] [--webhooks]

The URL that adds the bot to a server with the permissions it needs (the id defaults to
DISCORD_APPLICATION_ID). Optional features add theirs only when asked for:

Options:
  --events     Create Events: a Scheduled Event for every session (series setting
               scheduledEvents)
  --webhooks   Manage Webhooks: button answers shown under the participant's name and
               avatar (without it, the bot posts them naming the participant)
`,
  series: `Usage: emcee series setup --guild ID --channel ID [options] | emcee series list [--db <path>]
       emcee series report <tag|id> [--format md|html|json] [--out FILE] [--anonymize] [--db <path>]

Sets up (or updates) a channel's recurring chat, lists the chats, or reports on a series
across its finished sessions: participants, first-timers and returning per session (with a
chart in html), the retention of first-timers within the next 3 sessions, attendance
streaks, and the answers' most-used words. A tag two series share needs the id.

Options of setup:
  --guild <id>             The server (required)
  --channel <id>           The channel (required)
  --tag <#Chat>            The chat's hashtag
  --weekday <day>          monday … sunday, with --time: the weekly schedule
  --time <HH:MM>           Start time, in --timezone
  --timezone <Area/City>   IANA time zone
  --questions <set id>     The question set from the bank
  --threads true|false     Answers in a thread per question
  --moderator-role <id>    Who may run the chat besides the server's managers
  --preview-minutes <n>    Post the questions this many minutes before the start

Options of report:
  --format <format>        md (default), html or json
  --out <file>             Write to this file instead of stdout (replaced whole or not at all)
  --anonymize              Participants as stable pseudonyms ("Participant 7"), moderators
                           by name
${DB}
`,
  session: `Usage: emcee session <control> --channel ID | --session N [options] [--db <path>]

Controls: start, next, skip, pause, resume, extend, end, cancel, status. The running bot
notices the change and posts what is due.

Options:
  --channel <id>       The channel whose current session to control (start: where)
  --session <n>        The session by number instead
  --questions <set>    start: a question set id, or questions separated by |
  --question <n>       skip: which question (default the next)
  --minutes <n>        extend: by how many minutes
${DB}
`,
  participant: `Usage: emcee participant forget <user id> [--guild ID] [--db <path>]

Forgets a participant (privacy): the text of every message they wrote that is stored so
far is erased (their earlier edits, answers and quotes too), their name becomes
"(forgotten)", the messages leave every recap and export, and the reactions they made and
those on their messages are removed. Each session touched logs a "forget" control (who
asked, when, how many messages; never the text). Messages they post later are stored as
usual: forget them again.

Options:
  --guild <id>         Only this server's sessions (default: every session)
${DB}
`,
  demo: `Usage: emcee demo [--speed N] [--transcript FILE] [--db <path>]

A full live session on a loopback Discord with no token and no network: the bot runs the
timetable while the archive's participants answer.

Options:
  --speed <n>          How many times faster than real time, 1 to 10000 (default 80)
  --transcript <file>  The archive to play (default seeds/2018-10-22-badgechat.txt)
  --db <path>          The demo's own database (default data/demo.sqlite). The demo
                       creates it and resets it on every run; it refuses a database it did
                       not create. Recaps and the site go to <path without .sqlite>-output/.
`,
  doctor: `Usage: emcee doctor [--json] [--db <path>]

Checks what Emcee needs, in order, each with a verdict (ok, warn, FAIL, or skip when a
check it depends on failed) and, when not ok, what to do. Changes nothing: the database is
only read (no migration), Discord only asked.

  1. configuration      .env and the environment (DISCORD_TOKEN, DISCORD_APPLICATION_ID, …)
  2. database           opens, and is at this build's schema (pending migrations named)
  3. token              Discord accepts it (GET /users/@me) for DISCORD_APPLICATION_ID
  4. Message Content    whether the application has the intent enabled
  5. channel            per series: the bot can see and post there, open threads and
                        create events where the series uses them
  6. slash commands     those deployed match this build's (what deploy-commands would change)

Exit 0 when nothing failed (warnings allowed), 1 otherwise.

Options:
  --json               One JSON object on stdout: { ok, checks: [{ check, subject?, verdict,
                       message, fix? }] }, verdict ok, warn, fail or skipped
${DB}
`,
  'migrate-store': `Usage: emcee migrate-store [--from FILE] [--to URL]

Copies a whole SQLite database into PostgreSQL: every table and column, ids and history
intact, in one PostgreSQL transaction (a failure leaves the target as it was). The target
must be empty (its schema is created if missing); the SQLite file is opened read-only and
must be at this Emcee's schema version. Rows per table are reported on stderr. Afterwards,
run Emcee with DATABASE_URL set to the URL (and DATABASE_PATH unset).

Options:
  --from <file>        The SQLite database (default: $DATABASE_PATH or data/emcee.sqlite)
  --to <url>           postgres://user:password@host:5432/database (default: $DATABASE_URL);
                       the password is never printed
`,
  backup: `Usage: emcee backup --out FILE [--force] [--db <path>]

A consistent copy of the SQLite database, taken while the bot runs and writes (SQLite's
online backup API). The copy is one file; it is checked (integrity check, schema version)
before it gets its name, and the command prints where it went and its size. FILE must be a
new file in a folder that exists. For PostgreSQL (DATABASE_URL) use pg_dump instead.

Options:
  --out <file>         The backup file to write
  --force              Replace FILE if it exists
  --db <path>          The SQLite database (default: $DATABASE_PATH or data/emcee.sqlite)
`,
};

/** Edit distance with transpositions (so "recpa" is one step from "recap"). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest of `candidates` to a mistyped `word`, if one is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.min(2, Math.floor(word.length / 3)));
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d <= limit && (best === undefined || d < best.d)) best = { c, d };
  }
  return best?.c;
}
