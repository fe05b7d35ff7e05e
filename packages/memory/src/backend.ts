/** One stored session: its JSON text plus what is needed without parsing it. */
export interface StoredSession {
  text: string;
  expiresAt: number;
  principal: string | null;
}

/** One stored event. */
export interface StoredEvent {
  readonly id: string;
  readonly seq: number;
  readonly streamId: string;
  /** JSON text, so every reader gets its own copy. */
  readonly text: string;
}

/** Everything one session's event store holds. */
export interface SessionEvents {
  /** Random per-session part of every event id, so an id is never valid in another session. */
  readonly token: string;
  nextSeq: number;
  expiresAt: number;
  readonly streams: Map<string, StoredEvent[]>;
  readonly byId: Map<string, StoredEvent>;
}

/** Called with each event appended to a session (followers filter their stream). */
export type EventListener = (event: StoredEvent) => void;

/** A bus subscriber: delivery goes through its own queue so each handler sees messages in order. */
export interface Subscriber {
  deliver(text: string): void;
}

/** The state of one namespace. */
export interface NamespaceState {
  readonly sessions: Map<string, StoredSession>;
  readonly principals: Map<string, Set<string>>;
  readonly events: Map<string, SessionEvents>;
  /**
   * Followers by session id, apart from the events: a follower of a priming id waits for a stream
   * (even a session) that holds nothing yet.
   */
  readonly eventListeners: Map<string, Set<EventListener>>;
  readonly channels: Map<string, Set<Subscriber>>;
  /** Claim key -> when the claim ends (epoch ms, exclusive). */
  readonly claims: Map<string, number>;
}

/**
 * The memory "server" that stores, event stores and buses attach to. Each component gets a private
 * one by default; pass one `MemoryBackend` to several components to have them share data, as
 * processes sharing Redis would (in one process: tests, demos, simulated clusters).
 *
 * @example
 * ```ts
 * const backend = new MemoryBackend();
 * const podA = new MemorySessionStore({ backend });
 * const podB = new MemorySessionStore({ backend });
 * // Claims too: a key podA's claim store wins, podB's loses.
 * const claimsA = new MemoryClaimStore({ backend });
 * ```
 */
export class MemoryBackend {
  private readonly namespaces = new Map<string, NamespaceState>();
  private calls = 0;

  /** How many operations components have run against this backend (each method call is one). */
  get operationCount(): number {
    return this.calls;
  }

  /** The state of `namespace`, created on first use. Counts as one operation. */
  state(namespace: string): NamespaceState {
    this.calls++;
    let state = this.namespaces.get(namespace);
    if (!state) {
      state = {
        sessions: new Map(),
        principals: new Map(),
        events: new Map(),
        eventListeners: new Map(),
        channels: new Map(),
        claims: new Map(),
      };
      this.namespaces.set(namespace, state);
    }
    return state;
  }
}

/** Default namespace of every memory component. */
export const DEFAULT_NAMESPACE = 'mcp';
