/**
 * The other router processes this one has heard from recently: the processes that must confirm a
 * deletion before DELETE is answered. Every process announces itself on start and every
 * heartbeat; any message from a process counts as a sign of life; one that says it is leaving, or
 * stays silent for `expiryMs`, is forgotten.
 */
export class Peers {
  private readonly lastSeen = new Map<string, number>();
  private readonly incarnations = new Map<string, string>();

  constructor(
    private readonly self: string,
    private readonly expiryMs: number,
  ) {}

  /**
   * A message from `processId` arrived. Returns true when its `incarnation` is new: the process
   * restarted under the same id, and holds nothing of what its previous life held.
   */
  seen(processId: string, incarnation?: string): boolean {
    if (processId === this.self) return false;
    this.lastSeen.set(processId, Date.now());
    if (incarnation === undefined) return false;
    const previous = this.incarnations.get(processId);
    this.incarnations.set(processId, incarnation);
    return previous !== undefined && previous !== incarnation;
  }

  /** `processId` said it is shutting down. */
  left(processId: string): void {
    this.lastSeen.delete(processId);
    this.incarnations.delete(processId);
  }

  /**
   * `processId` did not answer in time: not waited for again until it is heard from. Its
   * incarnation is kept, so a restart under the same id still shows when it speaks again.
   */
  silent(processId: string): void {
    this.lastSeen.delete(processId);
  }

  /** The processes heard from within the expiry, without this one. */
  live(): string[] {
    const cutoff = Date.now() - this.expiryMs;
    // Forgotten with its incarnation: with default process ids every restart is a new id, and
    // the map must not grow with each one.
    for (const [id, at] of this.lastSeen) {
      if (at < cutoff) {
        this.lastSeen.delete(id);
        this.incarnations.delete(id);
      }
    }
    return [...this.lastSeen.keys()];
  }
}
