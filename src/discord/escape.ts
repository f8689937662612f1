import { escapeMarkdown } from 'discord.js';

/**
 * User text (names, tags, titles, questions, takeaways, file names) made literal for
 * Discord wherever the bot shows it in its own replies and embeds: no bold/italic/underline,
 * strike, spoiler or code, no headings, lists, block quotes or subtext, and no masked links
 * ([x](https://…) shows as typed, so it can never pass for a link of the bot's). A user's own
 * backslashes are escaped too, so they cannot undo ours. Mentions need no escaping:
 * every message of the bot pings no one (allowedMentions).
 */
export function escapeText(text: string): string {
  return escapeMarkdown(text, { heading: true, bulletedList: true, numberedList: true, maskedLink: false })
    .replace(/[[\]]/g, '\\$&')
    .replace(/^(\s*)(>|-#)/gm, '$1\\$2');
}
