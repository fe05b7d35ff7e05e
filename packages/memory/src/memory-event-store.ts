import { randomBytes } from 'node:crypto';
import {
  assertValidSessionId,
  type Clock,
  closedError,
  type EventStoreBaseOptions,
  type EventStoreCapabilities,
  type EventStoreFactory,
  encodeStoredMessage,
  isPrimingEventId,
  parsePrimingEventId,
  primingEventId,
  resolveEventStoreLimits,
  type SendEvent,
  type SessionEventStore,
  SessionStoreError,
  type StoredMessage,
  systemClock,
} from '@mcp-session-store/core';
import {
  DEFAULT_NAMESPACE,
  type EventListener,
  MemoryBackend,
  type NamespaceState,
  type SessionEvents,
  type StoredEvent,
} from './backend.js';
import { startSweeper } from './sweeper.js';

/** Options of {@link MemoryEventStore}. */
export interface MemoryEventStoreOptions extends EventStoreBaseOptions {
  /** Share events with other components (see {@link MemoryBackend}). Default: a private backend. */
  backend?: MemoryBackend | undefined;
  /** Isolates these events from other namespaces of the same backend. Default `'mcp'`. */
  namespace?: string | undefined;
  /** Time source; tests pass a `TestClock`. Default: the system clock. */
  clock?: Clock | undefined;
  /** How often expired sessions' events are removed from memory, in ms; 0 disables. Default 60 000. */
  sweepIntervalMs?: number | undefined;
}

const CAPABILITIES: EventStoreCapabilities = Object.freeze({
  adapter: '@mcp-session-store/memory',
  clock: 'injectable',
  // Stryker disable next-line BooleanLiteral: the suites run in one process; the flag describes process boundaries they cannot see (docs/mutation.md)
  sharedAcrossProcesses: false,
});

/** Where a replay starts: a stored event, or (seq 0) the start of a stream, for a priming id. */
type ReplayStart = Pick<StoredEvent, 'seq' | 'streamId'>;

function assertStreamId(streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new SessionStoreError('INVALID_ARGUMENT', 'streamId must be a non-empty string');
  }
}

function eventNotFound(): SessionStoreError {
  return new SessionStoreError('EVENT_NOT_FOUND', 'Unknown event id for this session');
}

/**
 * Resumable-stream storage in process memory: the SDK's `EventStore` per session, with the rules
 * of the contract (ids that resolve to their stream, priming events never stored and resuming from
 * the start of their stream, foreign ids refused, a cap per stream, expiry with the session, live
 * `follow`).
 *
 * @example
 * ```ts
 * const events = new MemoryEventStore({ ttlMs: 30 * 60_000 });
 * const transport = new StreamableHTTPServerTransport({
 *   sessionIdGenerator: () => sessionId,
 *   eventStore: events.forSession(sessionId),
 * });
 * ```
 */
export class MemoryEventStore implements EventStoreFactory {
  readonly capabilities = CAPABILITIES;
  private readonly backend: MemoryBackend;
  private readonly namespace: string;
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly maxEventsPerStream: number;
  private readonly stopSweeper: () => void;
  private readonly followers = new Set<AbortController>();
  private closed = false;

  constructor(options: MemoryEventStoreOptions = {}) {
    this.backend = options.backend ?? new MemoryBackend();
    this.namespace = options.namespace ?? DEFAULT_NAMESPACE;
    this.clock = options.clock ?? systemClock;
    const limits = resolveEventStoreLimits(options);
    this.ttlMs = limits.ttlMs;
    this.maxEventsPerStream = limits.maxEventsPerStream;
    // Stryker disable next-line all: memory-only housekeeping outside the contract (the suites pass sweepIntervalMs 0 and check expiry on read); memory-adapter.test.ts covers it
    this.stopSweeper = startSweeper(options.sweepIntervalMs ?? 60_000, () => this.sweepExpired());
  }

