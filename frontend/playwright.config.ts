import { defineConfig, devices } from '@playwright/test';

// Debian's Chromium; Playwright's own browser download is never used (no network for it).
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/artifacts',
  // Each spec file starts its own stack on shared local services: one at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  // Bounds for a loaded shared machine (the stack is several Python processes and nginx on
  // 2 cores); a passing test takes what it takes, far less.
  timeout: 300_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: {
    ...devices['Desktop Chrome'],
    viewport: { width: 1360, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});
