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
    nextSeq: number;
    expiresAt: number;
    readonly streams: Map<string, StoredEvent[]>;
    readonly byId: Map<string, StoredEvent>;
    readonly listeners: Set<(event: StoredEvent) => void>;
}
/** A bus subscriber: delivery goes through its own queue so each handler sees messages in order. */
export interface Subscriber {
    deliver(text: string): void;
}
/** The state of one namespace. */
export interface NamespaceState {
    readonly sessions: Map<string, StoredSession>;
    readonly principals: Map<string, Set<string>>;
    readonly events: Map<string, SessionEvents>;
    readonly channels: Map<string, Set<Subscriber>>;
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
 * ```
 */
export declare class MemoryBackend {
    private readonly namespaces;
    private calls;
    /** How many operations components have run against this backend (each method call is one). */
    get operationCount(): number;
    /** The state of `namespace`, created on first use. Counts as one operation. */
    state(namespace: string): NamespaceState;
}
/** Default namespace of every memory component. */
export declare const DEFAULT_NAMESPACE = "mcp";
//# sourceMappingURL=backend.d.ts.map