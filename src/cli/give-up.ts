// --give-up-after, shared by the tools that hold a Redis or PostgreSQL connection.
import { parseDuration } from '../node/check/checks.ts';
import { DEFAULT_GIVE_UP_MS } from '../node/reconnect.ts';
import { UsageError } from '../node/usage-error.ts';

const GIVE_UP_TEXT = [
  'when the connection is lost (or refused at start), reconnect with backoff',
  `for D (30s, 5m, 1h; 'never' = forever, a reminder line every 5 minutes)`,
  `before exiting with code 4 (default ${DEFAULT_GIVE_UP_MS / 60_000}m); one line when lost, one when back`,
];

/** The flag's usage lines, aligned to a command's flag column (`width`: where descriptions start). */
export function giveUpUsage(width: number): string {
  const flag = '  --give-up-after D';
  return GIVE_UP_TEXT.map((t, i) => `${(i === 0 ? flag : '').padEnd(Math.max(width, flag.length + 1))}${t}`).join('\n');
}

export function giveUpMs(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_GIVE_UP_MS;
  if (raw === 'never') return Infinity;
  try {
    return parseDuration(raw);
  } catch (e) {
    throw new UsageError(`--give-up-after: ${(e as Error).message}`);
  }
}
