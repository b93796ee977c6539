// Interrupts (docs/reliability.md): the first SIGINT or SIGTERM asks the running command to stop
// (its AbortSignal fires: pools stop dispatching and terminate their workers; appended rows stay
// whole); if the command has not ended within GRACE_MS it exits with code 130 after removing the
// partial files of atomic writes; a second signal exits at once.
import { setMaxListeners } from 'node:events';
import { removePartials } from '../io/files.js';

export const GRACE_MS = 1500;

export interface Interrupt {
  signal: AbortSignal;
  /** True once a signal arrived. */
  readonly interrupted: boolean;
  /** Removes the handlers (call when the command's work is done). */
  dispose(): void;
}

export function onInterrupt(): Interrupt {
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  let count = 0;
  let timer: NodeJS.Timeout | undefined;
  const bail = () => {
    removePartials();
    process.exit(130);
  };
  const handler = () => {
    count++;
    if (count > 1) bail();
    ac.abort();
    timer = setTimeout(bail, GRACE_MS);
    timer.unref();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ac.signal,
    get interrupted() {
      return count > 0;
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      if (timer) clearTimeout(timer);
    },
  };
}
