// The exit codes every `quantiv` command returns, defined once: the CLI maps errors to them
// (src/cli/main.ts), the docs' tables (docs/realtime.md, docs/migration-runbook.md) list them, and
// tests/unit/exit-codes.test.ts runs the commands to prove each one. A supervisor can act on them:
// restart on UNAVAILABLE (the service may come back), page a human on REFUSED or REJECTED.
export const EXIT = {
  /** Done: the work finished (or was stopped by SIGINT/SIGTERM after a final flush). */
  OK: 0,
  /** The job ran and found a problem: validate's differences, a check FAIL, a full or read-only lake. */
  FAILED: 1,
  /** Bad flags or arguments; the usage hint is printed. */
  USAGE: 2,
  /** The input was refused before anything was written: a legacy column without a type mapping, an unknown zone. */
  REJECTED: 3,
  /** Redis or PostgreSQL could not be reached, or stayed away longer than the give-up time. */
  UNAVAILABLE: 4,
  /** Redis or PostgreSQL answered but refused: authentication failed, the database does not exist. */
  REFUSED: 5,
  /** Test hook only (QUANTIV_CRASH_AT): the process died at a crash point, as a kill -9 would. */
  CRASHED: 137,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
