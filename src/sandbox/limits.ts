/**
 * Discord's limits that the sandbox enforces, so a bot that would break them on Discord
 * breaks them in tests too. Deadlines are in real time (performance.now), whatever clock
 * the sandbox was given: Discord's clock does not stop for a fake one.
 */

/**
 * Interaction deadlines: the initial response (reply, deferral, modal, autocomplete
 * choices) within 3 s of the interaction, or Discord answers 404 Unknown interaction
 * (10062) and the user sees "The application did not respond"; the interaction token
 * (follow-ups, edits of the original response) lasts 15 minutes, then 401 Invalid Webhook
 * Token (50027).
 */
export interface InteractionDeadlines {
  callbackMs: number;
  tokenMs: number;
}

export const DISCORD_INTERACTION_DEADLINES: InteractionDeadlines = { callbackMs: 3_000, tokenMs: 15 * 60_000 };

/** Discord's default upload limit for bots: 10 MiB for all files of one message together. */
export const DISCORD_MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export function realNow(): number {
  return performance.now();
}

/** A slow Discord: matching requests wait `ms` (real time) before they are handled. */
export interface DelayRule {
  match: { method?: string; path: RegExp };
  ms: number;
  /** Releases the requests waiting now; stop() also ends the rule. */
  waiting: Set<() => void>;
  stopped: boolean;
}

export function matches(rule: { match: { method?: string; path: RegExp } }, method: string, path: string): boolean {
  if (rule.match.method && rule.match.method.toUpperCase() !== method) return false;
  rule.match.path.lastIndex = 0;
  return rule.match.path.test(path);
}

/** Waits out every delay rule that matches (released early when the rule is stopped). */
export async function applyDelays(rules: DelayRule[], method: string, path: string): Promise<void> {
  for (const rule of rules) {
    if (rule.stopped || !matches(rule, method, path)) continue;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        rule.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, rule.ms);
      rule.waiting.add(done);
    });
  }
}
