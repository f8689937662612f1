/**
 * DATABASE_URL as the PostgreSQL store sees it: checked, masked for logs and error lines
 * (the password never leaves this file as written), and named by host and database.
 */

const PROTOCOLS = new Set(['postgres:', 'postgresql:']);

/**
 * Why url is not a usable PostgreSQL URL, or null when it is. The reason never repeats the
 * value: it may hold a password.
 */
export function postgresUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL; expected postgres://user:password@host:5432/database';
  }
  if (!PROTOCOLS.has(parsed.protocol)) return `must start with postgres:// or postgresql:// (it starts with ${parsed.protocol.slice(0, 20)}//)`;
  if (parsed.hostname === '' && !parsed.searchParams.get('host')) return 'names no host; expected postgres://user:password@host:5432/database';
  if (databaseOf(parsed) === '') return 'names no database; expected postgres://user:password@host:5432/database';
  return null;
}

/** url with its password replaced by ***, for logs and messages (unparseable: nothing of it). */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    for (const key of ['password', 'sslpassword']) if (parsed.searchParams.has(key)) parsed.searchParams.set(key, '***');
    return parsed.toString().replace('%2A%2A%2A', '***');
  } catch {
    return '(an unparseable URL)';
  }
}

/** The password of url (to scrub it from a driver's message), or null. */
export function passwordOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    const password = parsed.password || parsed.searchParams.get('password');
    return password ? decodeURIComponent(password) : null;
  } catch {
    return null;
  }
}

/** `database "emcee" on db.example:5432`: what an error line names. */
export function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
    return `database "${databaseOf(parsed)}" on ${host}:${parsed.port || '5432'}`;
  } catch {
    return 'the database of DATABASE_URL';
  }
}

function databaseOf(url: URL): string {
  return decodeURIComponent(url.pathname.replace(/^\/+/, ''));
}
