import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Page, expect, test } from '@playwright/test';
import { expectLive, pastTheCard, screenshot, watchForPageProblems } from './support/page-helpers';
import { REPO_ROOT, STARTUP_MS, Stack } from './support/stack';

// Real malware, only uploaded (read as bytes by the api), never run.
// They live beside the checkout (../shared/samples; a worktree is one level deeper); PACKAMAL_SAMPLES overrides.
const SAMPLES =
  process.env.PACKAMAL_SAMPLES ??
  [join(REPO_ROOT, '../shared/samples'), join(REPO_ROOT, '../../shared/samples')].find((dir) => existsSync(dir)) ??
  join(REPO_ROOT, '../shared/samples');
const MALICIOUS_NPM = join(SAMPLES, 'npm-malicious/loadyaml-1.0.2.tgz');
const UPLOAD_LIMIT = 1024 * 1024;

const stack = new Stack({
  name: 'analysis',
  workers: 2,
  apiEnv: { DISPATCH_RATE_LIMIT: '0', ANALYSIS_UPLOAD_MAX_BYTES: String(UPLOAD_LIMIT) },
});

interface ApiReport {
  verdict: string;
  score: number;
  findings: { rule: string; title: string; severity: string; file: string; line: number | null }[];
  by_severity: Record<string, number>;
  artifacts: { sha256: string }[];
}

/** Every status the job page shows, from before the app starts (to see queued → running → completed). */
async function recordPageStatuses(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __pageStatuses: string[] }).__pageStatuses = seen;
    new MutationObserver(() => {
      const status = document.querySelector<HTMLElement>('.job-page[data-status]')?.dataset.status;
      if (status && seen.at(-1) !== status) seen.push(status);
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
  });
}

const pageStatuses = (page: Page) => page.evaluate(() => (window as unknown as { __pageStatuses: string[] }).__pageStatuses);

async function expectNoSeriousA11yProblems(page: Page) {
  const a11y = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const serious = a11y.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

function jobIdFromUrl(page: Page): string {
  const match = /\/jobs\/([^/?#]+)$/.exec(new URL(page.url()).pathname);
  if (!match?.[1]) throw new Error(`not on a job page: ${page.url()}`);
  return decodeURIComponent(match[1]);
}

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  test.setTimeout(2 * STARTUP_MS + 60_000); // migrate, then the roles' readiness
  await stack.start();
});
test.afterAll(async () => {
  await stack.stop();
});

let maliciousJobId = '';

test('an uploaded malicious sample goes queued → running → completed, and its page shows the evidence', async ({ page, request }, testInfo) => {
  const problems = watchForPageProblems(page);
  await recordPageStatuses(page);
  await page.goto(stack.webUrl);
  await expectLive(page);

  const panel = page.getByRole('region', { name: 'Analyse a package' });
  await panel.getByRole('tab', { name: 'Archive' }).click();
  await panel.getByLabel('Package archive').setInputFiles(MALICIOUS_NPM);
  await expect(panel.getByLabel('Ecosystem')).toHaveValue('npm');
  await expectNoSeriousA11yProblems(page);
  await panel.getByRole('button', { name: 'Upload and analyse' }).click();

  // The page follows the job at its own address.
  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);
  maliciousJobId = jobIdFromUrl(page);
  const jobPage = page.locator('.job-page');
  await expect(jobPage).toHaveAttribute('data-status', 'completed', { timeout: 90_000 });
  const statuses = await pageStatuses(page);
  expect(['queued', 'running', 'completed'].filter((s) => statuses.includes(s))).toEqual(statuses);
  expect(statuses).toEqual(expect.arrayContaining(['running', 'completed']));

  // What the page shows is what the api reports.
  const report = (await (await request.get(`${stack.webUrl}/api/jobs/${maliciousJobId}/report`)).json()) as ApiReport;
  expect(report.verdict).not.toBe('clean');
  expect(report.findings.length).toBeGreaterThan(0);
  const view = page.locator('.report');
  await expect(view).toHaveAttribute('data-verdict', report.verdict);
  await expect(view.locator('.verdict-line .badge:not(.provenance)')).toHaveText(report.verdict);
  // an upload is marked as such: its name and version are only what the archive claims
  await expect(view.getByTestId('provenance')).toHaveText('upload: claimed name');
  await expect(view).toContainText(`Score ${report.score.toFixed(1)} of 10`);
  await expect(view).toContainText(report.artifacts[0]?.sha256 ?? 'no artifact');
  for (const [severity, count] of Object.entries(report.by_severity)) {
    const toggle = view.locator(`[data-severity="${severity}"] .group-toggle`);
    if (count === 0) await expect(toggle).toHaveCount(0);
    else await expect(toggle).toContainText(`${severity} ${count} finding`);
  }
  // Open every group, then every finding is there with its rule title and file:line.
  // Open every collapsed group; each click re-renders the list, so always take the first left.
  const collapsed = view.locator('.group-toggle[aria-expanded="false"]');
  while ((await collapsed.count()) > 0) await collapsed.first().click();
  await expect(view.locator('.findings li.finding')).toHaveCount(report.findings.length);
  for (const finding of report.findings) {
    const item = view.locator(`li.finding[data-rule="${finding.rule}"]`).first();
    await expect(item.locator('h5')).toHaveText(finding.title);
  }
  const first = report.findings[0];
  if (first) await expect(view).toContainText(first.line ? `${first.file}:${first.line}` : first.file);
  await expect(view.locator('.snippet').first()).not.toBeEmpty();

  // The downloads are the api's JSON and SARIF.
  const sarifHref = await view.getByRole('link', { name: 'Download SARIF' }).getAttribute('href');
  const sarif = (await (await request.get(`${stack.webUrl}${sarifHref}`)).json()) as { version: string };
  expect(sarif.version).toBe('2.1.0');
  const jsonHref = await view.getByRole('link', { name: 'Download JSON' }).getAttribute('href');
  expect(((await (await request.get(`${stack.webUrl}${jsonHref}`)).json()) as ApiReport).verdict).toBe(report.verdict);

  await expectNoSeriousA11yProblems(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  expect(await pastTheCard(page), 'a long unbreakable line (a minified bundle\'s hunk) stays in its own box').toEqual([]);
  await page.setViewportSize({ width: 1400, height: 900 });
  await screenshot(page, testInfo, 'report-desktop');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, testInfo, 'report-phone');
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth, 'no sideways scrolling of the job page at phone width').toBeLessThanOrEqual(390);
  expect(problems).toEqual([]);
});

