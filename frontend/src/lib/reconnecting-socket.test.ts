import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket, createFakeSocket } from '../test/fake-websocket';
import { type ConnectionState, ReconnectingSocket, backoffDelay, sameOriginWsUrl } from './reconnecting-socket';

describe('backoffDelay', () => {
  it('doubles per failure up to the cap, with jitter in the upper half', () => {
    const max = () => 1;
    const min = () => 0;
    expect(backoffDelay(1, 500, 10_000, max)).toBe(500);
    expect(backoffDelay(2, 500, 10_000, max)).toBe(1000);
    expect(backoffDelay(4, 500, 10_000, max)).toBe(4000);
    expect(backoffDelay(10, 500, 10_000, max)).toBe(10_000);
    expect(backoffDelay(10, 500, 10_000, min)).toBe(5000);
  });
});

describe('ReconnectingSocket', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWebSocket.reset();
  });
  afterEach(() => vi.useRealTimers());

  function start() {
    const states: ConnectionState[] = [];
    const opens: boolean[] = [];
    const messages: string[] = [];
    const socket = new ReconnectingSocket({
      url: 'ws://example.test/ws/jobs',
      createSocket: createFakeSocket,
      random: () => 1,
      onMessage: (data) => messages.push(data),
      onOpen: (reconnected) => opens.push(reconnected),
      onStateChange: (state) => states.push(state),
    });
    socket.start();
    return { socket, states, opens, messages };
  }

  it('reconnects with growing back-off and reports reconnects', () => {
    const { socket, opens, messages } = start();
    FakeWebSocket.latest().open();
    expect(socket.getState().status).toBe('open');
    FakeWebSocket.latest().receive('{"id":"x"}');
    expect(messages).toEqual(['{"id":"x"}']);

    FakeWebSocket.latest().drop();
    expect(socket.getState()).toMatchObject({ status: 'closed', failures: 1 });
    vi.advanceTimersByTime(499);
    expect(FakeWebSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.instances).toHaveLength(2);

    FakeWebSocket.latest().drop(); // still down: wait longer
    expect(socket.getState().failures).toBe(2);
    vi.advanceTimersByTime(999);
    expect(FakeWebSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    FakeWebSocket.latest().open();

    expect(opens).toEqual([false, true]);
    expect(socket.getState()).toMatchObject({ status: 'open', failures: 0 });
  });

  it('retries at once when asked (browser back online)', () => {
    const { socket } = start();
    FakeWebSocket.latest().drop();
    socket.retryNow();
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('stops for good when stopped', () => {
    const { socket } = start();
    FakeWebSocket.latest().open();
    socket.stop();
    expect(FakeWebSocket.latest().closed).toBe(true);
    FakeWebSocket.latest().drop();
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});

describe('sameOriginWsUrl', () => {
  it('uses ws: for http and wss: for https on the same host', () => {
    expect(sameOriginWsUrl('/ws/jobs', { protocol: 'http:', host: 'localhost:8080' } as Location)).toBe('ws://localhost:8080/ws/jobs');
    expect(sameOriginWsUrl('/ws/jobs', { protocol: 'https:', host: 'example.org' } as Location)).toBe('wss://example.org/ws/jobs');
  });
});
