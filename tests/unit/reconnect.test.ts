// The shared reconnect rules (src/node/reconnect.ts) and the writer-chosen stream IDs
// (src/node/realtime/append.ts), without servers: the fault tests exercise them against real ones.
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/node/exit-codes.ts';
import { IdClock } from '../../src/node/realtime/append.ts';
import { backoffMs, BACKOFF_BASE_MS, BACKOFF_CAP_MS, connectionError, connectionProblem, Outage, REMIND_EVERY_MS, serviceLabel } from '../../src/node/reconnect.ts';
import { ToolError } from '../../src/node/usage-error.ts';

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('backoffMs', () => {
  it('doubles from the base, stays within [half, all] of the step, and is capped', () => {
    expect(backoffMs(0, () => 0)).toBe(BACKOFF_BASE_MS / 2);
    expect(backoffMs(0, () => 1)).toBe(BACKOFF_BASE_MS);
    expect(backoffMs(3, () => 1)).toBe(BACKOFF_BASE_MS * 8);
    expect(backoffMs(3, () => 0)).toBe(BACKOFF_BASE_MS * 4);
    expect(backoffMs(40, () => 1)).toBe(BACKOFF_CAP_MS);
    expect(backoffMs(40, () => 0)).toBe(BACKOFF_CAP_MS / 2);
    // Jitter: real randomness spreads the waits of one step.
    const waits = new Set(Array.from({ length: 50 }, () => backoffMs(5)));
    expect(waits.size).toBeGreaterThan(10);
  });
});

describe('connectionProblem', () => {
  it('tells a lost connection from a refused one, and from everything else', () => {
    expect(connectionProblem(withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'))).toBe('lost');
    expect(connectionProblem(new AggregateError([withCode('connect ECONNREFUSED ::1:1', 'ECONNREFUSED')], ''))).toBe('lost');
    expect(connectionProblem(withCode('terminating connection due to administrator command', '57P01'))).toBe('lost');
    expect(connectionProblem(withCode('the database system is starting up', '57P03'))).toBe('lost');
    expect(connectionProblem(new Error('Connection terminated unexpectedly'))).toBe('lost');
    expect(connectionProblem(new Error('Socket closed unexpectedly'))).toBe('lost');
    expect(connectionProblem(new Error('The client is closed'))).toBe('lost');
    expect(connectionProblem(new Error('LOADING Redis is loading the dataset in memory'))).toBe('lost');
    expect(connectionProblem(withCode('database "x" does not exist', '3D000'))).toBe('refused');
    expect(connectionProblem(withCode('password authentication failed for user "u"', '28P01'))).toBe('refused');
    expect(connectionProblem(new Error('WRONGPASS invalid username-password pair'))).toBe('refused');
    expect(connectionProblem(withCode('relation "t" does not exist', '42P01'))).toBe(null);
    expect(connectionProblem(new Error('NOGROUP No such key'))).toBe(null);
    // A tool's verdict quoting a connection error is final, not another outage.
    expect(connectionProblem(new ToolError('Redis unreachable (Socket closed unexpectedly): gave up', EXIT.UNAVAILABLE))).toBe(null);
  });

  it('maps what escapes a tool to one line and its exit code', () => {
    expect(connectionError(withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'))?.exitCode).toBe(EXIT.UNAVAILABLE);
    expect(connectionError(withCode('database "x" does not exist', '3D000'))?.message).toBe('the server refused the connection: 3D000 database "x" does not exist');
    expect(connectionError(new ToolError('no', EXIT.REJECTED))?.exitCode).toBe(EXIT.REJECTED);
    expect(connectionError(new TypeError('x is undefined'))).toBe(null);
  });
});

describe('Outage', () => {
  it('logs one line when lost however often it fails, one when back, and never waits past the give-up time', () => {
    let now = 1_000;
    const lines: string[] = [];
    const o = new Outage(serviceLabel('Redis', 'redis://:secret@10.0.0.5:6380'), (l) => lines.push(l), 2_000, () => now);
    expect(o.nextDelay(0)).not.toBe(null);
    for (let i = 0; i < 5; i++) {
      o.lost(new Error('Socket closed unexpectedly'));
      now += 300;
    }
    expect(lines).toEqual(['Redis at 10.0.0.5:6380 lost (Socket closed unexpectedly); reconnecting with backoff, giving up after 2.0 s']);
    // 1.5 s into a 2 s budget, a 3 s backoff step is cut to the 0.5 s left.
    expect(o.nextDelay(30)).toBe(500);
    now += 500;
    expect(o.expired()).toBe(true);
    expect(o.nextDelay(0)).toBe(null);
    const err = o.gaveUp();
    expect(err.exitCode).toBe(EXIT.UNAVAILABLE);
    expect(err.message).toBe('Redis at 10.0.0.5:6380 unreachable for 2.0 s (Socket closed unexpectedly): gave up after 5 attempts (--give-up-after 2.0 s)');
    o.recovered();
    expect(lines[1]).toBe('Redis at 10.0.0.5:6380 reconnected after 2.0 s (5 attempts)');
    o.recovered();
    expect(lines).toHaveLength(2);
    expect(o.active).toBe(false);
  });
});

describe('Outage without a give-up time', () => {
  it('adds one reminder line per REMIND_EVERY_MS while it lasts, and still one line when back', () => {
    let now = 0;
    const lines: string[] = [];
    const o = new Outage('PostgreSQL at db:5432/q', (l) => lines.push(l), Infinity, () => now);
    for (let t = 0; t <= 2 * REMIND_EVERY_MS + 1000; t += 1000) {
      now = t;
      o.lost(new Error('Connection terminated unexpectedly'));
    }
    // Never cut short: no give-up time to stop at.
    expect(o.nextDelay(100)).toBeGreaterThanOrEqual(BACKOFF_CAP_MS / 2);
    expect(o.nextDelay(100)).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('PostgreSQL at db:5432/q lost (Connection terminated unexpectedly); reconnecting with backoff, retrying until it is back');
    expect(lines[1]).toBe('PostgreSQL at db:5432/q still unreachable after 300.0 s (300 attempts; Connection terminated unexpectedly); still retrying');
    o.recovered();
    expect(lines[3]).toMatch(/^PostgreSQL at db:5432\/q reconnected after 601\.0 s \(\d+ attempts\)$/);
  });
});

describe('IdClock', () => {
  it('hands out increasing IDs and jumps past a stream top ahead of it', () => {
    let now = 5_000;
    const c = new IdClock(() => now);
    expect([c.next(), c.next()]).toEqual(['5000-0', '5000-1']);
    now = 6_000;
    expect(c.next()).toBe('6000-0');
    c.after('9000-7');
    expect(c.next()).toBe('9000-8');
    c.after('100-0');
    expect(c.next()).toBe('9000-9');
  });
});
