/**
 * One sweep's event stream: the WebSocket (`/ws/sweeps/{id}/`, signed in by
 * the session cookie), else the long-polling endpoint
 * (`GET /api/sweeps/{id}/events/?after=&wait=`), never both for long.
 *
 * - It keeps the last `seq` it handed on and resumes after it, on the socket
 *   (`?after=`) and when polling alike; every event is handed on once, in
 *   `seq` order, whichever path (or both, while switching) brought it.
 * - A socket that closes or errs (a blocked one may only close, never open)
 *   hands over to polling at once; the socket is tried again now and then,
 *   and takes over again once it has greeted.
 * - Once the sweep is final (its last `sweep.status`), polling stops: a
 *   finished sweep's log gets nothing more.
 */
import { api, unwrap } from '../api/client';
import { ApiError } from '../api/errors';
import {
  classifyMessage,
  type Hello,
  isEvent,
  isFinal,
  readStatus,
  type ServerError,
  type SweepEvent,
} from './events';

/**
 * How the page gets its events: trying the socket, on it, polling, done
 * polling a finished sweep, or refused for good (no access, signed out).
 */
export type StreamMode = 'connecting' | 'socket' | 'polling' | 'ended' | 'failed' | 'stopped';

/** What of a browser WebSocket the stream uses (tests inject a fake). */
export interface SocketLike {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  close(code?: number, reason?: string): void;
}
export type SocketFactory = new (url: string) => SocketLike;

export interface StreamHandlers {
  onHello?(hello: Hello): void;
  /** New events, in `seq` order; `replay` when all of them are older than the greeting. */
  onEvents(events: SweepEvent[], info: { replay: boolean }): void;
  onMode?(mode: StreamMode): void;
  /** The socket's answer to a steering message it could not carry out. */
  onServerError?(error: ServerError): void;
  /** A poll failed (it is retried), or null once one succeeds again. */
  onPollError?(error: unknown): void;
}

export interface StreamOptions {
  sweepId: number;
  /** Resume after this `seq` (0: from the sweep's start). */
  after?: number;
  handlers: StreamHandlers;
  WebSocket?: SocketFactory;
  /** The socket's address for a cursor (default: this page's host). */
  socketUrl?: (sweepId: number, after: number) => string;
  /** Seconds a poll may wait on the server for an event (the server's maximum is 25). */
  pollWaitS?: number;
  /** The first socket retry while polling; doubled after each failure. */
  socketRetryMs?: number;
  socketRetryMaxMs?: number;
  /** A socket that has not greeted by then counts as failed. */
  helloTimeoutMs?: number;
  /** After a failed poll; doubled after each failure. */
  pollRetryMs?: number;
  pollRetryMaxMs?: number;
}

