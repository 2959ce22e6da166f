// `quantiv demo` (what `npm start` runs): the app on the embedded demo lake, served by the
// production nginx.conf. Generates the lake if it is missing and builds the site.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFlags } from './flags.ts';
import { run as serve } from './serve.ts';
import { servedPaths, unreadableBy } from '../node/nginx.ts';

const USAGE = `usage: quantiv demo [--port 8080] [--data data] [--no-build]
Generates the demo lake into --data if it has no manifest.json, builds the site into dist/,
then serves both with nginx (see \`quantiv serve\`).`;

export async function run(argv: string[]): Promise<void> {
  const values = parseFlags(
    argv,
    {
      port: { type: 'string', default: '8080' },
      data: { type: 'string', default: 'data' },
      'no-build': { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (!values) return;
  const data = resolve(values.data);
  // The build does not read the lake, so it runs while the lake is generated: a fresh clone's
  // first start then waits for the longer of the two instead of their sum.
  const built = values['no-build'] ? Promise.resolve() : buildSite();
  // Awaited below; until then the no-op handler keeps a failed build from being an unhandled
  // rejection that would kill the generator in the middle of a file.
  built.catch(() => {});
  if (!existsSync(join(data, 'manifest.json'))) {
    console.log(`No lake at ${data}: generating the demo dataset (seeded, under a minute)…`);
    const { run: generate } = await import('../node/generate/index.ts');
    const code = await generate(['--out', data]);
    if (typeof code === 'number' && code !== 0) throw new Error(`generate failed with exit code ${code}`);
  }
  else {
    // A lake from an older version: add what the pages read fast.
    const { run: rollup } = await import('./rollup.ts');
    await rollup(['--data', data]);
  }
  await built;
  if (hasNginx()) {
    await serve(['--port', values.port, '--data', data, '--site', 'dist', ...demoWorkerUser(data)]);
    return;
  }
  await previewWithoutNginx(Number(values.port), data);
}

async function buildSite(): Promise<void> {
  console.log('Building the site…');
  const { build } = await import('vite');
  await build({ logLevel: 'warn' });
}

/**
 * `serve` run as root drops its workers to nobody, who cannot read a clone under a private folder
 * such as /root. The demo is a local convenience bound to 127.0.0.1: there it keeps root workers,
 * and says so, rather than refusing to start.
 */
function demoWorkerUser(data: string): string[] {
  if (process.getuid?.() !== 0) return [];
  if (!unreadableBy('nobody', servedPaths('dist', data))) return [];
  console.log('note: this folder is not readable by the user nobody, so the demo\'s nginx workers run as root (`quantiv serve` does that only when told: --user root)');
  return ['--user', 'root'];
}

function hasNginx(): boolean {
  return spawnSync('nginx', ['-v'], { stdio: 'ignore' }).status === 0;
}

/**
 * Without nginx the demo still runs: Vite's preview server answers byte ranges too. It is not the
 * production configuration (no nginx.conf headers), so say so.
 */
async function previewWithoutNginx(port: number, data: string): Promise<void> {
  console.warn('nginx is not installed (apt-get install nginx): serving with Vite preview instead of nginx.conf.');
  const link = resolve('dist', 'data');
  if (existsSync(link) || isLink(link)) rmSync(link, { recursive: true, force: true });
  symlinkSync(data, link, 'dir');
  const { preview } = await import('vite');
  const server = await preview({ preview: { port, host: '127.0.0.1', strictPort: true } });
  server.printUrls();
  await new Promise<void>((done) => {
    const stop = () => void server.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
