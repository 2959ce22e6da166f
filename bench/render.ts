// `npm run bench:report [-- NAME]`: re-renders bench/results/NAME.md (default latest) from the
// samples in NAME.json, e.g. after a change to the report's layout; measures nothing.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderMarkdown } from './report.ts';
import type { BenchResult } from './run.ts';

const name = process.argv[2] ?? 'latest';
const dir = join(resolve(import.meta.dirname), 'results');
const result = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as BenchResult;
const md = renderMarkdown(result);
writeFileSync(join(dir, `${name}.md`), md);
console.log(md);