  forSession(sessionId: string): SessionEventStore {
    assertValidSessionId(sessionId);
    return {
      sessionId,
      storeEvent: async (streamId, message) => this.store(sessionId, streamId, message),
      tailEventId: async (streamId) => this.tail(sessionId, streamId),
      getStreamIdForEventId: async (eventId) => this.find(sessionId, eventId)?.streamId,
      replayEventsAfter: async (lastEventId, { send }) => {
        const start = this.require(sessionId, lastEventId);
        for (const event of this.after(sessionId, start)) await send(event.id, JSON.parse(event.text));
        return start.streamId;
      },
      follow: async (lastEventId, options) => this.follow(sessionId, lastEventId, options),
    };
  }

  async purgeSession(sessionId: string): Promise<void> {
    this.assertOpen();
    assertValidSessionId(sessionId);
    this.state().events.delete(sessionId);
  }

  // Stryker disable all: memory-only housekeeping outside the contract (expiry on read is what the suites check); memory-adapter.test.ts covers it
  /** Removes expired sessions' events from memory now; returns how many sessions. */
  sweepExpired(): number {
    if (this.closed) return 0;
    const events = this.state().events;
    const now = this.clock.now();
    let removed = 0;
    for (const [sessionId, session] of events) {
      if (session.expiresAt <= now) {
        events.delete(sessionId);
        removed++;
      }
    }
    return removed;
  }
  // Stryker restore all

  async close(): Promise<void> {
    this.closed = true;
    this.stopSweeper();
    for (const follower of this.followers) follower.abort();
    this.followers.clear();
  }

  private state(): NamespaceState {
    return this.backend.state(this.namespace);
  }

  private assertOpen(): void {
    // Stryker disable next-line StringLiteral: only the component's name in a CLOSED message; the suites check the code and that a message is there
    if (this.closed) throw closedError('MemoryEventStore');
  }

  /** The live events of a session, dropping them if they expired. */
  private session(sessionId: string): SessionEvents | undefined {
    const events = this.state().events;
    const session = events.get(sessionId);
    if (session && session.expiresAt <= this.clock.now()) {
      events.delete(sessionId);
      return undefined;
    }
    return session;
  }

  private tail(sessionId: string, streamId: string): string {
    this.assertOpen();
    assertStreamId(streamId);
    return this.session(sessionId)?.streams.get(streamId)?.at(-1)?.id ?? primingEventId(sessionId, streamId);
  }

  private store(sessionId: string, streamId: string, message: StoredMessage): string {
    this.assertOpen();
    assertStreamId(streamId);
    const text = encodeStoredMessage(message);
    // A priming event holds no message: its id (the start of the stream) needs no backend access.
    if (text === '{}') return primingEventId(sessionId, streamId);
    let session = this.session(sessionId);
    if (!session) {
      session = {
        token: randomBytes(9).toString('base64url'),
        nextSeq: 1,
        expiresAt: 0,
        streams: new Map(),
        byId: new Map(),
      };
      this.state().events.set(sessionId, session);
    }
    session.expiresAt = this.clock.now() + this.ttlMs;
    const seq = session.nextSeq++;
    // The id encodes the stream (as the spec asks), but lookups always use the stored index.
    const event: StoredEvent = {
      // Stryker disable next-line StringLiteral: Buffer.from(text, '') reads UTF-8 too (equivalent)
      id: `${session.token}.${seq}.${Buffer.from(streamId, 'utf8').toString('base64url')}`,
      seq,
      streamId,
      text,
    };
    let stream = session.streams.get(streamId);
    if (!stream) {
      // Stryker disable next-line ArrayDeclaration: equivalent, a junk first element is never replayed (no seq) and is the first trimmed at the cap
      stream = [];
      session.streams.set(streamId, stream);
    }
    stream.push(event);
    session.byId.set(event.id, event);
    while (stream.length > this.maxEventsPerStream) session.byId.delete(stream.shift()!.id);
    for (const listener of this.state().eventListeners.get(sessionId) ?? []) listener(event);
    return event.id;
  }

