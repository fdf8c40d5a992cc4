/**
 * Starts the real system for end-to-end tests: migrate, api, worker(s) and web (nginx),
 * each a docker/entrypoint.sh role started through the Python process harness
 * (`python -m harness`, harness/), which finds PostgreSQL and Redis, makes the run's
 * database, and gives every role the same environment with the run's own queue names
 * and job-updates channel. The shared servers are never stopped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
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
  /** The role's output so far (also in its log file), for the error when it fails to start. */
  output: string[];
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

/**
 * How long the stack may take to come up: generous, since a loaded 2-core machine is slow to
 * start Django and nginx (the same bound as the harness's, PACKAMAL_STARTUP_SECONDS). A role
 * that exits meanwhile fails the wait at once; either way the error shows the roles' output.
 */
export const STARTUP_MS = Number(process.env.PACKAMAL_STARTUP_SECONDS ?? 120) * 1000;

async function waitForHttp(url: string, what: string, procs: Proc[], deadline = Date.now() + STARTUP_MS): Promise<void> {
  let last = '';
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    const dead = procs.find((proc) => proc.child.exitCode !== null || proc.child.signalCode !== null);
    if (dead || Date.now() > deadline) {
      const why = dead ? `${dead.role} exited (${dead.child.exitCode ?? dead.child.signalCode})` : `not ready (${last})`;
      throw new Error(`${what} at ${url}: ${why}${procs.map(outputOf).join('')}`);
    }
    await sleep(200);
  }
}

/** Until a worker touches its heartbeat file: it does so in its loop, before it takes a job. */
async function waitForHeartbeat(file: string, proc: Proc, deadline: number): Promise<void> {
  while (!existsSync(file)) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null || Date.now() > deadline) {
      const why = Date.now() > deadline ? 'no heartbeat yet' : `exited (${proc.child.exitCode ?? proc.child.signalCode})`;
      throw new Error(`${proc.role} taking jobs (${file}): ${why}${outputOf(proc)}`);
    }
    await sleep(200);
  }
}

function outputOf(proc: Proc): string {
  return `\n--- ${proc.role} ---\n${proc.output.join('').slice(-6000)}`;
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
    const output: string[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      stream?.pipe(log);
      stream?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    }
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    return { role, child, exited, output };
  }

  async start(): Promise<void> {
    const urls = JSON.parse(await harness(['fresh', 'e2e'])) as { DATABASE_URL: string; REDIS_URL: string };
    this.databaseUrl = urls.DATABASE_URL;
    this.redisUrl = urls.REDIS_URL;
    const migrate = this.spawnRole('migrate', 'migrate');
    const code = await migrate.exited;
    if (code !== 0) throw new Error(`migrate exited with ${code}${outputOf(migrate)}`);

    const deadline = Date.now() + STARTUP_MS;
    this.apiPortValue = await freePort();
    await this.startApi(deadline);
    const workers: [string, Proc][] = [];
    for (let i = 1; i <= this.options.workers; i += 1) {
      const heartbeat = join(LOG_DIR, `${this.options.name}-worker-${i}.heartbeat`);
      rmSync(heartbeat, { force: true }); // a file left by an earlier run is no sign of life
      const worker = this.spawnRole('worker', `worker-${i}`, {
        WORKER_NAME: `e2e-worker-${i}`,
        WORKER_HEARTBEAT_FILE: heartbeat,
        JOB_DRAIN_SECONDS: '2',
      });
      workers.push([heartbeat, worker]);
      this.others.push(worker);
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
    const all = [...(this.api ? [this.api] : []), ...this.others];
    await waitForHttp(`${this.webUrl}/healthz`, 'web', all, deadline);
    await waitForHttp(`${this.webUrl}/api/readyz`, 'api through web', all, deadline);
    // Workers load the analysis engine before their loop: on a loaded machine that took
    // over 40 s, and a test that dispatched meanwhile saw its jobs wait in the queue.
    for (const [heartbeat, worker] of workers) await waitForHeartbeat(heartbeat, worker, deadline);
  }

  /** Starts (or restarts) the api on the same port, and waits until it is ready. */
  async startApi(deadline = Date.now() + STARTUP_MS): Promise<void> {
    const api = this.spawnRole('api', 'api', { PORT: String(this.apiPortValue), ...this.options.apiEnv });
    this.api = api;
    await waitForHttp(`http://127.0.0.1:${this.apiPortValue}/readyz`, 'api', [api], deadline);
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
