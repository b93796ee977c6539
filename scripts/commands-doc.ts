// Writes docs/commands.md: every command's --help (flags, defaults, ranges) and the columns of the
// files it writes. test/docs.test.ts checks that the committed file is current.
// Usage: npx tsx scripts/commands-doc.ts [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildProgram } from '../src/cli/program.js';
import { commandsDoc } from './commands-doc-text.js';

const text = commandsDoc(buildProgram() as Command);
if (process.argv.includes('--check')) {
  if (readFileSync('docs/commands.md', 'utf8') !== text) {
    console.error('docs/commands.md is out of date: run npx tsx scripts/commands-doc.ts');
    process.exit(1);
  }
} else writeFileSync('docs/commands.md', text);
