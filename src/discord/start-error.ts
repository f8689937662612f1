/**
 * Why the bot could not connect at start-up, as one line for the operator: the address it
 * tried, what went wrong, and which setting to look at. Never a stack.
 */
export class DiscordStartError extends Error {
  override readonly name = 'DiscordStartError';
}

/** login + ready took longer than the connect timeout. */
export class ConnectTimeout extends Error {
  override readonly name = 'ConnectTimeout';
}

export const DISCORD_API = 'https://discord.com/api';

interface ErrorLike {
  code?: unknown;
  status?: unknown;
  method?: unknown;
  url?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

export function explainStartFailure(err: unknown, apiBase: string | undefined, timeoutMs: number): DiscordStartError {
  const where = apiBase ?? DISCORD_API;
  const chain = causes(err);
  const codes = chain.map((e) => (typeof e.code === 'string' ? e.code : typeof e.code === 'number' ? String(e.code) : '')).filter(Boolean);
  const status = chain.map((e) => e.status).find((s): s is number => typeof s === 'number');
  const say = (text: string) => new DiscordStartError(text);

  if (err instanceof ConnectTimeout) {
    return say(`no answer from Discord at ${where} within ${timeoutMs / 1000} s (DISCORD_CONNECT_TIMEOUT_MS): check DISCORD_API_BASE and the network`);
  }
  if (codes.includes('TokenInvalid') || status === 401 || codes.includes('4004')) {
    return say('Discord refused the token (401 Unauthorized): check DISCORD_TOKEN in .env (the token from the Bot page of the Developer Portal)');
  }
  if (codes.includes('DisallowedIntents') || codes.includes('4014')) {
    return say('Discord refused the gateway intents: enable the Message Content intent on the Bot page of the Developer Portal');
  }
  const network: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host not found (DNS did not answer)',
    ECONNRESET: 'the connection was reset',
    ETIMEDOUT: 'the connection timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
  };
  const net = codes.find((c) => c in network);
  if (net) return say(`cannot reach Discord at ${where}: ${network[net]} (check DISCORD_API_BASE and the network)`);
  const tls = codes.find((c) => /^(CERT_|ERR_TLS|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/.test(c));
  if (tls) return say(`cannot reach Discord at ${where}: TLS certificate problem (${tls})`);
  if (typeof status === 'number') {
    const request = chain.find((e) => typeof e.url === 'string');
    const what = request ? ` to ${String(request.method ?? 'GET')} ${String(request.url)}` : '';
    const hint = status === 404 ? ': DISCORD_API_BASE should be the API root, such as https://discord.com/api' : '';
    return say(`Discord at ${where} answered ${status}${what}${hint}`);
  }
  const message = chain.map((e) => e.message).find((m): m is string => typeof m === 'string' && m !== '') ?? String(err);
  return say(`could not connect to Discord at ${where}: ${message.split('\n')[0]}`);
}

/** The error and what caused it (cause chains, AggregateError), at most a few deep. */
function causes(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const queue: unknown[] = [err];
  while (queue.length && out.length < 10) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null) continue;
    const like = e as ErrorLike;
    out.push(like);
    if (like.cause) queue.push(like.cause);
    if (Array.isArray(like.errors)) queue.push(...(like.errors as unknown[]));
  }
  return out;
}
