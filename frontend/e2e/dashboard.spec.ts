import AxeBuilder from '@axe-core/playwright';
import { type Page, expect, test } from '@playwright/test';
import {
  collectDispatchedIds,
  dispatchFromForm,
  expectLive,
  jobRow,
  recordRowHistory,
  rowHistory,
  screenshot,
  watchForPageProblems,
} from './support/page-helpers';
import { STARTUP_MS, Stack } from './support/stack';

/** The value of one of the counters (Completed, Running, ...). */
function counter(page: Page, label: string) {
  return page.getByTestId('stats').locator('.counter', { has: page.getByText(label, { exact: true }) }).locator('dd');
}

// Rate limiting is off here so the thousand-job test can dispatch quickly; rate-limit.spec.ts covers 429s.
const stack = new Stack({ name: 'dashboard', workers: 2, apiEnv: { DISPATCH_RATE_LIMIT: '0' } });

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  test.setTimeout(2 * STARTUP_MS + 60_000); // migrate, then the roles' readiness
  await stack.start();
});
test.afterAll(async () => {
  await stack.stop();
});

test('dispatched jobs go queued → running → completed live, without a reload', async ({ page }, testInfo) => {
  const problems = watchForPageProblems(page);
  await recordRowHistory(page);
  const ids = collectDispatchedIds(page);
  await page.goto(stack.webUrl);
  await expectLive(page);
  await expect(page.getByText('No jobs yet. Dispatch one with the form.')).toBeVisible();

  await dispatchFromForm(page, { seconds: '2', mode: 'sleep', count: '3' });
  await expect(page.getByText('Dispatched 3 jobs.')).toBeVisible();
  await expect.poll(() => ids.length).toBe(3);

  for (const id of ids) await expect(jobRow(page, id)).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(counter(page, 'Completed')).toHaveText('3');
  await screenshot(page, testInfo, 'dashboard-desktop');

  const history = await rowHistory(page);
  for (const id of ids) {
    const { statuses, progress } = history[id] ?? { statuses: [], progress: [] };
    // Every row stayed in place and only moved forwards; the page was never reloaded.
    expect(['queued', 'running', 'completed'].filter((s) => statuses.includes(s))).toEqual(statuses);
    expect(statuses).toContain('running');
    expect(statuses.at(-1)).toBe('completed');
    expect(progress.some((p) => p > 0 && p < 1), `progress bar of ${id} moved: ${progress}`).toBe(true);
  }
  // Two workers, three jobs: at least one row was seen waiting in the queue.
  expect(ids.some((id) => history[id]?.statuses[0] === 'queued')).toBe(true);

  // The detail panel shows params and result.
  const firstId = ids[0] ?? '';
  await page.getByRole('button', { name: `Show details of job ${firstId}` }).click();
  const panel = page.getByRole('complementary');
  await expect(panel).toContainText('"mode": "sleep"');
  await expect(panel).toContainText('"elapsed"');
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();

  // Labels, names, contrast and structure, checked by axe (serious and critical issues fail).
  const a11y = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const serious = a11y.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);

  // Keyboard: the form is reachable and submits without a mouse.
  await page.getByRole('region', { name: 'Dispatch jobs' }).getByLabel('Task').focus();
  for (const label of ['Seconds', 'Mode', 'Count']) {
    await page.keyboard.press('Tab');
    await expect(page.getByLabel(label)).toBeFocused();
  }
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Dispatch' })).toBeFocused();

  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, testInfo, 'dashboard-phone');
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth, 'no sideways scrolling of the page at phone width').toBeLessThanOrEqual(390);
  expect(problems).toEqual([]);
});

