import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { quantivEngine } from './scripts/engine/vite-plugin.ts';

// `npm run bench` builds a second page, bench.html (src/bench/main.ts), into its own folder; the
// production build never contains it.
const benchInput = process.env.QUANTIV_BENCH === '1'
  ? { input: { main: fileURLToPath(new URL('./index.html', import.meta.url)), bench: fileURLToPath(new URL('./bench.html', import.meta.url)) } }
  : {};

export default defineConfig({
  plugins: [svelte(), quantivEngine()],
  // Relative asset URLs: the built site works from any sub-path of a bucket or CDN.
  base: './',
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 5000,
    rollupOptions: {
      ...benchInput,
      onwarn(warning, warn) {
        // duckdb-wasm's bundled sha256 evals require('crypto') on node only; it never runs here.
        if (warning.code === 'EVAL' && warning.id?.includes('@duckdb/duckdb-wasm')) return;
        warn(warning);
      },
    },
  },
  resolve: {
    // duckdb-wasm 1.32's "./blocking" export points browsers at a file the package does not ship
    // (dist/duckdb-node-blocking.mjs), and its exports map hides the browser build: name it directly.
    alias: {
      '@duckdb/duckdb-wasm/dist/duckdb-browser-blocking.mjs': fileURLToPath(
        new URL('./node_modules/@duckdb/duckdb-wasm/dist/duckdb-browser-blocking.mjs', import.meta.url),
      ),
    },
  },
  optimizeDeps: { exclude: ['@duckdb/duckdb-wasm'] },
  server: { fs: { allow: ['.'] } },
});
