// The one place that opens, checks, locks and commits output files (docs/reliability.md):
//  - checkWritable: before any work, that a path can be created or replaced as a file;
//  - writeFileAtomic: whole files go to <path>.partial and are renamed on success; a failure
//    (or an interrupt, via removePartials) leaves no partial file behind;
//  - appendWhole: appends whole lines only; on failure the file is cut back to its last whole line;
//  - acquireLock: an exclusive <path>.lock (holder's pid and host, stale-lock detection);
//  - fsError: every file-system error as one line.
import {
  appendFileSync, closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, truncateSync,
  unlinkSync, writeFileSync, writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ScmvError } from '../errors.js';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'read-only file system', ENOSPC: 'no space left on device',
  EISDIR: 'it is a directory', ENOTDIR: 'a parent of it is not a directory', ENOENT: 'no such file or directory',
  EDQUOT: 'disk quota exceeded', EMFILE: 'too many open files', ENAMETOOLONG: 'file name too long', EEXIST: 'it already exists',
};

/** A file-system error as one line naming the path (kind 'io'; exit code 2 before work starts, 1 during it). */
export function fsError(e: unknown, path: string, verb = 'write', exitCode = 1): ScmvError {
  const code = (e as NodeJS.ErrnoException)?.code ?? '';
  if (code === 'ENOSPC') return new ScmvError(`no space left on ${path}`, 'io', exitCode);
  const reason = REASONS[code] ?? (e instanceof Error ? e.message.split('\n')[0] : String(e));
  return new ScmvError(`cannot ${verb} ${path}: ${reason}`, 'io', exitCode);
}

/** Runs `fn`, turning file-system errors into fsError(…, path, verb). */
export function withFs<T>(path: string, verb: string, fn: () => T, exitCode = 1): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ScmvError) throw e;
    if ((e as NodeJS.ErrnoException)?.code) throw fsError(e, path, verb, exitCode);
    throw e;
  }
}

/**
 * Checks, before any work, that `path` can be written as a file: it is not a directory, its
 * nearest existing ancestor is a directory, and a file can be created there (a probe file is
 * created and removed). Throws a one-line ScmvError (exit 2) otherwise. Creates nothing.
 */
export function checkWritable(path: string, what = path): void {
  if (path === '') throw new ScmvError(`${what} must be a file path, got ""`, 'usage', 2);
  const abs = resolve(path);
  let st;
  try {
    st = statSync(abs);
  } catch {
    st = undefined;
  }
  if (st?.isDirectory()) throw new ScmvError(`cannot write ${path}: it is a directory`, 'io', 2);
  let dir = dirname(abs);
  for (;;) {
    let d;
    try {
      d = statSync(dir);
    } catch {
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
      continue;
    }
    if (!d.isDirectory()) throw new ScmvError(`cannot write ${path}: ${dir} is not a directory`, 'io', 2);
    break;
  }
  const probe = resolve(dir, `.scmv-probe-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (e) {
    throw fsError(e, path, 'write', 2);
  }
}

/** Checks that `dir` can be used as an output directory (created if missing, files written in it). */
export function checkWritableDir(dir: string, what = dir): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    st = undefined;
  }
  if (st && !st.isDirectory()) throw new ScmvError(`cannot write into ${dir} (${what}): it is not a directory`, 'io', 2);
  checkWritable(resolve(dir, '.scmv-dir-probe'), what);
}

const partials = new Set<string>();

/** Removes the partial files of atomic writes still in progress (called on interrupt). */
export function removePartials(): void {
  for (const p of partials) rmSync(p, { force: true });
  partials.clear();
}

/** Writes `data` to `path` atomically (temp file + rename); no partial file survives a failure. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.partial`;
  withFs(path, 'write', () => {
    mkdirSync(dirname(path), { recursive: true });
    partials.add(tmp);
    try {
      writeFileSync(tmp, data);
      renameSync(tmp, path);
    } finally {
      rmSync(tmp, { force: true });
      partials.delete(tmp);
    }
  });
}

/** Appends `text` (whole lines) to `path`; on failure the file is cut back to its previous size. */
export function appendWhole(path: string, text: string): void {
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    size = 0;
  }
  try {
    appendFileSync(path, text);
  } catch (e) {
    try {
      truncateSync(path, size);
    } catch {
      // the file may not exist; nothing to cut
    }
    throw fsError(e, path, 'append to');
  }
}

interface LockInfo {
  pid: number;
  host: string;
  started: string;
}

/** Locks this process holds, with a count (a process may open the same output more than once). */
const held = new Map<string, number>();
process.on('exit', () => {
  for (const l of held.keys()) rmSync(l, { force: true });
});

function releaser(lock: string): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const n = (held.get(lock) ?? 1) - 1;
    if (n > 0) held.set(lock, n);
    else {
      held.delete(lock);
      rmSync(lock, { force: true });
    }
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the exclusive lock `<path>.lock` (its holder's pid, host and start time) and returns its
 * release. A lock left by a dead process on this host is taken over; a live holder (or one on
 * another host) makes this throw one line (exit 2).
 */
export function acquireLock(path: string): () => void {
  const lock = resolve(`${path}.lock`);
  const info: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  if (held.has(lock)) {
    held.set(lock, held.get(lock)! + 1);
    return releaser(lock);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      mkdirSync(dirname(lock), { recursive: true });
      const fd = openSync(lock, 'wx');
      writeSync(fd, JSON.stringify(info) + '\n');
      closeSync(fd);
      held.set(lock, 1);
      return releaser(lock);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError(e, lock, 'create', 2);
    }
    let holder: LockInfo | undefined;
    try {
      holder = JSON.parse(readFileSync(lock, 'utf8')) as LockInfo;
    } catch {
      holder = undefined;
    }
    const stale = holder === undefined || (holder.host === info.host && !alive(holder.pid));
    if (!stale) {
      throw new ScmvError(`${path} is being written by process ${holder!.pid} on ${holder!.host} (since ${holder!.started}); wait for it to finish, or delete ${lock} if that process is gone`, 'io', 2);
    }
    rmSync(lock, { force: true });
  }
  throw new ScmvError(`cannot lock ${path}: ${lock} keeps reappearing`, 'io', 2);
}

/** True when `path` exists and is a regular file. */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

