import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// During `npm run dev`, /api and /ws go to a local api (the same paths nginx serves in production).
const apiTarget = process.env.API_UPSTREAM ?? 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': { target: apiTarget, rewrite: (path) => path.replace(/^\/api/, '') },
      '/ws': { target: apiTarget, ws: true },
    },
  },
  build: {
    target: 'es2022',
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}', 'scripts/**/*.test.mjs'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
    // Bounds, not budgets: a thousand rows in jsdom take seconds on an idle machine and
    // minutes on a shared one under load (30 s flaked at load 30); a hang still fails.
    testTimeout: 120_000,
  },
});
