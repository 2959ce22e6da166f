// Folds the vitest and Playwright JSON reports into one verdict. The last line printed is always
// exactly `tests: N passed, N failed` (CI reads it); skipped tests are reported apart, never as passed.
// usage: tsx scripts/summarize-tests.ts [--unit FILE] [--e2e FILE] [--stage-failed NAME]...
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
  failures: string[];
}

const empty = (): Tally => ({ passed: 0, failed: 0, skipped: 0, failures: [] });

interface VitestReport {
  testResults?: {
    name?: string;
    status?: string;
    message?: string;
    assertionResults?: { status?: string; fullName?: string; title?: string }[];
  }[];
}

export function tallyVitest(r: VitestReport): Tally {
  const t = empty();
  for (const file of r.testResults ?? []) {
    const tests = file.assertionResults ?? [];
    for (const a of tests) {
      if (a.status === 'passed') t.passed++;
      else if (a.status === 'failed') {
        t.failed++;
        t.failures.push(`${file.name ?? '?'} > ${a.fullName ?? a.title ?? '?'}`);
      } else t.skipped++; // skipped, pending, todo, disabled
    }
    // A file that failed to load or whose hooks threw has no failed test in it, but it failed.
    if (file.status === 'failed' && !tests.some((a) => a.status === 'failed')) {
      t.failed++;
      t.failures.push(`${file.name ?? '?'} (file failed: ${(file.message ?? '').split('\n')[0]})`);
    }
  }
  return t;
}

interface PwSuite {
  title?: string;
  file?: string;
  specs?: { title?: string; file?: string; tests?: { status?: string; projectName?: string }[] }[];
  suites?: PwSuite[];
}
interface PwReport {
  suites?: PwSuite[];
  errors?: { message?: string }[];
}

export function tallyPlaywright(r: PwReport): Tally {
  const t = empty();
  const walk = (s: PwSuite) => {
    for (const spec of s.specs ?? []) {
      for (const test of spec.tests ?? []) {
        // expected = passed, flaky = passed on retry, unexpected = failed, skipped = skipped.
        if (test.status === 'expected' || test.status === 'flaky') t.passed++;
        else if (test.status === 'skipped') t.skipped++;
        else {
          t.failed++;
          t.failures.push(`${spec.file ?? s.file ?? '?'} > ${spec.title ?? '?'}`);
        }
      }
    }
    for (const child of s.suites ?? []) walk(child);
  };
  for (const s of r.suites ?? []) walk(s);
  // Global setup errors and the like fail the run without failing any test.
  for (const e of r.errors ?? []) {
    t.failed++;
    t.failures.push(`playwright: ${(e.message ?? '').split('\n')[0]}`);
  }
  return t;
}

function load(path: string | undefined, tally: (j: never) => Tally, label: string): Tally {
  const t = empty();
  if (!path) return t;
  if (!existsSync(path)) {
    t.failed++;
    t.failures.push(`${label}: no report at ${path} (the stage did not run or crashed)`);
    return t;
  }
  try {
    return tally(JSON.parse(readFileSync(path, 'utf8')) as never);
  } catch (e) {
    t.failed++;
    t.failures.push(`${label}: unreadable report ${path}: ${String(e)}`);
    return t;
  }
}

export function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      unit: { type: 'string' },
      e2e: { type: 'string' },
      'stage-failed': { type: 'string', multiple: true },
    },
  });
  const parts: [string, Tally][] = [
    ['unit', load(values.unit, tallyVitest as (j: never) => Tally, 'unit')],
    ['e2e', load(values.e2e, tallyPlaywright as (j: never) => Tally, 'e2e')],
  ];
  const stages = values['stage-failed'] ?? [];
  const total = empty();
  for (const [name, t] of parts) {
    if (values[name as 'unit' | 'e2e'] !== undefined) {
      console.log(`${name}: ${t.passed} passing, ${t.failed} failing, ${t.skipped} skipped`);
    }
    // A runner that exited non-zero with no failing test in its report still failed.
    if (stages.includes(name) && t.failed === 0) {
      t.failed++;
      t.failures.push(`${name}: the runner exited non-zero`);
    }
    total.passed += t.passed;
    total.failed += t.failed;
    total.skipped += t.skipped;
    total.failures.push(...t.failures);
  }
  for (const s of stages.filter((s) => s !== 'unit' && s !== 'e2e')) {
    total.failed++;
    total.failures.push(`stage failed: ${s}`);
  }
  for (const f of total.failures) console.log(`FAILED ${f}`);
  if (total.passed + total.failed === 0) console.log('no tests ran');
  console.log(`skipped: ${total.skipped}`);
  console.log(`tests: ${total.passed} passed, ${total.failed} failed`);
  return total.failed > 0 || total.passed === 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
