import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeSocket } from '../test/fakeSocket';
import { json, stubFetch } from '../test/fetchStub';
import { event, progress, SWEEP } from '../test/sweepFixtures';
import type { SweepEvent } from './events';
import { type StreamMode, SweepStream } from './stream';

/**
 * The polling endpoint as the server answers it: the log's events after
 * `after`, at once when there are some, else held until the request is
 * aborted (a long poll that outlives the test).
 */
function pollingServer(log: () => SweepEvent[], overlap = 0) {
  return stubFetch({
    'GET /api/sweeps/7/events/': (request) => {
      const after = Number(new URL(request.url).searchParams.get('after'));
      // `overlap`: the answer repeats events the client already has.
      const events = log().filter((e) => e.seq > after - overlap && e.seq > 0);
      if (events.every((e) => e.seq <= after)) events.length = 0;
      if (events.length > 0) return json({ events, last_seq: events[events.length - 1]?.seq });
      return new Promise<Response>((_, reject) => {
        request.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    },
  });
}

function polls(requests: Request[]): number[] {
  return requests
    .filter((r) => new URL(r.url).pathname === '/api/sweeps/7/events/')
    .map((r) => Number(new URL(r.url).searchParams.get('after')));
}

function start(options: Partial<ConstructorParameters<typeof SweepStream>[0]> = {}) {
  const received: SweepEvent[] = [];
  const modes: StreamMode[] = [];
  const stream = new SweepStream({
    sweepId: 7,
    after: 0,
    WebSocket: FakeSocket,
    socketUrl: (id, after) => `ws://testserver/ws/sweeps/${id}/?after=${after}`,
    socketRetryMs: 30,
    pollRetryMs: 10,
    helloTimeoutMs: 5_000,
    handlers: {
      onEvents: (events) => received.push(...events),
      onMode: (mode) => modes.push(mode),
    },
    ...options,
  });
  stream.start();
  return { stream, received, modes, seqs: () => received.map((e) => e.seq) };
}

let stream: SweepStream | null = null;

beforeEach(() => FakeSocket.reset());
afterEach(() => {
  stream?.stop();
  stream = null;
});

describe('the sweep stream', () => {
  it('opens the socket from the cursor and hands on its events once each, in seq order', () => {
    const live = start();
    stream = live.stream;
    const socket = FakeSocket.last();
    expect(socket.after).toBe(0);

    socket.greet(3, SWEEP);
    for (const seq of [1, 2, 2, 3, 1]) socket.send(progress(seq, seq));

    expect(live.seqs()).toEqual([1, 2, 3]);
    expect(live.stream.lastSeq).toBe(3);
    expect(live.modes).toEqual(['socket']);
  });

  it('falls back to polling when a blocked socket only closes, and says so', async () => {
    const { requests } = pollingServer(() => [progress(1, 10), progress(2, 20)]);
    const live = start({ socketRetryMs: 60_000 });
    stream = live.stream;

    FakeSocket.last().drop(1011);

    await vi.waitFor(() => expect(live.seqs()).toEqual([1, 2]));
    expect(live.modes).toContain('polling');
    expect(live.stream.mode).toBe('polling');
    // The next poll asks for what came after the last event.
    await vi.waitFor(() => expect(polls(requests)).toEqual([0, 2]));
  });

  it('resumes polling after the last seq the socket brought, without repeating any', async () => {
    const log = [1, 2, 3, 4, 5].map((seq) => progress(seq, seq * 10));
    const { requests } = pollingServer(() => log, 2);
    const live = start({ socketRetryMs: 60_000 });
    stream = live.stream;
    const socket = FakeSocket.last();
    socket.greet(3, SWEEP);
    for (const e of log.slice(0, 3)) socket.send(e);

    socket.refuse();

    await vi.waitFor(() => expect(live.seqs()).toEqual([1, 2, 3, 4, 5]));
    expect(polls(requests)[0]).toBe(3);
  });

  it('retries the socket while polling, resumes it after the last seq and stops polling once it greets', async () => {
    const log = [1, 2, 3].map((seq) => progress(seq, seq));
    const { requests } = pollingServer(() => log);
    const live = start({ socketRetryMs: 20 });
    stream = live.stream;
    FakeSocket.last().refuse();
    await vi.waitFor(() => expect(live.seqs()).toEqual([1, 2, 3]));

    // The retry: a new socket, from the cursor.
    await vi.waitFor(() => expect(FakeSocket.made.length).toBe(2));
    const retry = FakeSocket.last();
    expect(retry.after).toBe(3);
    retry.greet(4, SWEEP);
    // The server replays what came after the cursor; a repeat changes nothing.
    retry.send(progress(3, 3));
    retry.send(progress(4, 4));
    log.push(progress(4, 4), progress(5, 5));
    retry.send(progress(5, 5));

    expect(live.seqs()).toEqual([1, 2, 3, 4, 5]);
    expect(live.stream.mode).toBe('socket');
    const pollsSoFar = polls(requests).length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(polls(requests).length).toBe(pollsSoFar);
  });

  it('tries the socket again later when the retry fails too, polling meanwhile', async () => {
    pollingServer(() => []);
    const live = start({ socketRetryMs: 10 });
    stream = live.stream;
    FakeSocket.last().refuse();
    await vi.waitFor(() => expect(FakeSocket.made.length).toBe(2));
    FakeSocket.last().drop();
    await vi.waitFor(() => expect(FakeSocket.made.length).toBe(3));
    expect(live.stream.mode).toBe('polling');
  });

  it('stops polling once the sweep is final', async () => {
    const log = [progress(1, 720), event(2, 'sweep.status', { status: 'completed', error: '' })];
    const { requests } = pollingServer(() => log);
    const live = start({ socketRetryMs: 60_000 });
    stream = live.stream;
    FakeSocket.last().refuse();

    await vi.waitFor(() => expect(live.stream.mode).toBe('ended'));
    expect(live.seqs()).toEqual([1, 2]);
    expect(polls(requests)).toEqual([0]);
  });

  it('gives up for good when the server refuses the polling (a sweep one may not see)', async () => {
    stubFetch({
      'GET /api/sweeps/7/events/': () => json({ detail: 'Not found.', errors: [] }, 404),
    });
    const errors: unknown[] = [];
    const live = start({
      socketRetryMs: 10,
      handlers: { onEvents: () => {}, onPollError: (error) => errors.push(error) },
    });
    stream = live.stream;
    FakeSocket.last().refuse();

    await vi.waitFor(() => expect(live.stream.mode).toBe('failed'));
    expect(errors[0]).toMatchObject({ status: 404, message: 'Not found.' });
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(FakeSocket.made.length).toBe(1);
  });

  it('retries a poll that failed on the network, from the same cursor', async () => {
    let calls = 0;
    const { requests } = stubFetch({
      'GET /api/sweeps/7/events/': (request) => {
        calls += 1;
        if (calls === 1) return Promise.reject(new TypeError('Failed to fetch'));
        const after = Number(new URL(request.url).searchParams.get('after'));
        if (after >= 1) return new Promise<Response>(() => {});
        return json({ events: [progress(1, 1)], last_seq: 1 });
      },
    });
    const live = start({ socketRetryMs: 60_000 });
    stream = live.stream;
    FakeSocket.last().refuse();

    await vi.waitFor(() => expect(live.seqs()).toEqual([1]));
    expect(polls(requests).slice(0, 2)).toEqual([0, 0]);
  });
});
