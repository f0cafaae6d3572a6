import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { ApiError } from '../api/errors';
import { SESSION_KEY } from '../api/session';
import { sweepKeys } from '../api/sweeps';
import type { ServerError, Sweep, SweepEvent } from './events';
import { applyEvents, applyHello, applySnapshot, initialLiveState, type LiveState } from './reducer';
import { type SocketFactory, type StreamMode, SweepStream } from './stream';
import { throttle } from './throttle';

/** How often the page re-renders at most while events pour in (a replay, a busy sweep). */
const RENDER_EVERY_MS = 200;
/** How often the analyses (leaderboard, heatmap...) are fetched again at most while the sweep moves. */
export const REFETCH_EVERY_MS = 5_000;

export interface LiveView {
  state: LiveState;
  mode: StreamMode;
  /** The last poll failed (it is being retried), or null. */
  pollError: unknown;
  /** The socket's answer to a steering message it refused. */
  serverError: ServerError | null;
}

/**
 * Holds the folded state outside React, publishing it at most every
 * RENDER_EVERY_MS: a replay of thousands of events is one render, not thousands.
 */
class LiveStore {
  private view: LiveView;
  private published: LiveView;
  private listeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    this.view = { state: initialLiveState(), mode: 'connecting', pollError: null, serverError: null };
    this.published = this.view;
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.published;

  get state(): LiveState {
    return this.view.state;
  }

  update(change: Partial<LiveView>, now = false): void {
    this.view = { ...this.view, ...change };
    if (now) this.flush();
    else if (this.timer === null) this.timer = setTimeout(() => this.flush(), RENDER_EVERY_MS);
  }

  flush = () => {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.published === this.view) return;
    this.published = this.view;
    for (const listener of this.listeners) listener();
  };

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** Events after which the analyses are worth fetching again. */
function movesAnalysis(events: readonly SweepEvent[], before: LiveState, after: LiveState): boolean {
  return (
    events.some((event) => event.type === 'leaderboard' || event.type === 'sweep.status') ||
    (after.counters?.done ?? 0) !== (before.counters?.done ?? 0)
  );
}

export interface SweepLiveOptions {
  /** The sweep read over REST: the state to show until the stream has greeted. */
  snapshot?: Sweep | undefined;
  WebSocket?: SocketFactory;
  socketUrl?: (sweepId: number, after: number) => string;
}

/**
 * A sweep's live state, from its whole event log (replayed from `seq` 0,
 * then followed), over the socket or by polling. Analyses are invalidated,
 * throttled, as leaderboard and progress events arrive.
 */
export function useSweepLive(sweepId: number, options: SweepLiveOptions = {}): LiveView {
  const queryClient = useQueryClient();
  const [store, setStore] = useState(() => ({ id: sweepId, store: new LiveStore() }));
  const current = store.id === sweepId ? store.store : null;
  if (current === null) setStore({ id: sweepId, store: new LiveStore() });
  const live = current ?? store.store;
  const { WebSocket, socketUrl } = options;

  useEffect(() => {
    const refetch = throttle(() => {
      void queryClient.invalidateQueries({ queryKey: sweepKeys.analysis(sweepId) });
    }, REFETCH_EVERY_MS);
    const stream = new SweepStream({
      sweepId,
      after: live.state.lastSeq,
      WebSocket,
      socketUrl,
      handlers: {
        onHello(hello) {
          live.update({ state: applyHello(live.state, hello) });
          queryClient.setQueryData(sweepKeys.detail(sweepId), hello.sweep);
        },
        onEvents(events, { replay }) {
          const before = live.state;
          const after = applyEvents(before, events);
          live.update({ state: after });
          if (!replay && movesAnalysis(events, before, after)) refetch.call();
          if (events.some((event) => event.type === 'sweep.status')) {
            void queryClient.invalidateQueries({ queryKey: sweepKeys.detail(sweepId) });
          }
        },
        onMode(mode) {
          live.update({ mode }, true);
        },
        onServerError(serverError) {
          live.update({ serverError }, true);
        },
        onPollError(pollError) {
          live.update({ pollError }, true);
          // Signed out meanwhile: the app takes the person to the sign-in page.
          if (pollError instanceof ApiError && pollError.status === 401) {
            void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
          }
        },
      },
    });
    stream.start();
    return () => {
      stream.stop();
      refetch.cancel();
      live.dispose();
    };
  }, [sweepId, live, queryClient, WebSocket, socketUrl]);

  const { snapshot } = options;
  useEffect(() => {
    if (snapshot) live.update({ state: applySnapshot(live.state, snapshot, 0) }, true);
  }, [live, snapshot]);

  return useSyncExternalStore(live.subscribe, live.getSnapshot);
}
