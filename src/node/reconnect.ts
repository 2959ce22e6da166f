// Losing Redis or PostgreSQL is an expected event for a long-running tool: a server restart, a
// failover, a network blip. This module is what every tool shares about it: which errors mean "the
// connection is gone" (retry) or "the server refused us" (do not), the backoff between attempts,
// and the one line logged per outage (lost ..., then reconnected after N s or gave up).
import { EXIT } from './exit-codes.ts';
import { ToolError } from './usage-error.ts';

/** How long a tool keeps reconnecting before it exits with EXIT.UNAVAILABLE (--give-up-after). */
export const DEFAULT_GIVE_UP_MS = 300_000;
export const BACKOFF_BASE_MS = 100;
export const BACKOFF_CAP_MS = 3_000;
/** Retrying forever (--give-up-after never, the monitor): a reminder line this often while it lasts. */
export const REMIND_EVERY_MS = 300_000;

/**
 * Capped exponential backoff with jitter: attempt n waits between half and all of
 * min(cap, base * 2^n). The random half keeps many clients that lost the same server from
 * reconnecting in lockstep; the fixed half keeps a wait from collapsing to zero.
 */
export function backoffMs(attempt: number, random: () => number = Math.random, baseMs = BACKOFF_BASE_MS, capMs = BACKOFF_CAP_MS): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export type ConnectionProblem = 'lost' | 'refused';

// SQLSTATE: 08 connection exceptions, 57P01-03 shutdown / starting up; 28 auth, 3D000 no database.
const PG_LOST = /^(08...|57P0[123])$/;
const PG_REFUSED = /^(28000|28P01|3D000)$/;
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED']);
const LOST_NAMES = new Set(['SocketClosedUnexpectedlyError', 'ConnectionTimeoutError', 'SocketTimeoutError', 'ClientOfflineError']);
const LOST_TEXT = /Connection terminated|Client was closed|The client is closed|not queryable|Socket closed unexpectedly|^LOADING |connection timeout|Connection ended/i;
const REFUSED_TEXT = /^(WRONGPASS|NOAUTH|NOPERM)\b|^password authentication failed|^(database|role) ".*" does not exist$/;

function inner(e: unknown): unknown {
  // net.connect to a name with several addresses fails with an AggregateError of each attempt.
  if (e instanceof AggregateError && e.errors.length > 0) return e.errors[0];
  if (e instanceof Error && e.name === 'ReconnectStrategyError' && 'originalError' in e) return (e as { originalError: unknown }).originalError;
  return e;
}

/** 'lost' for a connection that failed or dropped (worth retrying), 'refused' for auth / missing database, else null. */
export function connectionProblem(err: unknown): ConnectionProblem | null {
  const e = inner(err);
  if (!(e instanceof Error)) return null;
  // A tool's own verdict (e.g. the give-up error, which quotes its cause) is final.
  if (e.name === 'ToolError') return null;
  const code = String((e as { code?: unknown }).code ?? '');
  if (PG_REFUSED.test(code) || REFUSED_TEXT.test(e.message)) return 'refused';
  if (PG_LOST.test(code) || NET_CODES.has(code) || LOST_NAMES.has(e.name) || LOST_TEXT.test(e.message)) return 'lost';
  return null;
}

/** One short line about an error: its code and message, without a stack. */
export function reason(err: unknown): string {
  const e = inner(err);
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: unknown }).code;
  const msg = e.message || e.name;
  return typeof code === 'string' && !msg.includes(code) ? `${code} ${msg}` : msg;
}

/** host:port of a service URL, without user or password, for log lines. */
export function serviceLabel(kind: 'Redis' | 'PostgreSQL', url: string): string {
  try {
    const u = new URL(url);
    const db = kind === 'PostgreSQL' && u.pathname.length > 1 ? u.pathname : '';
    return `${kind} at ${u.host || 'localhost'}${db}`;
  } catch {
    return kind;
  }
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * One outage of one service: `lost` logs the first failure only, `recovered` the return (with how
 * long it took and how many attempts), `gaveUp` the error the tool exits with. Repeated failures
 * within the outage are counted, not logged.
 */
export class Outage {
  #since: number | null = null;
  #attempts = 0;
  #cause = '';
  #reminded = 0;

  constructor(
    readonly label: string,
    private readonly log: (line: string) => void,
    readonly giveUpMs = DEFAULT_GIVE_UP_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get active(): boolean {
    return this.#since !== null;
  }

  get attempts(): number {
    return this.#attempts;
  }

  lost(err: unknown): void {
    if (this.#since === null) {
      this.#since = this.now();
      this.#attempts = 0;
      this.#cause = reason(err);
      const limit = Number.isFinite(this.giveUpMs) ? `giving up after ${seconds(this.giveUpMs)}` : 'retrying until it is back';
      this.log(`${this.label} lost (${this.#cause}); reconnecting with backoff, ${limit}`);
      this.#reminded = this.#since;
    } else if (!Number.isFinite(this.giveUpMs) && this.now() - this.#reminded >= REMIND_EVERY_MS) {
      // Without a give-up time the outage has no end line of its own: say it is still going.
      this.#reminded = this.now();
      this.log(`${this.label} still unreachable after ${seconds(this.now() - this.#since)} (${this.#attempts} attempts; ${reason(err)}); still retrying`);
    }
    this.#attempts += 1;
  }

  /** True once the outage has lasted longer than the give-up time. */
  expired(): boolean {
    return this.#since !== null && this.now() - this.#since >= this.giveUpMs;
  }

  /**
   * The wait before the next attempt: the backoff, but never past the give-up time, so the last
   * attempt is made at that moment rather than a backoff step after it. null once expired.
   */
  nextDelay(attempt: number): number | null {
    if (this.expired()) return null;
    const left = this.#since === null ? Infinity : this.giveUpMs - (this.now() - this.#since);
    return Math.max(0, Math.min(backoffMs(attempt), left));
  }

  recovered(): void {
    if (this.#since === null) return;
    const n = this.#attempts;
    this.log(`${this.label} reconnected after ${seconds(this.now() - this.#since)} (${n} attempt${n === 1 ? '' : 's'})`);
    this.#since = null;
    this.#attempts = 0;
  }

  /** The error to exit with when the outage outlasted the give-up time. */
  gaveUp(): ToolError {
    const took = this.#since === null ? 0 : this.now() - this.#since;
    return new ToolError(`${this.label} unreachable for ${seconds(took)} (${this.#cause || 'no answer'}): gave up after ${this.#attempts} attempts (--give-up-after ${seconds(this.giveUpMs)})`, EXIT.UNAVAILABLE);
  }
}

/** The error to exit with when a server refused the connection (wrong password, missing database). */
export function refusedError(label: string, err: unknown): ToolError {
  return new ToolError(`${label} refused the connection: ${reason(err)}`, EXIT.REFUSED);
}

/** The exit error for any connection failure that escaped a tool's own handling (one line, no stack). */
export function connectionError(err: unknown): ToolError | null {
  // By name, not instanceof: the error may come from another copy of this module.
  if (err instanceof Error && err.name === 'ToolError') {
    const code = (err as { exitCode?: unknown }).exitCode;
    return err instanceof ToolError ? err : new ToolError(err.message, typeof code === 'number' ? (code as ToolError['exitCode']) : EXIT.FAILED);
  }
  const p = connectionProblem(err);
  if (p === 'refused') return new ToolError(`the server refused the connection: ${reason(err)}`, EXIT.REFUSED);
  if (p === 'lost') return new ToolError(`connection failed: ${reason(err)}`, EXIT.UNAVAILABLE);
  return null;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
