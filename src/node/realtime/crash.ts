// Test-only crash points: QUANTIV_CRASH_AT=<step> makes the process die at that step with exit code
// 137 (as a kill -9 would), so tests can interrupt ingest and compaction between any two steps
// deterministically and then check that a re-run loses and duplicates nothing.

export const CRASH_STEPS = [
  'after-read', // entries read and buffered, nothing written
  'after-dead-letter', // a bad entry copied to the dead-letter stream, not yet acknowledged
  'after-write', // Parquet file(s) in place, manifest not yet published
  'after-manifest', // manifest published, entries not yet acknowledged
  'mid-ack', // half of the batch acknowledged
  'after-compact-write', // compacted file in place, manifest not yet published
] as const;
export type CrashStep = (typeof CRASH_STEPS)[number];

export function crashPoint(step: CrashStep): void {
  if (process.env.QUANTIV_CRASH_AT === step) {
    process.stderr.write(`quantiv: QUANTIV_CRASH_AT=${step}: exiting with 137\n`);
    process.exit(137);
  }
}
