// `quantiv check URL [--app URL] [--max-age 36h] [--origin https://app.example] [--json]`: probes a
// deployment as DuckDB-WASM will use it; exit 1 on any FAIL, so cron/CI can alert on it.
import { parseArgs } from 'node:util';
import { UsageError } from '../node/usage-error.ts';
import { formatReport, parseDuration, runChecks } from '../node/check/checks.ts';

export const CHECK_USAGE = `usage: quantiv check URL [flags]

  URL              the lake's manifest.json URL, or the lake base URL
  --app URL        the app (index.html): also checks the page, its CSP and the wasm MIME type
  --max-age D      the manifest's createdAt may be at most this old (default 36h; 90m, 2d, ...)
  --origin O       the Origin to probe CORS as (default the --app origin, else a foreign origin)
  --json           print the report as JSON
  --timeout MS     per request (default 15000)
  -h, --help       this text

Exit status: 0 all PASS/WARN, 1 any FAIL, 2 usage error.`;

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, strict: true, allowPositionals: true,
      options: {
        app: { type: 'string' }, 'max-age': { type: 'string' }, origin: { type: 'string' },
        json: { type: 'boolean' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(CHECK_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('give exactly one URL (the manifest or the lake base)');
  const url = positionals[0]!;
  for (const [name, v] of [['URL', url], ['--app', values.app], ['--origin', values.origin]] as const) {
    if (v === undefined) continue;
    let u: URL;
    try { u = new URL(v); } catch { throw new UsageError(`${name} is not a URL: ${v}`); }
    if (!/^https?:$/.test(u.protocol)) throw new UsageError(`${name} must be http(s): ${v}`);
  }
  let maxAgeMs: number;
  try {
    maxAgeMs = parseDuration(values['max-age'] ?? '36h');
  } catch (e) {
    throw new UsageError(`--max-age: ${(e as Error).message}`);
  }
  if (values.timeout !== undefined && !/^\d+$/.test(values.timeout)) throw new UsageError('--timeout must be milliseconds');
  const report = await runChecks({
    url, app: values.app, origin: values.origin ? new URL(values.origin).origin : undefined, maxAgeMs,
    timeoutMs: values.timeout ? Number(values.timeout) : undefined,
  });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  return report.ok ? 0 : 1;
}
