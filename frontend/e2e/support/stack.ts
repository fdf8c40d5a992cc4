/**
 * Starts the real system for end-to-end tests, as plain processes from
 * docker/entrypoint.sh roles: migrate, api, worker(s) and web (nginx), against the
 * local PostgreSQL (a database of its own, recreated per run) and Redis (its own DB
 * number, flushed per run; the shared server is never stopped).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const ENTRYPOINT = join(REPO_ROOT, 'docker/entrypoint.sh');
const PYTHON = join(REPO_ROOT, '.venv/bin/python');
const LOG_DIR = join(REPO_ROOT, 'frontend/test-results/e2e-logs');

const PG_ADMIN_URL = process.env.E2E_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = process.env.E2E_DB_NAME ?? 'packamal_e2e';
const REDIS_URL = process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379/5';

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

/** Runs a short Python snippet with the project's virtualenv (psycopg and redis are installed there). */
async function python(code: string, args: string[] = []): Promise<string> {
  const child = spawn(PYTHON, ['-c', code, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code_ = await new Promise<number | null>((r) => child.on('exit', r));
  if (code_ !== 0) throw new Error(`python helper failed (${code_}): ${err}`);
  return out.trim();
}

const RESET_SCRIPT = `
import sys, psycopg, redis
admin, db, redis_url = sys.argv[1:4]
with psycopg.connect(admin, autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{db}"')
redis.Redis.from_url(redis_url).flushdb()
`;

const STATUS_SCRIPT = `
import json, sys, psycopg
url, ids = sys.argv[1], sys.argv[2].split(',')
with psycopg.connect(url) as conn:
    rows = conn.execute('SELECT id::text, status FROM package_analysis_job WHERE id::text = ANY(%s)', [ids]).fetchall()
print(json.dumps(dict(rows)))
`;

export class Stack {
  webPort = 0;
  private apiPortValue = 0;
  private api: Proc | null = null;
  private readonly others: Proc[] = [];
  private readonly options: Required<StackOptions>;

  constructor(options: StackOptions) {
    this.options = { workers: 2, apiEnv: {}, ...options };
  }

  get webUrl(): string {
    return `http://127.0.0.1:${this.webPort}`;
  }

  get databaseUrl(): string {
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${DB_NAME}`;
    return url.toString();
  }

  private env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      PATH: `${join(REPO_ROOT, '.venv/bin')}:${process.env.PATH ?? ''}`,
      DATABASE_URL: this.databaseUrl,
      REDIS_URL,
      DJANGO_SECRET_KEY: 'e2e-not-a-secret',
      DJANGO_ALLOWED_HOSTS: '*',
      DJANGO_DEBUG: '0',
      LOG_FORMAT: 'text',
      // Pub/sub channels are global to a Redis server (not per DB number): use our own.
      JOB_UPDATES_CHANNEL: `${DB_NAME}:job_updates`,
      JOB_QUEUE: `${DB_NAME}:jobs`,
      JOB_DEAD_LETTER: `${DB_NAME}:jobs:dead`,
      ...extra,
    };
  }

  private spawnRole(role: string, logName: string, env: NodeJS.ProcessEnv): Proc {
    mkdirSync(LOG_DIR, { recursive: true });
    const log = createWriteStream(join(LOG_DIR, `${this.options.name}-${logName}.log`), { flags: 'a' });
    const child = spawn(ENTRYPOINT, [role], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    return { role, child, exited };
  }

  async start(): Promise<void> {
    await python(RESET_SCRIPT, [PG_ADMIN_URL, DB_NAME, REDIS_URL]);
    const migrate = this.spawnRole('migrate', 'migrate', this.env());
    const code = await migrate.exited;
    if (code !== 0) throw new Error(`migrate exited with ${code} (logs in ${LOG_DIR})`);

    this.apiPortValue = await freePort();
    await this.startApi();
    for (let i = 1; i <= this.options.workers; i += 1) {
      this.others.push(
        this.spawnRole(
          'worker',
          `worker-${i}`,
          this.env({
            WORKER_NAME: `e2e-worker-${i}`,
            WORKER_HEARTBEAT_FILE: join(LOG_DIR, `${this.options.name}-worker-${i}.heartbeat`),
            JOB_DRAIN_SECONDS: '2',
          }),
        ),
      );
    }
    this.webPort = await freePort();
    this.others.push(
      this.spawnRole(
        'web',
        'web',
        this.env({
          WEB_PORT: String(this.webPort),
          API_UPSTREAM: `http://127.0.0.1:${this.apiPortValue}`,
          NGINX_RUN_DIR: join(LOG_DIR, `${this.options.name}-nginx`),
        }),
      ),
    );
    await waitForHttp(`${this.webUrl}/healthz`, 'web');
    await waitForHttp(`${this.webUrl}/api/readyz`, 'api through web');
  }

  /** Starts (or restarts) the api on the same port, and waits until it is ready. */
  async startApi(): Promise<void> {
    this.api = this.spawnRole('api', 'api', this.env({ PORT: String(this.apiPortValue), ...this.options.apiEnv }));
    await waitForHttp(`http://127.0.0.1:${this.apiPortValue}/readyz`, 'api');
  }

  /** Stops the api; SIGKILL (a crash) guarantees no event slips out while it shuts down. */
  async stopApi(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.api) await stop(this.api, signal);
    this.api = null;
  }

  /** Job statuses straight from PostgreSQL (works while the api is down). */
  async jobStatuses(ids: string[]): Promise<Record<string, string>> {
    return JSON.parse(await python(STATUS_SCRIPT, [this.databaseUrl, ids.join(',')])) as Record<string, string>;
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
