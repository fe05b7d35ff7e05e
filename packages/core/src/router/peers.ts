/**
 * The other router processes this one has heard from recently: the processes that must confirm a
 * deletion before DELETE is answered. Every process announces itself on start and every
 * heartbeat; any message from a process counts as a sign of life; one that says it is leaving, or
 * stays silent for `expiryMs`, is forgotten.
 */
export class Peers {
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly self: string,
    private readonly expiryMs: number,
  ) {}

  /** A message from `processId` arrived. */
  seen(processId: string): void {
    if (processId !== this.self) this.lastSeen.set(processId, Date.now());
  }

  /** `processId` said it is shutting down. */
  left(processId: string): void {
    this.lastSeen.delete(processId);
  }

  /** The processes heard from within the expiry, without this one. */
  live(): string[] {
    const cutoff = Date.now() - this.expiryMs;
    for (const [id, at] of this.lastSeen) if (at < cutoff) this.lastSeen.delete(id);
    return [...this.lastSeen.keys()];
  }
}
