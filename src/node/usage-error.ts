// Bad flags or arguments to a node tool. The `quantiv` command (src/cli/main.ts) prints it with the
// tool's usage and exits 2; it lives here so the tools below cli/ can throw it without importing up.
import { EXIT, type ExitCode } from './exit-codes.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * An expected failure of a node tool (bad source schema, unreachable service, full disk): the
 * message says what and where, so the command prints it alone, without a stack trace, and exits
 * with `exitCode` (exit-codes.ts; FAILED unless the thrower knows better).
 */
export class ToolError extends Error {
  override name = 'ToolError';
  constructor(message: string, readonly exitCode: ExitCode = EXIT.FAILED) {
    super(message);
  }
}
