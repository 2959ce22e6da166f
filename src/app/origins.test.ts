import { describe, expect, it } from 'vitest';
import { foreignDataOrigin, loadDataOrigins, parseDataOrigins } from './origins.ts';

const PAGE = 'https://app.example.com/quantiv/';

describe('data origins', () => {
  it('reads a list or nginx\'s space-separated string, keeping only http(s) origins', () => {
    expect(parseDataOrigins({ dataOrigins: ['https://data.example.com/lake/', 'javascript:alert(1)', 'ftp://x', 42] })).toEqual(['https://data.example.com']);
    expect(parseDataOrigins({ dataOrigins: ' https://a.example  http://b.example:8080 ' })).toEqual(['https://a.example', 'http://b.example:8080']);
    expect(parseDataOrigins({ dataOrigins: '' })).toEqual([]);
    expect(parseDataOrigins(null)).toEqual([]);
    expect(parseDataOrigins({})).toEqual([]);
  });

  it('lets the app\'s own origin and listed ones load, and names any other', () => {
    expect(foreignDataOrigin('data/manifest.json', PAGE, [])).toBeNull();
    expect(foreignDataOrigin('https://app.example.com/other/manifest.json', PAGE, [])).toBeNull();
    expect(foreignDataOrigin('https://data.example.com/lake/manifest.json', PAGE, ['https://data.example.com'])).toBeNull();
    expect(foreignDataOrigin('https://data.example.com/lake/manifest.json', PAGE, [])).toBe('https://data.example.com');
    // Same host, other port or scheme: another origin.
    expect(foreignDataOrigin('https://app.example.com:8443/manifest.json', PAGE, [])).toBe('https://app.example.com:8443');
    expect(foreignDataOrigin('http://app.example.com/manifest.json', PAGE, [])).toBe('http://app.example.com');
  });

  it('falls back to the app\'s own origin only when the config is missing or broken', async () => {
    const answer = (status: number, body: string) => (async () => new Response(body, { status })) as unknown as typeof fetch;
    expect(await loadDataOrigins(PAGE, answer(200, '{"dataOrigins":["https://d.example"]}'))).toEqual(['https://d.example']);
    expect(await loadDataOrigins(PAGE, answer(404, 'not found'))).toEqual([]);
    expect(await loadDataOrigins(PAGE, answer(200, '{broken'))).toEqual([]);
    const seen: string[] = [];
    await loadDataOrigins(PAGE, (async (url: string) => (seen.push(url), new Response('{}'))) as unknown as typeof fetch);
    expect(seen).toEqual(['https://app.example.com/quantiv/quantiv-config.json']);
  });
});
