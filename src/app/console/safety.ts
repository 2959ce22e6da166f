// A shared link must not make a visitor's browser fetch from origins the link's author chose:
// console SQL from a link only auto-runs when every URL in it belongs to an allowed origin.

const URL_IN_SQL = /\b([a-z][a-z0-9+.-]*):\/\/[^\s'"`)]+/gi;

export function foreignOrigins(sql: string, allowed: string[]): string[] {
  const ok = new Set(allowed.map((a) => new URL(a).origin));
  const found = new Set<string>();
  for (const m of sql.matchAll(URL_IN_SQL)) {
    let origin: string;
    try {
      const url = new URL(m[0]);
      // Non-http schemes (s3://, gcs://, file://) are never the app's or the lake's origin.
      origin = url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : `${url.protocol}//${url.host}`;
    } catch {
      origin = m[0];
    }
    if (!ok.has(origin)) found.add(origin);
  }
  return [...found];
}
