import { expect, test } from '@playwright/test';
import { dispatchFromForm, expectLive, screenshot } from './support/page-helpers';
import { STARTUP_MS, Stack } from './support/stack';

const stack = new Stack({ name: 'rate-limit', workers: 1, apiEnv: { DISPATCH_RATE_LIMIT: '2/minute' } });

test.beforeAll(async () => {
  test.setTimeout(2 * STARTUP_MS + 60_000); // migrate, then the roles' readiness
  await stack.start();
});
test.afterAll(async () => {
  await stack.stop();
});

test('a 429 shows the retry hint from Retry-After', async ({ page }, testInfo) => {
  let retryAfter: string | null = null;
  page.on('response', (response) => {
    if (response.url().endsWith('/api/dispatch') && response.status() === 429) retryAfter = response.headers()['retry-after'] ?? null;
  });
  await page.goto(stack.webUrl);
  await expectLive(page);

  await dispatchFromForm(page, { seconds: '0', count: '3' });
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('2 of 3 jobs were dispatched before this error.');
  expect(retryAfter).toMatch(/^\d+$/);
  const seconds = Number(retryAfter);
  // The api's sentence, and the hint computed from the Retry-After header.
  await expect(alert).toContainText('Too many requests from this client');
  await expect(alert.locator('.retry-hint')).toHaveText(
    new RegExp(`^You can dispatch again at [\\d:]+ \\(in (${seconds} seconds?|\\d+ minutes)\\)\\.$`),
  );
  await screenshot(page, testInfo, 'rate-limited', false);
});