test('a shared /jobs/{id} link opens cold, straight from nginx', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const response = await page.goto(`${stack.webUrl}/jobs/${maliciousJobId}`);
  expect(response?.status()).toBe(200);
  expect(response?.headers()['cache-control']).toBe('no-cache');
  await expect(page.locator('.job-page')).toHaveAttribute('data-status', 'completed');
  await expect(page.locator('.report li.finding').first()).toBeVisible();
  await expect(page).toHaveTitle(`Pack-A-Mal · job ${maliciousJobId.slice(0, 8)}`);

  // No such job: the api's own sentence.
  const missing = '00000000-0000-4000-8000-000000000000';
  const apiAnswer = await page.request.get(`${stack.webUrl}/api/jobs/${missing}`);
  const message = ((await apiAnswer.json()) as { error: { message: string } }).error.message;
  await page.goto(`${stack.webUrl}/jobs/${missing}`);
  await expect(page.getByRole('alert')).toHaveText(message);
  await context.close();
});

test('a small real package by purl comes out clean, is "analysed before" the second time, and its report is found by purl', async ({ page }) => {
  await page.goto(stack.webUrl);
  await expectLive(page);
  const panel = page.getByRole('region', { name: 'Analyse a package' });
  await panel.getByLabel('By package URL').check();
  const purl = panel.getByLabel('Package URL (purl)');
  await purl.fill('pkg:npm/left-pad@^1');
  await panel.getByRole('button', { name: 'Analyse' }).click();
  await expect(panel.getByText('"^1" is not a version: use an exact version such as 1.2.3, not a range.')).toBeVisible();
  await expect(purl).toHaveAttribute('aria-invalid', 'true');

  await purl.fill('pkg:npm/left-pad@1.3.0');
  await panel.getByRole('button', { name: 'Analyse' }).click();
  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);
  await expect(page.locator('.job-page')).toHaveAttribute('data-status', 'completed', { timeout: 90_000 });
  await expect(page.locator('.report')).toHaveAttribute('data-verdict', 'clean');
  await expect(page.locator('.report')).toContainText('No findings.');
  await expect(page.getByRole('heading', { level: 2 })).toHaveText('Analysis of left-pad@1.3.0');
  // A purl is compared with the release before it: what changed, install/import-time code first.
  const changed = page.getByRole('region', { name: 'What changed' });
  await expect(changed).toContainText('Compared with pkg:npm/left-pad@1.2.0, the release before it.');
  await expect(changed.locator('li.diff-file[data-file="package/index.d.ts"]')).toBeVisible();

  await page.getByRole('link', { name: '← All jobs' }).click();
  const search = page.getByRole('region', { name: 'Find a report' });
  await search.getByLabel('Package URL', { exact: true }).fill('pkg:npm/left-pad@1.3.0');
  await search.getByRole('button', { name: 'Find' }).click();
  await expect(search.getByTestId('found-report')).toContainText('clean');
  await search.getByRole('link', { name: 'Open the report' }).click();
  await expect(page.locator('.report')).toHaveAttribute('data-verdict', 'clean');

  await expect(page.getByTestId('cached')).toHaveCount(0);

  // The same version again: the job completes from the stored report, and says so.
  await page.getByRole('link', { name: '← All jobs' }).click();
  await panel.getByLabel('By package URL').check();
  await panel.getByLabel('Package URL (purl)').fill('pkg:npm/left-pad@1.3.0');
  await panel.getByRole('button', { name: 'Analyse' }).click();
  await expect(page.locator('.job-page')).toHaveAttribute('data-status', 'completed', { timeout: 90_000 });
  await expect(page.getByTestId('cached')).toContainText('Analysed before');

  await page.getByRole('link', { name: '← All jobs' }).click();
  await search.getByLabel('Package URL', { exact: true }).fill('pkg:npm/left-pad@0.0.1');
  await search.getByRole('button', { name: 'Find' }).click();
  await expect(search).toContainText('No report for pkg:npm/left-pad@0.0.1 yet.');
});