test('after the api restarts, the page reconnects and shows jobs that finished meanwhile', async ({ page }, testInfo) => {
  await recordRowHistory(page);
  const ids = collectDispatchedIds(page);
  await page.goto(stack.webUrl);
  await expectLive(page);

  await dispatchFromForm(page, { seconds: '4', mode: 'sleep', count: '2' });
  await expect.poll(() => ids.length).toBe(2);
  for (const id of ids) await expect(jobRow(page, id)).toHaveAttribute('data-status', 'running');

  await stack.stopApi('SIGKILL');
  await expect(page.getByTestId('connection')).not.toHaveAttribute('data-state', 'open');
  await expect(page.getByTestId('connection')).toContainText(/Disconnected|Reconnecting|Connecting/);

  // The workers finish while the api is away; those events are lost for the page.
  await stack.waitForJobs(ids, 'completed');
  for (const id of ids) await expect(jobRow(page, id)).toHaveAttribute('data-status', 'running');
  await screenshot(page, testInfo, 'api-down');

  await stack.startApi();
  await expectLive(page);
  for (const id of ids) await expect(jobRow(page, id)).toHaveAttribute('data-status', 'completed');
  await screenshot(page, testInfo, 'api-recovered');
});

test("an invalid value is explained: first by the form, then in the API's own words", async ({ page, request }, testInfo) => {
  await page.goto(stack.webUrl);
  await expectLive(page);
  const posts: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST') posts.push(r.url());
  });

  await dispatchFromForm(page, { seconds: '601', count: '1' });
  await expect(page.getByText('Seconds must be between 0 and 600.')).toBeVisible();
  await expect(page.getByLabel('Seconds')).toHaveAttribute('aria-invalid', 'true');
  expect(posts).toEqual([]);

  // A client whose checks differ from the server's: the body is changed on its way out.
  const invalidBody = { task: 'simulate', params: { seconds: 601, mode: 'sleep' } };
  const direct = await request.post(`${stack.webUrl}/api/dispatch`, { data: invalidBody });
  expect(direct.status()).toBe(422);
  const apiMessage = ((await direct.json()) as { error: { message: string } }).error.message;

  await page.route('**/api/dispatch', (route) => route.continue({ postData: JSON.stringify(invalidBody) }));
  await dispatchFromForm(page, { seconds: '1', count: '1' });
  const alert = page.getByRole('alert');
  await expect(alert).toContainText(apiMessage);
  await screenshot(page, testInfo, 'validation-error', false);
});

test('a thousand jobs stream in live and the table pages through them', async ({ page, request }, testInfo) => {
  test.setTimeout(420_000);
  const problems = watchForPageProblems(page);
  await page.goto(stack.webUrl);
  await expectLive(page);

  const body = { task: 'simulate', params: { seconds: 0, mode: 'sleep' } };
  const total = 1000;
  let sent = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (sent < total) {
        sent += 1;
        const response = await request.post(`${stack.webUrl}/api/dispatch`, { data: body });
        expect(response.status()).toBe(202);
      }
    }),
  );

  // Wait until the workers are done, then the page's counters must agree with the api.
  await expect
    .poll(async () => ((await (await request.get(`${stack.webUrl}/api/stats`)).json()) as { jobs: { queued: number; running: number } }).jobs, {
      timeout: 120_000,
    })
    .toEqual(expect.objectContaining({ queued: 0, running: 0 }));
  const stats = (await (await request.get(`${stack.webUrl}/api/stats`)).json()) as { jobs: { completed: number } };
  await expect(counter(page, 'Completed')).toHaveText(stats.jobs.completed.toLocaleString('en-US'));

  // The table shows a window of rows, newest first, and pages further on demand.
  const rows = page.locator('tr[data-job-id]');
  await expect(rows).toHaveCount(100);
  await page.getByRole('button', { name: 'Show older jobs' }).click();
  await expect(rows).toHaveCount(200);
  await page.getByLabel('Status').selectOption('completed');
  await expect(rows.first()).toHaveAttribute('data-status', 'completed');
  await screenshot(page, testInfo, 'thousand-jobs', false);
  expect(problems).toEqual([]);
});
