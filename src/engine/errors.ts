// Turns engine and network failures into messages a user can act on. The raw text stays available
// as detail; the page never shows a stack trace.

export interface UserError {
  title: string;
  detail: string;
}

// First match wins: the manifest rules come before the generic HTTP ones.
const rules: { test: RegExp; title: string }[] = [
  {
    test: /Content-Security-Policy does not allow/,
    title: "This site's security policy does not allow loading data from that origin.",
  },
  {
    test: /manifest\.json: |manifest .* is not valid JSON|The data manifest .* answered HTTP/i,
    title: 'The dataset manifest could not be loaded.',
  },
  {
    test: /HTTP 404/i,
    title: 'A data file is missing on the server (HTTP 404): the manifest lists it but the server does not have it.',
  },
  {
    test: /too small to be a Parquet file|No magic bytes found|truncated|bytes but the manifest says/i,
    title: 'A data file is damaged or truncated, so it cannot be read as Parquet.',
  },
  {
    test: /did not return a partial response|full http reads are disabled|ignores Range/i,
    title: 'The data server does not support HTTP range requests, which Quantiv needs to read Parquet selectively.',
  },
  {
    test: /NetworkError|Failed to execute 'send'|Failed to fetch|Cannot reach the data/i,
    title: 'The data server could not be reached, or it refused the request (check the URL and its CORS settings).',
  },
  {
    // The worker's XHR filter, or the engine's own fence (enable_external_access = false).
    test: /Refused to read from .*Quantiv only reads from|Cannot access (file|directory) .* disabled by configuration/,
    title: 'This query tried to read from another site or a local file. Quantiv only reads from this app and its dataset.',
  },
  {
    test: /configuration has been locked|Loading external extensions is disabled/,
    title: 'Engine settings and extensions are fixed for safety; this statement cannot change them.',
  },
  { test: /holds \d+ statements; the console runs one/, title: 'The console runs one statement at a time.' },
  { test: /^Only a SELECT can be exported/, title: 'Only a SELECT can be exported.' },
  { test: /^Parser Error|syntax error/i, title: 'The SQL could not be parsed.' },
  { test: /^(Binder|Catalog) Error/i, title: 'The SQL refers to a table or column that does not exist.' },
];

export function describeError(error: unknown): UserError {
  const raw = error instanceof Error ? error.message : String(error);
  // Comlink forwards the message; keep its first lines and never a stack.
  const detail = raw
    .split('\n')
    .filter((l) => !/^\s+at /.test(l))
    .slice(0, 6)
    .join('\n')
    .trim();
  const rule = rules.find((r) => r.test.test(detail));
  return { title: rule?.title ?? 'The query failed.', detail };
}