test('a lock file makes one job per pinned version, lists what it skipped, and the jobs appear', async ({ page }, testInfo) => {
  const dir = mkdtempSync(join(tmpdir(), 'packamal-e2e-'));
  const lockfile = join(dir, 'requirements.txt');
  writeFileSync(lockfile, 'idna==3.7\nrequests>=2.0\n./vendored-thing\n');
  await page.goto(stack.webUrl);
  await expectLive(page);
  const panel = page.getByRole('region', { name: 'Analyse a package' });
  await panel.getByRole('tab', { name: 'Lock file' }).click();
  await panel.getByLabel('Dependency lock file').setInputFiles(lockfile);
  await panel.getByRole('button', { name: 'Analyse every pinned package' }).click();
  const outcome = panel.getByTestId('lockfile-outcome');
  await expect(outcome).toContainText('Created 1 analysis job from requirements.txt; skipped 2 entries.');
  await expect(outcome.locator('.skipped li')).toHaveCount(2);
  await expect(outcome.locator('.skipped li').first()).toContainText('requests>=2.0 — ');
  await expect(outcome.locator('.skipped li').nth(1)).toContainText('./vendored-thing — ');
  await expectNoSeriousA11yProblems(page);

  // The job is in the table, named by its package (its purl while queued, name@version once
  // its report is in: the job may already be done by now), filterable by task.
  const row = page.locator('tr[data-job-id]', { has: page.getByRole('link', { name: /^(pkg:pypi\/)?idna@3\.7$/ }) });
  await expect(row).toHaveCount(1);
  await page.getByRole('region', { name: 'Jobs', exact: true }).getByLabel('Task').selectOption('simulate');
  await expect(row).toHaveCount(0);
  await page.getByRole('region', { name: 'Jobs', exact: true }).getByLabel('Task').selectOption('analyze');
  await expect(row).toHaveCount(1);
  await page.getByRole('region', { name: 'Jobs', exact: true }).getByLabel('Verdict').selectOption('malicious');
  await expect(row).toHaveCount(0);
  await expect(page.locator(`tr[data-job-id="${maliciousJobId}"]`)).toHaveCount(1);
  await page.getByRole('region', { name: 'Jobs', exact: true }).getByLabel('Verdict').selectOption('');
  await page.getByRole('region', { name: 'Jobs', exact: true }).getByLabel('Task').selectOption('');
  await page.setViewportSize({ width: 1400, height: 900 });
  await screenshot(page, testInfo, 'dashboard-analysis', false);
});

test("a 413 and a 422 from the upload route are shown in the API's words", async ({ page, request }) => {
  const dir = mkdtempSync(join(tmpdir(), 'packamal-e2e-'));
  const big = join(dir, 'big-1.0.0.tgz');
  writeFileSync(big, randomBytes(UPLOAD_LIMIT + 4096));
  const fake = join(dir, 'notes-1.0.0.tgz');
  writeFileSync(fake, 'these are notes, not an archive\n');
  const apiSays = async (path: string, name: string) => {
    const buffer = readFileSync(path);
    const answer = await request.post(`${stack.webUrl}/api/analyze/upload`, {
      multipart: { ecosystem: 'npm', file: { name, mimeType: 'application/gzip', buffer } },
    });
    return { status: answer.status(), message: ((await answer.json()) as { error: { message: string } }).error.message };
  };
  const tooLarge = await apiSays(big, 'big-1.0.0.tgz');
  const notArchive = await apiSays(fake, 'notes-1.0.0.tgz');
  expect([tooLarge.status, notArchive.status]).toEqual([413, 422]);

  await page.goto(stack.webUrl);
  const panel = page.getByRole('region', { name: 'Analyse a package' });
  await panel.getByRole('tab', { name: 'Archive' }).click();
  await panel.getByLabel('Package archive').setInputFiles(big);
  await panel.getByRole('button', { name: 'Upload and analyse' }).click();
  await expect(panel.getByRole('alert')).toHaveText(tooLarge.message);
  await panel.getByLabel('Package archive').setInputFiles(fake);
  await panel.getByRole('button', { name: 'Upload and analyse' }).click();
  await expect(panel.getByRole('alert')).toHaveText(notArchive.message);
  await expect(page).toHaveURL(`${stack.webUrl}/`);
});

