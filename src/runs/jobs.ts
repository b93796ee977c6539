// Typed references to pool jobs. A job is an exported function `fn(input) → output` (sync or
// async, structured-clonable input and output) of some module; its reference carries the
// function itself (run in-process, and type-checked at every call site) and the module URL and
// export name a worker thread needs to import it. `jobRef(import.meta.url, fn)` takes the name
// from the function, so renaming the function renames the job; test/jobs.test.ts checks that
// every reference resolves to its own export.

export interface JobRef<I, O> {
  /** import.meta.url of the module exporting the job (a .ts URL when running from source). */
  module: string;
  /** The export name (the function's own name). */
  name: string;
  fn: (input: I) => O | Promise<O>;
}

/** The reference of job `fn`, exported under its own name from the module at `module`. */
export function jobRef<I, O>(module: string, fn: (input: I) => O | Promise<O>): JobRef<I, O> {
  return { module, name: fn.name, fn };
}
