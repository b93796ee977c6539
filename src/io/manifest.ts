// The JSON manifest written beside every output: command, options, seed, package version, git commit.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './files.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function packageVersion(): string {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version as string;
}

/** The commit of the checkout the code runs from, with "-dirty" for uncommitted changes. */
export function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}

export interface Manifest {
  command: string;
  options: Record<string, unknown>;
  seed: number | string | undefined;
  version: string;
  commit: string;
  node: string;
  started: string;
  finished?: string;
  [extra: string]: unknown;
}

export function makeManifest(command: string, options: Record<string, unknown>, extra: Record<string, unknown> = {}): Manifest {
  return {
    command,
    options,
    seed: options.seed as number | undefined,
    version: packageVersion(),
    commit: gitCommit(),
    node: process.version,
    started: new Date().toISOString(),
    ...extra,
  };
}

/** Path of the manifest beside an output file: runs.csv → runs.manifest.json. */
export function manifestPath(outPath: string): string {
  return outPath.replace(/\.[^./]+$/, '') + '.manifest.json';
}

export function writeManifest(path: string, manifest: Manifest): void {
  writeFileAtomic(path, JSON.stringify({ ...manifest, finished: new Date().toISOString() }, null, 2) + '\n');
}

/** The manifest at `path`, or undefined if there is none (or it is not JSON). */
export function readManifest(path: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}