export function defaultSocketUrl(sweepId: number, after: number): string {
  const { protocol, host } = window.location;
  const scheme = protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${host}/ws/sweeps/${sweepId}/?after=${after}`;
}

async function pollEvents(sweepId: number, after: number, wait: number, signal: AbortSignal) {
  return unwrap(
    await api.GET('/api/sweeps/{id}/events/', {
      params: { path: { id: sweepId }, query: { after, wait } },
      signal,
    }),
  );
}

/** A refusal that polling again cannot fix: no such sweep, no access, signed out. */
function isFatal(error: unknown): boolean {
  return error instanceof ApiError && error.isClientError && error.status !== 429 && error.status !== 408;
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

export class SweepStream {
  private readonly options: Required<Omit<StreamOptions, 'after' | 'handlers' | 'WebSocket'>>;
  private readonly handlers: StreamHandlers;
  private readonly Socket: SocketFactory | undefined;
  private seq: number;
  private socket: SocketLike | null = null;
  /** The current socket has greeted: it carries the stream. */
  private socketLive = false;
  private replayUntil = 0;
  private polling = false;
  private pollAbort: AbortController | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private helloTimer: ReturnType<typeof setTimeout> | null = null;
  private retryDelay: number;
  private finalSeen = false;
  private stopped = false;
  private currentMode: StreamMode = 'connecting';

  constructor(options: StreamOptions) {
    this.seq = options.after ?? 0;
    this.handlers = options.handlers;
    this.Socket =
      options.WebSocket ?? (typeof WebSocket === 'undefined' ? undefined : (WebSocket as SocketFactory));
    this.options = {
      sweepId: options.sweepId,
      socketUrl: options.socketUrl ?? defaultSocketUrl,
      pollWaitS: options.pollWaitS ?? 25,
      socketRetryMs: options.socketRetryMs ?? 5_000,
      socketRetryMaxMs: options.socketRetryMaxMs ?? 60_000,
      helloTimeoutMs: options.helloTimeoutMs ?? 10_000,
      pollRetryMs: options.pollRetryMs ?? 2_000,
      pollRetryMaxMs: options.pollRetryMaxMs ?? 30_000,
    };
    this.retryDelay = this.options.socketRetryMs;
  }

  /** The last `seq` handed on. */
  get lastSeq(): number {
    return this.seq;
  }

  get mode(): StreamMode {
    return this.currentMode;
  }

  start(): void {
    this.openSocket();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.pollAbort?.abort();
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000);
    this.setMode('stopped');
  }

  private setMode(mode: StreamMode): void {
    if (mode === this.currentMode) return;
    this.currentMode = mode;
    this.handlers.onMode?.(mode);
  }

  private clearTimers(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.helloTimer !== null) clearTimeout(this.helloTimer);
    this.retryTimer = null;
    this.helloTimer = null;
  }

  private openSocket(): void {
    if (this.stopped) return;
    if (!this.Socket) {
      this.socketFailed(false);
      return;
    }
    let socket: SocketLike;
    try {
      socket = new this.Socket(this.options.socketUrl(this.options.sweepId, this.seq));
    } catch {
      this.socketFailed(false);
      return;
    }
    this.socket = socket;
    this.socketLive = false;
    this.helloTimer = setTimeout(() => this.dropSocket(socket), this.options.helloTimeoutMs);
    socket.onmessage = (message) => this.onSocketMessage(socket, message);
    // A refused handshake may fire `error` then `close`, or `close` alone.
    socket.onerror = () => this.dropSocket(socket);
    socket.onclose = () => this.dropSocket(socket);
  }

  private dropSocket(socket: SocketLike): void {
    if (socket !== this.socket) return;
    const wasLive = this.socketLive;
    this.socket = null;
    this.socketLive = false;
    if (this.helloTimer !== null) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    socket.onmessage = null;
    try {
      socket.close();
    } catch {
      // already closed
    }
    this.socketFailed(wasLive);
  }

  private socketFailed(wasLive: boolean): void {
    if (this.stopped) return;
    if (wasLive) this.retryDelay = this.options.socketRetryMs;
    if (!this.finalSeen) void this.pollLoop();
    this.scheduleSocketRetry(wasLive ? Math.min(1_000, this.retryDelay) : this.retryDelay);
    if (!wasLive) this.retryDelay = Math.min(this.retryDelay * 2, this.options.socketRetryMaxMs);
  }

  private scheduleSocketRetry(delay: number): void {
    if (this.stopped || this.finalSeen || !this.Socket || this.currentMode === 'failed') return;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.socketLive && !this.finalSeen) this.openSocket();
    }, delay);
  }

  private onSocketMessage(socket: SocketLike, message: MessageEvent): void {
    if (socket !== this.socket || this.stopped) return;
    let data: unknown;
    try {
      data = JSON.parse(String(message.data));
    } catch {
      return;
    }
    const parsed = classifyMessage(data);
    if (!parsed) return;
    if (parsed.kind === 'hello') {
      if (this.helloTimer !== null) clearTimeout(this.helloTimer);
      this.helloTimer = null;
      this.socketLive = true;
      this.replayUntil = parsed.hello.seq;
      this.retryDelay = this.options.socketRetryMs;
      // The socket resumes after our cursor: the poll in flight is not needed.
      this.pollAbort?.abort();
      this.setMode('socket');
      this.handlers.onHello?.(parsed.hello);
    } else if (parsed.kind === 'event') {
      this.receive([parsed.event]);
    } else {
      this.handlers.onServerError?.(parsed.error);
    }
  }

  /** Hand on the events after the cursor, once each, in order. */
  private receive(events: readonly SweepEvent[]): void {
    const fresh = events.filter((event) => event.seq > this.seq).sort((a, b) => a.seq - b.seq);
    const out: SweepEvent[] = [];
    for (const event of fresh) {
      if (event.seq > this.seq) {
        out.push(event);
        this.seq = event.seq;
      }
    }
    if (out.length === 0) return;
    if (out.some((e) => e.type === 'sweep.status' && isFinal(readStatus((e.payload as { status?: unknown }).status)))) {
      this.finalSeen = true;
    }
    this.handlers.onEvents(out, { replay: this.seq <= this.replayUntil });
  }

  private async pollLoop(): Promise<void> {
    if (this.polling || this.stopped) return;
    this.polling = true;
    this.setMode('polling');
    let failures = 0;
    try {
      while (!this.stopped && !this.socketLive && !this.finalSeen) {
        const abort = new AbortController();
        this.pollAbort = abort;
        try {
          const answer = await pollEvents(this.options.sweepId, this.seq, this.options.pollWaitS, abort.signal);
          if (abort.signal.aborted) break;
          if (failures > 0) this.handlers.onPollError?.(null);
          failures = 0;
          this.receive((answer.events ?? []).filter(isEvent));
        } catch (error) {
          if (abort.signal.aborted || isAbort(error) || this.stopped) break;
          this.handlers.onPollError?.(error);
          if (isFatal(error)) {
            this.stopped = true;
            this.clearTimers();
            const socket = this.socket;
            this.socket = null;
            socket?.close();
            this.setMode('failed');
            return;
          }
          failures += 1;
          const delay = Math.min(this.options.pollRetryMs * 2 ** (failures - 1), this.options.pollRetryMaxMs);
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    } finally {
      this.polling = false;
      this.pollAbort = null;
    }
    if (this.stopped) return;
    if (this.socketLive) this.setMode('socket');
    else if (this.finalSeen) {
      this.clearTimers();
      this.setMode('ended');
    }
  }
}
