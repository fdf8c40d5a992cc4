import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Page, type TestInfo, expect } from '@playwright/test';
import { REPO_ROOT } from './stack';

export const SCREENSHOT_DIR = join(REPO_ROOT, 'frontend/test-results/screenshots');

export interface RowHistory {
  statuses: string[];
  progress: number[];
}

/**
 * Records every status and progress value each job row shows, from before the app
 * starts, so a test can assert a row went queued → running → completed in place.
 */
export async function recordRowHistory(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const history: Record<string, { statuses: string[]; progress: number[] }> = {};
    (window as unknown as { __rowHistory: typeof history }).__rowHistory = history;
    const scan = () => {
      for (const row of Array.from(document.querySelectorAll<HTMLElement>('tr[data-job-id]'))) {
        const id = row.dataset.jobId ?? '';
        const entry = (history[id] ??= { statuses: [], progress: [] });
        const status = row.dataset.status ?? '';
        if (entry.statuses.at(-1) !== status) entry.statuses.push(status);
        const progress = Number(row.dataset.progress ?? '0');
        if (status === 'running' && entry.progress.at(-1) !== progress) entry.progress.push(progress);
      }
    };
    new MutationObserver(scan).observe(document, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-status', 'data-progress'],
    });
  });
}

export async function rowHistory(page: Page): Promise<Record<string, RowHistory>> {
  return page.evaluate(() => (window as unknown as { __rowHistory: Record<string, RowHistory> }).__rowHistory);
}

/** Collects ids from the page's own POST /api/dispatch answers. */
export function collectDispatchedIds(page: Page): string[] {
  const ids: string[] = [];
  page.on('response', async (response) => {
    if (response.request().method() === 'POST' && response.url().endsWith('/api/dispatch') && response.status() === 202) {
      const body = (await response.json()) as { id: string };
      ids.push(body.id);
    }
  });
  return ids;
}

/** Fails the test on any Content-Security-Policy violation or uncaught page error. */
export function watchForPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  return problems;
}

export async function dispatchFromForm(page: Page, values: { seconds: string; mode?: 'cpu' | 'sleep'; count: string }) {
  await page.getByLabel('Seconds').fill(values.seconds);
  await page.getByLabel('Mode').selectOption(values.mode ?? 'sleep');
  await page.getByLabel('Count').fill(values.count);
  await page.getByRole('button', { name: 'Dispatch' }).click();
}

export function jobRow(page: Page, id: string) {
  return page.locator(`tr[data-job-id="${id}"]`);
}

export async function expectLive(page: Page) {
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'open');
  await expect(page.getByTestId('connection')).toContainText('Live');
}

export async function screenshot(page: Page, testInfo: TestInfo, name: string, fullPage = true) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/**
 * Adds a line as long as a minified bundle's (a diff hunk, a snippet) to the report on the
 * page, then lists the report's parts that reach past the job's card: the verdict box, the
 * facts and the findings must stay in the card while the long line scrolls in its own box.
 */
export async function pastTheCard(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const report = document.querySelector('.report');
    const card = document.querySelector('.job-page');
    if (!report || !card) return ['no report or no job card on the page'];
    // as a hunk is held: a scrolling <pre> inside a box that is not one
    const line = document.createElement('div');
    const pre = document.createElement('pre');
    pre.className = 'hunk-lines';
    pre.textContent = 'x'.repeat(5000);
    line.append(pre);
    report.append(line);
    const right = card.getBoundingClientRect().right;
    const out = Array.from(report.children)
      .filter((el) => el.getBoundingClientRect().right > right + 1)
      .map((el) => `${el.className || el.tagName} ends at ${Math.round(el.getBoundingClientRect().right)} > ${Math.round(right)}`);
    line.remove();
    return out;
  });
}
