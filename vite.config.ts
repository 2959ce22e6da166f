import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  plugins: [svelte()],
  // Relative asset URLs: the built site works from any sub-path of a bucket or CDN.
  base: './',
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 5000,
    rollupOptions: {
      onwarn(warning, warn) {
        // duckdb-wasm's bundled sha256 evals require('crypto') on node only; it never runs here.
        if (warning.code === 'EVAL' && warning.id?.includes('@duckdb/duckdb-wasm')) return;
        warn(warning);
      },
    },
  },
  optimizeDeps: { exclude: ['@duckdb/duckdb-wasm'] },
  server: { fs: { allow: ['.'] } },
});
