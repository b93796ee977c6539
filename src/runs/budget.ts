// A time budget for a pool of runs: stop dispatching new runs once it is spent (or when the caller's
// signal fires). Runs in progress are stopped with the pool; those that checkpoint resume later.

export interface Budget {
  /** Aborted when the caller's signal is, or at the first `check()` after `seconds` have passed. */
  signal: AbortSignal;
  /** Call after each finished run: aborts once the budget is spent. */
  check(): void;
  /** True when the budget (not the caller's signal) stopped the pool. */
  readonly spent: boolean;
  /** Detaches from the caller's signal. */
  dispose(): void;
}

/** A budget of `seconds` (0 = none) from now, chained to `parent`. */
export function timeBudget(seconds: number, parent?: AbortSignal): Budget {
  const started = Date.now();
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  parent?.addEventListener('abort', onAbort, { once: true });
  if (parent?.aborted) abort.abort();
  let spent = false;
  return {
    signal: abort.signal,
    check() {
      if (seconds > 0 && !abort.signal.aborted && (Date.now() - started) / 1000 > seconds) {
        spent = true;
        abort.abort();
      }
    },
    get spent() { return spent; },
    dispose: () => parent?.removeEventListener('abort', onAbort),
  };
}
