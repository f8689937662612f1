import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPackageRoot, packagePath, packageRoot, packageVersion } from '../src/paths.ts';
import { ROOT } from './helpers/seeds.ts';

/** Issue 11: seeds/ and package.json are found from src/ and from the build in dist/src/. */
describe('the package root', () => {
  it('is the checkout when running from src/', () => {
    expect(`${packageRoot()}/`).toBe(ROOT);
    expect(packagePath('seeds', '2018-10-22-badgechat.txt')).toBe(`${ROOT}seeds/2018-10-22-badgechat.txt`);
    expect(packageVersion()).toBe((JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version);
  });

  it('is found however deep the code sits (dist/src/cli/ as well as src/cli/), walking past another package.json', () => {
    const top = mkdtempSync(join(tmpdir(), 'emcee-root-'));
    writeFileSync(join(top, 'package.json'), '{"name":"emcee","version":"9.9.9"}');
    const deep = join(top, 'dist', 'src', 'cli');
    mkdirSync(deep, { recursive: true });
    // A package.json that is not Emcee's (or not JSON) on the way is not the root.
    writeFileSync(join(top, 'dist', 'package.json'), '{"type":"module"}');
    writeFileSync(join(top, 'dist', 'src', 'package.json'), 'not json');
    expect(findPackageRoot(deep)).toBe(top);
    expect(findPackageRoot(join(top, 'dist'))).toBe(top);
    expect(findPackageRoot(top)).toBe(top);
  });

  it('is null outside any Emcee package', () => {
    const lone = mkdtempSync(join(tmpdir(), 'emcee-lone-'));
    writeFileSync(join(lone, 'package.json'), '{"name":"something-else"}');
    expect(findPackageRoot(lone)).toBeNull();
  });
});
