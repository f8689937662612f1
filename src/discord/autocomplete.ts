import type { ApplicationCommandOptionChoiceData } from 'discord.js';
import type { Repositories } from '../store/port.ts';

/** Discord shows at most 25 choices. */
const MAX_CHOICES = 25;

let zones: string[] | null = null;

/** IANA zones matching what the user typed ("denver", "europe/lon"). */
export function timezoneChoices(query: string): ApplicationCommandOptionChoiceData<string>[] {
  zones ??= ['UTC', ...Intl.supportedValuesOf('timeZone')];
  const q = query.trim().toLowerCase().replace(/\s+/g, '_');
  return zones.filter((z) => z.toLowerCase().includes(q)).slice(0, MAX_CHOICES).map((z) => ({ name: z, value: z }));
}

/** The server's question sets (its own and the shared ones) matching the typed text, newest first; the value is the set id. */
export async function questionSetChoices(store: Repositories, guildId: string, query: string, as: 'number' | 'string'): Promise<ApplicationCommandOptionChoiceData<string | number>[]> {
  const q = query.trim().toLowerCase();
  return (await store.bank.list({ guildId })).reverse()
    .filter((s) => q === '' || `${s.id} ${s.title}`.toLowerCase().includes(q))
    .slice(0, MAX_CHOICES)
    .map((s) => ({ name: `#${s.id} ${s.title} (${s.questions.length} questions)`.slice(0, 100), value: as === 'number' ? s.id : String(s.id) }));
}
