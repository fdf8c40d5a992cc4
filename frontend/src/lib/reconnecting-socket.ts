export type ConnectionStatus = 'connecting' | 'open' | 'closed';

export interface ConnectionState {
  status: ConnectionStatus;
  /** When the next attempt starts (epoch ms) while closed; null otherwise. */
  retryAt: number | null;
  /** Consecutive failed attempts since the last open connection. */
  failures: number;
}

export interface ReconnectingSocketOptions {
  url: string;
  onMessage: (data: string) => void;
  /** Called on every successful open; `reconnected` is false only for the very first one. */
  onOpen?: (reconnected: boolean) => void;
  onStateChange?: (state: ConnectionState) => void;
  /** Injected in tests. */
  createSocket?: (url: string) => WebSocket;
  random?: () => number;
  now?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** Exponential back-off with "equal jitter": half fixed, half random, capped. */
export function backoffDelay(failures: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** A WebSocket that reconnects with back-off until stopped. */
export class ReconnectingSocket {
  private readonly options: Required<Omit<ReconnectingSocketOptions, 'onOpen' | 'onStateChange'>> &
    Pick<ReconnectingSocketOptions, 'onOpen' | 'onStateChange'>;
  private socket: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private everOpened = false;
  private state: ConnectionState = { status: 'connecting', retryAt: null, failures: 0 };

  constructor(options: ReconnectingSocketOptions) {
    this.options = {
      createSocket: (url) => new WebSocket(url),
      random: Math.random,
      now: Date.now,
      baseDelayMs: 500,
      maxDelayMs: 10_000,
      ...options,
    };
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
  }

  /** Skips the remaining back-off (e.g. when the browser comes back online). */
  retryNow(): void {
    if (this.stopped || this.state.status !== 'closed') return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.connect();
  }

  getState(): ConnectionState {
    return this.state;
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.options.onStateChange?.(state);
  }

  private connect(): void {
    this.setState({ status: 'connecting', retryAt: null, failures: this.state.failures });
    let socket: WebSocket;
    try {
      socket = this.options.createSocket(this.options.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.setState({ status: 'open', retryAt: null, failures: 0 });
      this.options.onOpen?.(reconnected);
    };
    socket.onmessage = (event: MessageEvent) => {
      if (this.socket === socket && typeof event.data === 'string') this.options.onMessage(event.data);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleRetry();
    };
    // An error is always followed by close, which does the retrying.
    socket.onerror = () => undefined;
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const failures = this.state.failures + 1;
    const { baseDelayMs, maxDelayMs, random, now } = this.options;
    const delay = backoffDelay(failures, baseDelayMs, maxDelayMs, random);
    this.setState({ status: 'closed', retryAt: now() + delay, failures });
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }
}

/** ws(s)://<this host>/ws/... — same origin, so one build serves every environment. */
export function sameOriginWsUrl(path: string, location: Location = window.location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}