/** A ustar archive of `files` (what `tar` writes), built here so the test needs no tool. */
function tarOf(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const header = Buffer.alloc(512);
    header.write(name, 0);
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148); // the checksum counts its own field as spaces
    header.write('0', 156);
    header.write('ustar\x0000', 257);
    const sum = header.reduce((total, byte) => total + byte, 0);
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, data, Buffer.alloc(-data.length & 511));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

test('what could not be analysed says so, with the reason: on its page, in a lock file\'s tally, by purl and in the table', async ({ page }, testInfo) => {
  const problems = watchForPageProblems(page);
  const dir = mkdtempSync(join(tmpdir(), 'packamal-e2e-'));
  // A whole tar whose gzip lost its last bytes: pip's reader would still take it.
  const cut = join(dir, 'cut-pkg-1.0.0.tgz');
  const manifest = JSON.stringify({ name: 'cut-pkg', version: '1.0.0' });
  writeFileSync(cut, gzipSync(tarOf({ 'package/package.json': manifest })).subarray(0, -4));

  await page.goto(stack.webUrl);
  await expectLive(page);
  const panel = page.getByRole('region', { name: 'Analyse a package' });
  await panel.getByRole('tab', { name: 'Archive' }).click();
  await panel.getByLabel('Package archive').setInputFiles(cut);
  await panel.getByRole('button', { name: 'Upload and analyse' }).click();
  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);
  const cutJobId = jobIdFromUrl(page);
  await expect(page.locator('.job-page')).toHaveAttribute('data-status', 'failed', { timeout: 90_000 });
  const box = page.getByTestId('could-not-analyse');
  await expect(box.locator('.badge')).toHaveText('could not analyse');
  await expect(box).toContainText('Why: Archive is truncated or corrupt (gzip)');
  await expect(box).toContainText('it is not clean');
  await expect(page.locator('.report')).toHaveCount(0);
  await expectNoSeriousA11yProblems(page);
  await screenshot(page, testInfo, 'could-not-analyse-job', false);

  // A lock file naming a version the registry does not have: counted apart, with the reason.
  const missing = 'pkg:pypi/packamal-no-such-package-4f1c9e@1.0';
  const lockfile = join(dir, 'requirements.txt');
  writeFileSync(lockfile, 'idna==3.7\npackamal-no-such-package-4f1c9e==1.0\n');
  await page.getByRole('link', { name: '← All jobs' }).click();
  await panel.getByRole('tab', { name: 'Lock file' }).click();
  await panel.getByLabel('Dependency lock file').setInputFiles(lockfile);
  await panel.getByRole('button', { name: 'Analyse every pinned package' }).click();
  const outcome = panel.getByTestId('lockfile-outcome');
  await expect(outcome.getByTestId('lockfile-tally')).toHaveText('1 clean · 1 could not analyse', { timeout: 120_000 });
  await expect(outcome.getByTestId('lockfile-unanalysed')).toContainText(`${missing} — No such package`);
  await expectNoSeriousA11yProblems(page);
  await screenshot(page, testInfo, 'could-not-analyse-lockfile', false);

  // By purl: the newest analysis failed, so there is no verdict to show, only why and when.
  const search = page.getByRole('region', { name: 'Find a report' });
  await search.getByLabel('Package URL', { exact: true }).fill(missing);
  await search.getByRole('button', { name: 'Find' }).click();
  await expect(search.getByTestId('could-not-analyse')).toContainText(`The newest analysis of ${missing} failed.`);
  await expect(search.getByTestId('could-not-analyse')).toContainText('Why: No such package');
  await expect(search.getByTestId('found-report')).toHaveCount(0);

  // The table marks them and filters them.
  const jobs = page.getByRole('region', { name: 'Jobs', exact: true });
  await jobs.getByLabel('Verdict').selectOption('unanalysed');
  await expect(page.locator(`tr[data-job-id="${cutJobId}"] [data-verdict="unanalysed"]`)).toHaveText('could not analyse');
  await expect(page.locator('tr[data-job-id] [data-verdict="clean"]')).toHaveCount(0);
  await jobs.getByLabel('Verdict').selectOption('');
  expect(problems).toEqual([]);
});
