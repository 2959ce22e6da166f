// Fetching the data manifest, which the worker's small entry starts as soon as init() names it:
// the engine's modules are still loading then, and the manifest need not wait for them.
import { markOnce } from '../src/engine/marks.ts';
import { parseManifest, type Manifest } from '../src/lake/manifest.ts';

/** Origins this worker's CSP refused; the violation event says why a fetch failed, fetch does not. */
const refusedByCsp = new Set<string>();
self.addEventListener('securitypolicyviolation', (e) => {
  try {
    refusedByCsp.add(new URL((e as SecurityPolicyViolationEvent).blockedURI).origin);
  } catch {
    // blockedURI may be a keyword ('inline', 'eval'), not a URL
  }
});

async function fetchManifest(url: string): Promise<Manifest> {
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-cache' });
  } catch (e) {
    // The violation event may be queued behind the rejection.
    await new Promise((r) => setTimeout(r, 50));
    const origin = new URL(url).origin;
    if (refusedByCsp.has(origin)) {
      throw new Error(`This site's Content-Security-Policy does not allow connecting to ${origin} (connect-src), so the data at ${url} cannot be loaded here. A deployment that serves data from there lists it in its data origins (docs/deploy.md).`);
    }
    throw new Error(`Cannot reach the data at ${url}: ${(e as Error).message}`);
  }
  if (!response.ok) throw new Error(`The data manifest ${url} answered HTTP ${response.status}`);
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    throw new Error(`The data manifest ${url} is not valid JSON`);
  }
  markOnce('manifest-loaded');
  // A lake published by a newer version may list tables this app does not know: read the rest.
  return parseManifest(json, { unknownTables: 'skip' });
}

/** A fetch started early, for the next loadManifest of the same URL only (later ones revalidate). */
let early: { url: string; manifest: Promise<Manifest> } | null = null;

export function prefetchManifest(url: string): void {
  const manifest = fetchManifest(url);
  // Whoever takes it reports a failure.
  manifest.catch(() => undefined);
  early = { url, manifest };
}

export function loadManifest(url: string): Promise<Manifest> {
  const taken = early;
  early = null;
  return taken?.url === url ? taken.manifest : fetchManifest(url);
}
