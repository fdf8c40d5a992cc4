/**
 * Starts the real system for end-to-end tests: migrate, api, worker(s) and web (nginx),
 * each a docker/entrypoint.sh role started through the Python process harness
 * (`python -m harness`, harness/), which finds PostgreSQL and Redis, makes the run's
 * database, and gives every role the same environment with the run's own queue names
 * and job-updates channel. The shared servers are never stopped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const PYTHON = join(REPO_ROOT, '.venv/bin/python');
const LOG_DIR = join(REPO_ROOT, 'frontend/test-results/e2e-logs');
// Queue names and a job-updates channel of this run's own: pub/sub spans every Redis db, and
// another checkout's e2e run may share the server.
const NAMESPACE = `e2e-${process.pid}`;

export interface StackOptions {
  /** Names the log files. */
  name: string;
  workers?: number;
  /** Extra environment for the api (e.g. DISPATCH_RATE_LIMIT). */
  apiEnv?: Record<string, string>;
}

interface Proc {
  role: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForHttp(url: string, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await sleep(200);
  }
  throw new Error(`${what} did not become ready at ${url}: ${last} (logs in ${LOG_DIR})`);
}

/** Runs `python -m harness ARGS` to its end and returns what it printed. */
async function harness(args: string[]): Promise<string> {
  const child = spawn(PYTHON, ['-m', 'harness', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`python -m harness ${args[0]} failed (${code}): ${err}`);
  return out.trim();
}

export class Stack {
  webPort = 0;
  private apiPortValue = 0;
  private api: Proc | null = null;
  private readonly others: Proc[] = [];
  private readonly options: Required<StackOptions>;
  private databaseUrl = '';
  private redisUrl = '';

  constructor(options: StackOptions) {
    this.options = { workers: 2, apiEnv: {}, ...options };
  }

  get webUrl(): string {
    return `http://127.0.0.1:${this.webPort}`;
  }

  /** The role through the harness, which execs docker/entrypoint.sh with the role environment. */
  private spawnRole(role: string, logName: string, env: Record<string, string> = {}): Proc {
    mkdirSync(LOG_DIR, { recursive: true });
    const log = createWriteStream(join(LOG_DIR, `${this.options.name}-${logName}.log`), { flags: 'a' });
    const args = ['-m', 'harness', 'role', role, '--namespace', NAMESPACE];
    args.push('--database-url', this.databaseUrl, '--redis-url', this.redisUrl);
    for (const [name, value] of Object.entries(env)) args.push('--set', `${name}=${value}`);
    const child = spawn(PYTHON, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    return { role, child, exited };
  }

  async start(): Promise<void> {
    const urls = JSON.parse(await harness(['fresh', 'e2e'])) as { DATABASE_URL: string; REDIS_URL: string };
    this.databaseUrl = urls.DATABASE_URL;
    this.redisUrl = urls.REDIS_URL;
    const migrate = this.spawnRole('migrate', 'migrate');
    const code = await migrate.exited;
    if (code !== 0) throw new Error(`migrate exited with ${code} (logs in ${LOG_DIR})`);

    this.apiPortValue = await freePort();
    await this.startApi();
    for (let i = 1; i <= this.options.workers; i += 1) {
      this.others.push(
        this.spawnRole(
          'worker',
          `worker-${i}`,
          {
            WORKER_NAME: `e2e-worker-${i}`,
            WORKER_HEARTBEAT_FILE: join(LOG_DIR, `${this.options.name}-worker-${i}.heartbeat`),
            JOB_DRAIN_SECONDS: '2',
          },
        ),
      );
    }
    this.webPort = await freePort();
    this.others.push(
      this.spawnRole(
        'web',
        'web',
        {
          WEB_PORT: String(this.webPort),
          API_UPSTREAM: `http://127.0.0.1:${this.apiPortValue}`,
          NGINX_RUN_DIR: join(LOG_DIR, `${this.options.name}-nginx`),
          // One loopback address stands in for every user here: lift nginx's per-client
          // limits (docs/security.md), so the api's own limits are what the tests meet.
          WEB_CONN_PER_CLIENT: '60000',
          WEB_WS_PER_CLIENT: '60000',
          WEB_API_RATE: '1000000r/s',
          WEB_API_BURST: '1000000',
        },
      ),
    );
    await waitForHttp(`${this.webUrl}/healthz`, 'web');
    await waitForHttp(`${this.webUrl}/api/readyz`, 'api through web');
  }

  /** Starts (or restarts) the api on the same port, and waits until it is ready. */
  async startApi(): Promise<void> {
    this.api = this.spawnRole('api', 'api', { PORT: String(this.apiPortValue), ...this.options.apiEnv });
    await waitForHttp(`http://127.0.0.1:${this.apiPortValue}/readyz`, 'api');
  }

  /** Stops the api; SIGKILL (a crash) guarantees no event slips out while it shuts down. */
  async stopApi(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.api) await stop(this.api, signal);
    this.api = null;
  }

  /** Job statuses straight from PostgreSQL (works while the api is down). */
  async jobStatuses(ids: string[]): Promise<Record<string, string>> {
    const out = await harness(['job-statuses', '--database-url', this.databaseUrl, ...ids]);
    return JSON.parse(out) as Record<string, string>;
  }

  async waitForJobs(ids: string[], status: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const statuses = await this.jobStatuses(ids);
      if (ids.every((id) => statuses[id] === status)) return;
      await sleep(250);
    }
    throw new Error(`jobs did not all reach ${status}: ${JSON.stringify(await this.jobStatuses(ids))}`);
  }

  async stop(): Promise<void> {
    const all = [...(this.api ? [this.api] : []), ...this.others];
    this.api = null;
    this.others.length = 0;
    await Promise.all(all.map((proc) => stop(proc)));
  }
}

async function stop(proc: Proc, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill(signal);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
  await proc.exited;
  clearTimeout(timer);
}
