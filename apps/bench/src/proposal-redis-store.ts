// A faithful re-implementation of the Redis store of the original proposal (upstream PR #1193), for
// comparison only: its five methods and, per request, its algorithm: an existence check, then the
// activity update as a GET followed by a SETEX of the whole record.
import type { Redis } from 'ioredis';

interface ProposalSessionData {
  sessionId: string;
  createdAt: number;
  lastActivity: number;
  [key: string]: unknown;
}

export class ProposalRedisStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly ttlSeconds = 3600,
  ) {}

  private key(id: string): string {
    return `${this.keyPrefix}${id}`;
  }

  async storeSession(id: string, data: ProposalSessionData): Promise<void> {
    await this.redis.setex(this.key(id), this.ttlSeconds, JSON.stringify(data));
  }

  async getSession(id: string): Promise<ProposalSessionData | null> {
    const raw = await this.redis.get(this.key(id));
    return raw === null ? null : (JSON.parse(raw) as ProposalSessionData);
  }

  /** GET then SETEX: two round trips, and a session deleted in between comes back. */
  async updateSessionActivity(id: string): Promise<void> {
    const data = await this.getSession(id);
    if (data) await this.storeSession(id, { ...data, lastActivity: Date.now() });
  }

  async deleteSession(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  async sessionExists(id: string): Promise<boolean> {
    return (await this.redis.exists(this.key(id))) === 1;
  }
}