  private find(sessionId: string, eventId: string): ReplayStart | undefined {
    this.assertOpen();
    if (isPrimingEventId(eventId)) return this.findPriming(sessionId, eventId);
    // Stryker disable next-line ConditionalExpression: equivalent, a Map lookup by a non-string finds nothing either
    if (typeof eventId !== 'string') return undefined;
    return this.session(sessionId)?.byId.get(eventId);
  }

  /** The start of a priming id's stream, unless the stream holds enough events to have been trimmed. */
  private findPriming(sessionId: string, eventId: string): ReplayStart | undefined {
    const streamId = parsePrimingEventId(sessionId, eventId);
    if (streamId === undefined) return undefined;
    const held = this.session(sessionId)?.streams.get(streamId)?.length ?? 0;
    return held < this.maxEventsPerStream ? { seq: 0, streamId } : undefined;
  }

  private require(sessionId: string, eventId: string): ReplayStart {
    const event = this.find(sessionId, eventId);
    if (!event) throw eventNotFound();
    return event;
  }

  /** Stored events of `start`'s stream after it. */
  private after(sessionId: string, start: ReplayStart): StoredEvent[] {
    const stream = this.session(sessionId)?.streams.get(start.streamId) ?? [];
    return stream.filter((e) => e.seq > start.seq);
  }

  private async follow(
    sessionId: string,
    lastEventId: string,
    options: { send: SendEvent; signal: AbortSignal; onError?: (error: unknown) => void },
  ): Promise<string> {
    const start = this.require(sessionId, lastEventId);
    const controller = new AbortController();
    const stop = () => controller.abort();
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: equivalent, stop() is idempotent and the clean-up removes the listener
    options.signal.addEventListener('abort', stop, { once: true });
    this.followers.add(controller);

    // Listen before reading what is stored, so an event stored meanwhile is queued, not missed;
    // `lastSent` drops anything already sent. The chain never rejects: a failure stops following.
    let lastSent = start.seq;
    let replayed = false;
    let failure: unknown;
    let chain = Promise.resolve();
    const deliver = (event: StoredEvent) => {
      chain = chain
        .then(async () => {
          // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent here, the listener and the replay snapshot are set up in one synchronous turn, so no event reaches both (other adapters need the check; the suite's no-duplicate follow test holds them to it)
          if (controller.signal.aborted || event.seq <= lastSent) return;
          lastSent = event.seq;
          await options.send(event.id, JSON.parse(event.text));
        })
        .catch((error: unknown) => {
          stop();
          if (replayed) options.onError?.(error);
          else failure = error;
        });
    };
    const listener: EventListener = (event) => {
      if (event.streamId === start.streamId) deliver(event);
    };
    const listenersBySession = this.state().eventListeners;
    let listeners = listenersBySession.get(sessionId);
    if (!listeners) {
      listeners = new Set();
      listenersBySession.set(sessionId, listeners);
    }
    listeners.add(listener);
    // Stryker disable next-line StringLiteral,BlockStatement: equivalent through the contract, the clean-up only frees memory (an aborted follower sends nothing either way)
    controller.signal.addEventListener('abort', () => {
      listeners.delete(listener);
      if (listeners.size === 0 && listenersBySession.get(sessionId) === listeners) {
        listenersBySession.delete(sessionId);
      }
      // Stryker disable next-line StringLiteral: equivalent, the listener is `once` and stop() is idempotent
      options.signal.removeEventListener('abort', stop);
      this.followers.delete(controller);
    });
    if (options.signal.aborted) stop();
    for (const event of this.after(sessionId, start)) deliver(event);
    await chain;
    if (failure !== undefined) throw failure;
    replayed = true;
    return start.streamId;
  }
}
