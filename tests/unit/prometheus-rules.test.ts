// The shipped alert rules, proven with Debian's promtool: they load (`check rules`), the unit
// suite passes (`test rules`: series that fire each alert and series that must not), every alert
// has both kinds of case, and a rule with a wrong threshold makes the suite fail (so it can).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const DIR = resolve(import.meta.dirname, '../../deploy/prometheus');
const RULES = join(DIR, 'quantiv-rules.yml');
const SUITE = join(DIR, 'quantiv-rules.test.yml');
const scratch = mkdtempSync(join(tmpdir(), 'quantiv-promtool-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function promtool(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`promtool: ${r.error.message} (apt-get install prometheus; scripts/ensure-system-deps.sh does)`);
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const alertNames = (rules: string): string[] => [...rules.matchAll(/^\s*- alert: (\w+)\s*$/gm)].map((m) => m[1]!);

/** Per alert name, how many of the suite's cases expect it to fire and how many expect silence. */
function cases(suite: string): Map<string, { fire: number; silent: number }> {
  const out = new Map<string, { fire: number; silent: number }>();
  const re = /alertname: (\w+)\n\s*exp_alerts:( \[\])?/g;
  for (const m of suite.matchAll(re)) {
    const c = out.get(m[1]!) ?? { fire: 0, silent: 0 };
    if (m[2]) c.silent += 1;
    else c.fire += 1;
    out.set(m[1]!, c);
  }
  return out;
}

describe('alert rules (promtool)', () => {
  const rules = readFileSync(RULES, 'utf8');
  const names = alertNames(rules);

  it('has the alerts the deployment needs, and promtool check rules accepts them', () => {
    expect(names).toEqual(expect.arrayContaining(['QuantivIngestDown', 'QuantivStreamLagHigh', 'QuantivPublishStale', 'QuantivDeadLettersRising', 'QuantivDeploymentCheckFailing']));
    const r = promtool('check', 'rules', RULES);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain(`SUCCESS: ${names.length} rules found`);
    // The example config the docs point to loads, rules and all.
    const c = promtool('check', 'config', join(DIR, 'prometheus.example.yml'));
    expect(c.status, c.out).toBe(0);
  });

  it('every alert has a case that fires it and a case that must not', () => {
    const c = cases(readFileSync(SUITE, 'utf8'));
    for (const name of names) {
      expect(c.get(name)?.fire ?? 0, `${name}: no firing case`).toBeGreaterThan(0);
      expect(c.get(name)?.silent ?? 0, `${name}: no must-not-fire case`).toBeGreaterThan(0);
    }
    // No case names an alert the rules do not have (it would pass vacuously).
    expect([...c.keys()].filter((n) => !names.includes(n))).toEqual([]);
  });

  it('promtool test rules passes the suite', () => {
    const r = promtool('test', 'rules', SUITE);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('SUCCESS');
  });

  it('fails the suite when a threshold is wrong (the suite can fail)', () => {
    expect(rules).toContain('(quantiv_stream_lag_entries) > 50000');
    writeFileSync(join(scratch, 'quantiv-rules.yml'), rules.replace('(quantiv_stream_lag_entries) > 50000', '(quantiv_stream_lag_entries) > 500000'));
    copyFileSync(SUITE, join(scratch, 'quantiv-rules.test.yml'));
    const r = promtool('test', 'rules', join(scratch, 'quantiv-rules.test.yml'));
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('alertname: QuantivStreamLagHigh');
    expect(r.out).not.toContain('alertname: QuantivIngestDown');
  });
});
