// Vite plugin: every `vite build`, `vite` dev server and `quantiv demo` first makes sure the
// self-built parquet extension is in public/ (cached, sha256-checked), and a build precompresses
// the engine's wasm and scripts so nginx's gzip_static serves them at gzip -9 with no CPU per request.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Plugin, ResolvedConfig } from 'vite';

const script = fileURLToPath(new URL('./build-parquet-extension.ts', import.meta.url));
const COMPRESS = /\.(wasm|js|mjs|css|svg|html|json)$/;

export function quantivEngine(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'quantiv-engine',
    configResolved(resolved) {
      config = resolved;
    },
    buildStart() {
      if (process.env.VITEST) return;
      const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));
      const result = spawnSync(process.execPath, [tsx, script], { stdio: 'inherit' });
      if (result.status !== 0) throw new Error('The DuckDB parquet extension could not be built (see above)');
    },
    closeBundle() {
      if (config.command !== 'build') return;
      for (const file of walk(config.build.outDir)) {
        if (!COMPRESS.test(file)) continue;
        const bytes = readFileSync(file);
        if (bytes.length < 1024) continue;
        writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
      }
    },
  };
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}
