// The documentation stays true: docs/commands.md is what the commands print, and nothing in the
// repository's code or docs points at a file outside it.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../src/cli/program.js';
import { commandsDoc } from '../scripts/commands-doc-text.js';
import { ROOT } from './cli.js';

function files(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(ts|md)$/.test(f)) out.push(p);
  }
  return out;
}

describe('docs', () => {
  it('docs/commands.md is current (regenerate with npx tsx scripts/commands-doc.ts)', () => {
    expect(readFileSync(join(ROOT, 'docs/commands.md'), 'utf8')).toBe(commandsDoc(buildProgram() as Command));
  });

  it('no file in src/, test/, docs/ or the README refers to a path outside the repository', () => {
    const all = [...files(join(ROOT, 'src')), ...files(join(ROOT, 'test')), ...files(join(ROOT, 'docs')), join(ROOT, 'README.md')];
    const outside = /\.\.\/shared|SPEC\.md|paper\.txt/;
    const bad = all.filter((f) => !f.endsWith('docs.test.ts') && outside.test(readFileSync(f, 'utf8')));
    expect(bad).toEqual([]);
  });
});
