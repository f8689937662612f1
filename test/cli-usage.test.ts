import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emcee } from './helpers/emcee-cli.ts';

/** Hardening #29: per-command help, "did you mean", unknown options refused. */
describe('emcee usage', () => {
  it.each([
    ['replay', /^Usage: emcee replay <file> \[--json\]/],
    ['recap', /^Usage: emcee recap <session-id\|latest>/],
    ['site', /^Usage: emcee site --out DIR \[--force\]/],
    ['series', /^Usage: emcee series setup/],
    ['session', /^Usage: emcee session <control>/],
    ['demo', /^Usage: emcee demo/],
    ['bank', /^Usage: emcee bank list/],
    ['import', /^Usage: emcee import <files…>/],
    ['invite-url', /^Usage: emcee invite-url/],
  ])('emcee %s --help prints that command\'s help, not the global usage', async (command, usage) => {
    for (const argv of [[command, '--help'], [command, '-h'], ['help', command]]) {
      const run = await emcee(...argv);
      expect(run, argv.join(' ')).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(usage);
      expect(run.stdout).not.toContain('Commands:');
    }
  });

  it('emcee --help and emcee help still print the global usage', async () => {
    for (const argv of [['--help'], ['help']]) {
      const run = await emcee(...argv);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage: emcee <command> \[options\]\n\nCommands:/);
    }
  });

  it.each([
    ['recpa', 'recap'],
    ['replya', 'replay'],
    ['imprt', 'import'],
    ['sesion', 'session'],
  ])('a typo (%s) gets a suggestion (%s), exit 2, one line', async (typo, meant) => {
    const run = await emcee(typo);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe(`emcee: unknown command "${typo}" (did you mean "${meant}"?); emcee --help lists the commands\n`);
  });

  it('a word that is nothing like a command gets no suggestion', async () => {
    expect((await emcee('frobnicate')).stderr).toBe('emcee: unknown command "frobnicate"; emcee --help lists the commands\n');
  });

  it.each([
    [['replay', 'x.txt', '--format', 'csv'], "Unknown option '--format' for replay; it takes --json (emcee replay --help)"],
    [['recap', '1', '--json'], "Unknown option '--json' for recap; it takes --format, --out, --anonymize, --db (emcee recap --help)"],
    [['recap', '1', '--fromat', 'csv'], "Unknown option '--fromat' for recap (did you mean --format?); it takes --format, --out, --anonymize, --db (emcee recap --help)"],
    [['bank', 'list', '--out', 'x'], "Unknown option '--out' for bank; it takes --db (emcee bank --help)"],
    [['site', '--out', 'x', '--speed', '3'], "Unknown option '--speed' for site; it takes --out, --force, --anonymize, --db (emcee site --help)"],
    [['invite-url', '123456789012345678', '--db', 'x'], "Unknown option '--db' for invite-url; it takes --events, --webhooks (emcee invite-url --help)"],
  ])('an option the command does not take is refused: %j', async (argv, message) => {
    const run = await emcee(...argv);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe(`emcee: ${message}\n`);
  });

  it('an option missing its value names the option and the command', async () => {
    const run = await emcee('recap', '1', '--out');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^emcee: recap: Option '--out <value>' argument missing \(emcee recap --help\)\n$/);
  });

  it.each([
    [['site', 'extra', '--out', 'x'], 'site does not take "extra" (emcee site --help)'],
    [['demo', 'now'], 'demo does not take "now" (emcee demo --help)'],
    [['series', 'list', 'all'], 'series does not take "all" (emcee series --help)'],
    [['session', 'status', '7'], 'session does not take "7" (emcee session --help)'],
    [['invite-url', '123456789012345678', 'more'], 'invite-url does not take "more" (emcee invite-url --help)'],
  ])('an argument the command does not take is refused too: %j', async (argv, message) => {
    const run = await emcee(...argv);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe(`emcee: ${message}\n`);
  });

  it('a refused series line opens no database: none is created (nor an old one migrated) for it', async () => {
    const { mkdtempSync, existsSync, rmSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'emcee-usage-'));
    try {
      for (const argv of [['series', 'list', 'all'], ['series', 'frobnicate']]) {
        const run = await emcee(...argv, '--db', join(dir, 'new.sqlite'));
        expect(run.code).toBe(2);
        expect(existsSync(join(dir, 'new.sqlite'))).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('import takes --shared (the flag the bank list points to), and says so in its help', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { seedPath } = await import('./helpers/seeds.ts');
    const db = `${mkdtempSync(`${tmpdir()}/emcee-usage-`)}/emcee.sqlite`;
    const run = await emcee('import', seedPath('002_3061b2b49c8629e7.txt'), '--shared', '--db', db);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/shared with every server/);
    expect((await emcee('import', '--help')).stdout).toContain('--shared');
  });
});
