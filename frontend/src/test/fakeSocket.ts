import type { SocketLike } from '../live/stream';

/**
 * A stand-in for the browser's WebSocket, at the network boundary: the test
 * plays the server (`greet`, `send`, `refuse`, `drop`) and reads what the
 * page asked for (`url`). Every socket made is kept in `FakeSocket.made`.
 */
export class FakeSocket implements SocketLike {
  static made: FakeSocket[] = [];

  static reset(): void {
    FakeSocket.made = [];
  }

  static last(): FakeSocket {
    const socket = FakeSocket.made[FakeSocket.made.length - 1];
    if (!socket) throw new Error('no socket was opened');
    return socket;
  }

  readonly url: string;
  closed = false;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;

  constructor(url: string) {
    this.url = url;
    FakeSocket.made.push(this);
  }

  /** The `after` cursor the socket was opened with. */
  get after(): number | null {
    const value = new URL(this.url).searchParams.get('after');
    return value === null ? null : Number(value);
  }

  close(): void {
    this.closed = true;
  }

  open(): void {
    this.onopen?.(new Event('open'));
  }

  send(message: unknown): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(message) }));
  }

  /** Opens and sends the greeting. */
  greet(seq: number, sweep: unknown): void {
    this.open();
    this.send({ type: 'hello', seq, sweep });
  }

  /** A refused handshake, as browsers report it: `error`, then `close` (1006). */
  refuse(): void {
    this.onerror?.(new Event('error'));
    this.onclose?.(new CloseEvent('close', { code: 1006 }));
  }

  /** A socket blocked by a proxy: only `close`, never `open` nor `error`. */
  drop(code = 1011): void {
    this.closed = true;
    this.onclose?.(new CloseEvent('close', { code }));
  }
}
