// Which origins a link may load data from without asking. The deployment lists them in
// quantiv-config.json beside index.html (nginx.conf answers it from the same setting it puts in the
// CSP); the app's own origin is always allowed. Data anywhere else loads only after the reader
// confirms, and nothing is fetched from it before that.

/** Relative to the page, so a site under a sub-path finds its own. */
export const CONFIG_PATH = 'quantiv-config.json';

/**
 * `{"dataOrigins": [...]}` or a space-separated string (what nginx can write from one variable).
 * Anything that is not an http(s) origin is dropped: the config can only narrow, never widen by typo.
 */
export function parseDataOrigins(json: unknown): string[] {
  const raw = (json as { dataOrigins?: unknown } | null)?.dataOrigins;
  const list = typeof raw === 'string' ? raw.split(/\s+/) : Array.isArray(raw) ? raw : [];
  const out = new Set<string>();
  for (const entry of list) {
    if (typeof entry !== 'string' || !/^https?:\/\//i.test(entry)) continue;
    try {
      out.add(new URL(entry).origin);
    } catch {
      // not a URL: ignored like any other bad entry
    }
  }
  return [...out];
}

/** The data's origin when it is neither the page's nor an allowed one; null when it may load. */
export function foreignDataOrigin(dataUrl: string, page: string, allowed: string[]): string | null {
  const origin = new URL(dataUrl, page).origin;
  if (origin === new URL(page).origin || allowed.includes(origin)) return null;
  return origin;
}

/** The deployment's list; a missing or broken config means only the app's own origin. */
export async function loadDataOrigins(page: string, get: typeof fetch = fetch): Promise<string[]> {
  try {
    const response = await get(new URL(CONFIG_PATH, page).href, { cache: 'no-cache' });
    return response.ok ? parseDataOrigins(await response.json()) : [];
  } catch {
    return [];
  }
}
