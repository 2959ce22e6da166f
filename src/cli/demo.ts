// `quantiv demo` (what `npm start` runs): the app on the embedded demo lake, served by the
// production nginx.conf. Generates the lake if it is missing and builds the site.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { run as serve } from './serve.ts';

const USAGE = `usage: quantiv demo [--port 8080] [--data data] [--no-build]
Generates the demo lake into --data if it has no manifest.json, builds the site into dist/,
then serves both with nginx (see \`quantiv serve\`).`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '8080' },
      data: { type: 'string', default: 'data' },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const data = resolve(values.data);
  if (!existsSync(join(data, 'manifest.json'))) {
    console.log(`No lake at ${data}: generating the demo dataset (seeded, about a minute)…`);
    const { run: generate } = await import('../node/generate/index.ts');
    const code = await generate(['--out', data]);
    if (typeof code === 'number' && code !== 0) throw new Error(`generate failed with exit code ${code}`);
  }
  if (!values['no-build']) {
    console.log('Building the site…');
    const { build } = await import('vite');
    await build({ logLevel: 'warn' });
  }
  await serve(['--port', values.port, '--data', data, '--site', 'dist']);
}
