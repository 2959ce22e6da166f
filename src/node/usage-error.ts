// Bad flags or arguments to a node tool. The `quantiv` command (src/cli/main.ts) prints it with the
// tool's usage and exits 2; it lives here so the tools below cli/ can throw it without importing up.
export class UsageError extends Error {
  override name = 'UsageError';
}
