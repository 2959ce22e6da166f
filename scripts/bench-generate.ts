// Throughput of `quantiv generate` at ~10M option rows (40 symbols over the default dates).
// Usage: npx tsx scripts/bench-generate.ts [generate flags]; default --symbols 40 into a temp folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGenerateArgs } from '../src/node/generate/args.ts';
import { generate, summary } from '../src/node/generate/index.ts';

const argv = process.argv.slice(2);
const scratch = argv.includes('--out') ? null : await mkdtemp(join(tmpdir(), 'quantiv-bench-'));
const opts = parseGenerateArgs([...(argv.includes('--symbols') ? [] : ['--symbols', '40']), ...(scratch ? ['--out', scratch] : []), ...argv]);
if (opts === 'help') process.exit(0);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);
try {
  const r = await generate(opts, opts.quiet ? () => {} : (l) => console.log(l));
  clearInterval(sampler);
  console.log(summary(r));
  const rows = r.rows.options ?? 0;
  const maxRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
  console.log(
    `bench: ${rows.toLocaleString('en-US')} option rows (${opts.symbols.length} symbols), ${r.seconds.toFixed(1)} s, ` +
      `${Math.round(rows / r.seconds).toLocaleString('en-US')} rows/s, peak RSS ${(maxRss / 1048576).toFixed(0)} MiB`,
  );
} finally {
  clearInterval(sampler);
  if (scratch) await rm(scratch, { recursive: true, force: true });
}
