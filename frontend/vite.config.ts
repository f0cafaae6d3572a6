/// <reference types="vitest/config" />
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `make run`'s web server (PROMPTLOOPER_DEV_BACKEND for another). The dev
// server keeps the browser's Host header (no changeOrigin): Django's CSRF
// check compares it with the Origin.
const DJANGO = process.env.PROMPTLOOPER_DEV_BACKEND ?? 'http://127.0.0.1:8400';

export default defineConfig(({ command }) => ({
  // Built, Django serves the assets as static files under /static/app/
  // (settings.STATICFILES_DIRS) and index.html for every client route.
  base: command === 'build' ? '/static/app/' : '/',
  plugins: [react(), tailwindcss()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // ECharts (~590 kB raw, ~200 kB gzipped) is a lazy chunk of its own, loaded
    // by the pages with charts only; scripts/bundle-size.mjs guards first load.
    chunkSizeWarningLimit: 700,
    // A fixed name for the first-load chunk: scripts/bundle-size.mjs reads it.
    rolldownOptions: { output: { entryFileNames: 'assets/entry-[hash].js' } },
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: DJANGO },
      '/ws': { target: DJANGO, ws: true },
    },
  },
  test: {
    // Unit and component tests; e2e/ drives a real browser (npm run e2e).
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'jsdom',
    testTimeout: 20_000, // a loaded CI machine; the async waits are 5 s each
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    css: false,
    restoreMocks: true,
    unstubGlobals: true,
  },
}));
