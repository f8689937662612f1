/** `emcee doctor`'s verdicts and how they are printed: a line per check for people, one JSON object for machines. */

export type Verdict = 'ok' | 'warn' | 'fail' | 'skipped';

export type CheckName = 'config' | 'database' | 'token' | 'message-content' | 'channel' | 'commands';

export interface CheckResult {
  check: CheckName;
  /** What the check is about when there are several of a kind: a series (`#BadgeChat in channel 123`), a server. */
  subject?: string;
  verdict: Verdict;
  /** What was found, in one line (the configuration's problems may take a line each). */
  message: string;
  /** What to do, when the verdict is not ok: one or two lines. */
  fix?: string;
}

const TITLES: Record<CheckName, string> = {
  config: 'configuration',
  database: 'database',
  token: 'token',
  'message-content': 'Message Content intent',
  channel: 'channel',
  commands: 'slash commands',
};

const LABELS: Record<Verdict, string> = { ok: 'ok', warn: 'warn', fail: 'FAIL', skipped: 'skip' };

/** 0 when nothing failed (warnings and skipped checks included), 1 otherwise. */
export const exitCodeOf = (results: readonly CheckResult[]): number => (results.some((r) => r.verdict === 'fail') ? 1 : 0);

/** The report for a terminal: one line per check, the fix indented under it, a summary at the end. */
export function renderText(results: readonly CheckResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const [first, ...more] = r.message.split('\n');
    lines.push(`${LABELS[r.verdict].padEnd(5)} ${TITLES[r.check]}${r.subject ? ` ${r.subject}` : ''}: ${first}`);
    for (const line of more) lines.push(`      ${line.trim()}`);
    if (r.fix && r.verdict !== 'ok') for (const line of r.fix.split('\n')) lines.push(`      -> ${line}`);
  }
  const count = (v: Verdict) => results.filter((r) => r.verdict === v).length;
  const [failed, warned, skipped] = [count('fail'), count('warn'), count('skipped')];
  lines.push(failed + warned === 0
    ? `All ${results.length} checks passed.`
    : `${failed} failed, ${warned} warning${warned === 1 ? '' : 's'}${skipped ? `, ${skipped} skipped` : ''}, ${count('ok')} ok.`);
  return `${lines.join('\n')}\n`;
}

/** The report for machines: `{ ok, checks: [{ check, subject?, verdict, message, fix? }] }`, stable. */
export function renderJson(results: readonly CheckResult[]): string {
  return `${JSON.stringify({ ok: exitCodeOf(results) === 0, checks: results })}\n`;
}
