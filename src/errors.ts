// The one error type the command line turns into a single line on stderr and an exit code
// (docs/architecture.md, "Errors"). Library code throws ScmvError for anything a user can fix:
// bad input (exit 2), a file-system or resource problem (exit 1 unless stated), an interrupt
// (exit 130). Anything else is a bug and keeps its stack trace.

export type ErrorKind = 'usage' | 'io' | 'resource' | 'interrupted';

export class ScmvError extends Error {
  constructor(message: string, readonly kind: ErrorKind = 'usage', readonly exitCode: number = kind === 'usage' ? 2 : kind === 'interrupted' ? 130 : 1) {
    super(message);
    this.name = 'ScmvError';
  }
}

/** Bad input: one line naming the flag (or file) and what is allowed; exit code 2. */
export class UsageError extends ScmvError {
  constructor(message: string) {
    super(message, 'usage', 2);
    this.name = 'UsageError';
  }
}
